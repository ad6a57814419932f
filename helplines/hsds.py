"""Open Referral HSDS 3 as an exchange format: export the directory, import it into an empty one.

HSDS is what other directories (211 systems, municipal service guides) read and write, so we
speak it at the border. It cannot hold everything we promise people, so what it lacks travels
in an `x_hulpwijzer` key on the object it belongs to: topics, audiences, capabilities, "what
happens" statements, channels other than phone, the flags free / anonymous / on_phone_bill /
takes_report, shelter intake, texts per language, and full verification. Hours travel as our
OSM `opening_hours` in a named time zone with a holiday calendar (`x_hulpwijzer` on each phone);
HSDS `schedules` rows are only a courtesy for readers that ignore extensions, because HSDS
times carry a fixed UTC offset and cannot say "closed on public holidays of Bonaire".

The document is the HSDS tabular layout as JSON: one list per table, rows linked by ids
(`service_id`, `organization_id`). No `locations` or addresses, ever: an import that
holds one is refused.

Both directions go through the seed format (`seed.export_seed`, `seed.parse_seed`), so an
HSDS import meets exactly the checks a seed file does.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Mapping, Optional
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from sqlalchemy.orm import Session

from helplines import models as m
from helplines import seed
from helplines.vocabulary import AREAS

HSDS_VERSION = "3.0"
EXTENSION = "x_hulpwijzer"
FORMAT_VERSION = 1
TABLES = ("organizations", "services", "phones", "schedules", "languages", "service_areas", "metadata")

#: Ids in HSDS are UUIDs; ours are readable slugs. uuid5 keeps an export stable between runs.
_ID_NAMESPACE = uuid.UUID("6f1b7c2e-4d0a-5c53-9f6e-2a8d3b9e1c47")

STATUS_TO_HSDS = {
    "active": "active",
    "temporarily_closed": "temporarily closed",
    "inactive": "inactive",
    "unverified": "inactive",  # HSDS has no "unverified"; the extension keeps ours
}
STATUS_FROM_HSDS = {"active": "active", "temporarily closed": "temporarily_closed", "inactive": "inactive", "defunct": "inactive"}

#: Channel kinds that are an HSDS `phone` (RFC 6350 type); the rest live in the extension.
PHONE_TYPES = {"phone": "voice", "text_relay": "textphone"}
KIND_FROM_PHONE_TYPE = {"voice": "phone", "cell": "phone", "textphone": "text_relay"}

AREA_NAMES = {"nl": "Nederland (Europees deel)", "bonaire": "Bonaire", "sint_eustatius": "Sint Eustatius", "saba": "Saba"}

#: HSDS objects and fields that hold a place. A shelter's address must never enter the directory.
ADDRESS_FIELDS = seed.ADDRESS_KEYS | {
    "service_at_locations", "service_at_location_id", "location_id", "physical_addresses",
    "postal_addresses", "address_1", "address_2", "state_province", "accessibility",
}

CHANNEL_FIELDS = ("url", "opening_hours", "timezone", "holidays", "free", "anonymous", "on_phone_bill", "takes_report")


class HsdsError(m.DirectoryError):
    """An HSDS document we cannot take in safely; the message names the object and the problem."""


def _uid(table: str, key: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{table}:{key}"))


# --- export -----------------------------------------------------------------------------


def export_hsds(session: Session) -> dict[str, Any]:
    """The whole directory as an HSDS 3 document (JSON-able: dates are ISO strings)."""
    return seed_to_hsds(seed.export_seed(session))


def seed_to_hsds(document: Mapping[str, Any]) -> dict[str, Any]:
    """Turn a seed document (as `export_seed` gives it) into HSDS tables plus extensions."""
    out: dict[str, Any] = {
        EXTENSION: {
            "format_version": FORMAT_VERSION,
            "hsds_version": HSDS_VERSION,
            "note": "Hulpwijzer helpline directory. Hours, flags, topics and verification are in "
            "x_hulpwijzer; HSDS schedules are a simplified copy. No addresses by design.",
        },
        **{table: [] for table in TABLES},
    }
    for organization in document.get("organizations") or []:
        out["organizations"].append(
            {"id": _uid("organization", organization["id"]), "name": organization["name"], "description": "",
             EXTENSION: {"id": organization["id"]}}
        )
    for entry in document.get("services") or []:
        _export_service(entry, out)
    return out


def _export_service(entry: Mapping[str, Any], out: dict[str, Any]) -> None:
    service_id = _uid("service", entry["id"])
    names, descriptions, alerts = entry["name"], entry.get("description") or {}, entry.get("alert") or {}
    channels = list(entry.get("channels") or [])
    service: dict[str, Any] = {
        "id": service_id,
        "organization_id": _uid("organization", entry["organization"]),
        "name": names.get("nl") or next(iter(names.values())),
        "status": STATUS_TO_HSDS[entry["status"]],
    }
    for key, texts in (("description", descriptions), ("alert", alerts)):
        if texts.get("nl"):
            service[key] = texts["nl"]
    website = _first_active(channels, "website")
    if website and website.get("url"):
        service["url"] = website["url"]
    email = _first_active(channels, "email")
    if email and email.get("value"):
        service["email"] = email["value"]
    verification = entry["verification"]
    if verification.get("verified_on"):
        service["assured_date"] = _iso(verification["verified_on"])

    extension: dict[str, Any] = {
        "id": entry["id"],
        "kind": entry["kind"],
        "status": entry["status"],
        "priority": entry["priority"],
        "intake_via": entry.get("intake_via"),
        "name": dict(names),
        "description": dict(descriptions),
        "alert": dict(alerts),
        "topics": list(entry.get("topics") or []),
        "audiences": list(entry.get("audiences") or []),
        "capabilities": list(entry.get("capabilities") or []),
        "what_happens": list(entry.get("what_happens") or []),
        "verification": _verification_json(verification),
        "channels": [],
    }
    service[EXTENSION] = extension
    out["services"].append(service)
    out["metadata"].extend(_metadata(service_id, "service", verification))

    for position, channel in enumerate(channels):
        if channel["kind"] in PHONE_TYPES and channel.get("value"):
            _export_phone(entry["id"], service_id, position, channel, out)
        else:
            extension["channels"].append(
                {"position": position, "kind": channel["kind"], "status": channel["status"], "value": channel.get("value"),
                 **{key: channel.get(key) for key in CHANNEL_FIELDS},
                 "verification": _verification_json(channel["verification"])}
            )
    for area in entry.get("coverage") or []:
        out["service_areas"].append(
            {"id": _uid("service_area", f"{entry['id']}:{area}"), "service_id": service_id,
             "name": AREA_NAMES.get(area, area), EXTENSION: {"area": area}}
        )
    for code in entry.get("languages") or []:
        out["languages"].append(
            {"id": _uid("language", f"{entry['id']}:{code}"), "service_id": service_id, "name": _language_name(code), "code": code}
        )


def _export_phone(our_id: str, service_id: str, position: int, channel: Mapping[str, Any], out: dict[str, Any]) -> None:
    phone_id = _uid("phone", f"{our_id}:{position}")
    out["phones"].append(
        {
            "id": phone_id,
            "service_id": service_id,
            "number": str(channel["value"]),
            "type": PHONE_TYPES[channel["kind"]],
            "description": _hours_text(channel),
            EXTENSION: {
                "position": position,
                "kind": channel["kind"],
                "status": channel["status"],
                **{key: channel.get(key) for key in CHANNEL_FIELDS},
                "verification": _verification_json(channel["verification"]),
            },
        }
    )
    out["metadata"].extend(_metadata(phone_id, "phone", channel["verification"]))
    if channel["status"] == "active":
        for row in weekly_schedules(channel.get("opening_hours"), channel.get("timezone") or "Europe/Amsterdam",
                                    channel.get("holidays") or "nl"):
            row[EXTENSION]["phone_id"] = phone_id
            row["description"] = f"{channel['value']}: {row['description']}"
            schedule_id = _uid("schedule", f"{our_id}:{position}:{row['byday']}:{row['opens_at']}")
            out["schedules"].append({"id": schedule_id, "service_id": service_id, **row})


def _first_active(channels: list[Mapping[str, Any]], kind: str) -> Optional[Mapping[str, Any]]:
    return next((c for c in channels if c["kind"] == kind and c["status"] == "active"), None)


def _iso(value: Any) -> Optional[str]:
    return value.isoformat() if isinstance(value, dt.date) else value


def _verification_json(block: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _iso(block.get(key)) for key in ("source_url", "source_note", "verified_on", "verified_by")}


def _metadata(resource_id: str, resource_type: str, verification: Mapping[str, Any]) -> list[dict[str, Any]]:
    """HSDS keeps provenance as change records; a check of the source is one such record."""
    if not (verification.get("verified_on") and verification.get("verified_by")):
        return []
    return [{
        "id": _uid("metadata", f"{resource_type}:{resource_id}"),
        "resource_id": resource_id,
        "resource_type": resource_type,
        "last_action_date": _iso(verification["verified_on"]),
        "last_action_type": "verified",
        "field_name": "source_url",
        "previous_value": "",
        "replacement_value": verification["source_url"],
        "updated_by": verification["verified_by"],
    }]


def _language_name(code: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en") or code
    except (ValueError, UnknownLocaleError):
        return code


def _hours_text(channel: Mapping[str, Any]) -> str:
    hours = channel.get("opening_hours")
    if not hours:
        return "Opening hours not known."
    return f"Opening hours (OSM opening_hours, {channel.get('timezone')}, public holidays: {channel.get('holidays')}): {hours}"


_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_SPEC = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$")
_TIME_SPAN = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")


def weekly_schedules(opening_hours: Optional[str], timezone: str, calendar: str) -> list[dict[str, Any]]:
    """Plain HSDS schedule rows for simple weekly hours ("24/7", "Mo-Fr 09:00-17:00; PH off").

    Anything richer (dates, months, overrides, holiday hours) gives no rows: a wrong copy is
    worse than none, and the extension holds the real expression anyway.
    """
    if not opening_hours:
        return []
    expression = opening_hours.strip()
    if expression == "24/7":
        rules = [(list(_DAYS), [("00:00", "23:59")])]
        closed_on_holidays = False
    else:
        rules, closed_on_holidays = [], False
        seen: set[str] = set()
        for rule in (part.strip() for part in expression.split(";") if part.strip()):
            if rule == "PH off":
                closed_on_holidays = True
                continue
            parsed = _simple_rule(rule)
            if parsed is None or seen & set(parsed[0]):
                return []
            seen |= set(parsed[0])
            rules.append(parsed)
    offset = _standard_offset(timezone)
    summer = _summer_offset(timezone)
    local = f"local time in {timezone} (UTC{offset:+g}" + (f", UTC{summer:+g} in summer)" if summer != offset else ")")
    holidays = f"; closed on public holidays ({calendar})" if closed_on_holidays else ""
    rows = []
    for days, spans in rules:
        for opens, closes in spans:
            text = "Open day and night" if expression == "24/7" else f"{_day_text(days)} {opens}-{closes}"
            rows.append({
                "freq": "WEEKLY",
                "interval": 1,
                "wkst": "MO",
                "byday": ",".join(day.upper() for day in days),
                "opens_at": opens,
                "closes_at": closes,
                "timezone": offset,
                "description": f"{text}, {local}{holidays}.",
                "notes": f"Simplified from {EXTENSION}.opening_hours, which is authoritative.",
                EXTENSION: {"opening_hours": opening_hours, "timezone": timezone, "holidays": calendar},
            })
    return rows


def _simple_rule(rule: str) -> Optional[tuple[list[str], list[tuple[str, str]]]]:
    parts = rule.split()
    if len(parts) != 2:
        return None
    days: list[str] = []
    for spec in parts[0].split(","):
        match = _DAY_SPEC.match(spec)
        if not match:
            return None
        first = _DAYS.index(match.group(1))
        last = _DAYS.index(match.group(2) or match.group(1))
        if last < first:
            return None
        days += [d for d in _DAYS[first:last + 1] if d not in days]
    spans = []
    for span in parts[1].split(","):
        match = _TIME_SPAN.match(span)
        if not match or span[6:] <= span[:5] or span[6:] == "24:00" and span[9:] != "00":
            return None
        spans.append((span[:5], span[6:]))
    return days, spans


def _day_text(days: list[str]) -> str:
    indexes = [_DAYS.index(d) for d in days]
    if len(days) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{days[0]}-{days[-1]}"
    return ",".join(days)


def _standard_offset(timezone: str) -> float:
    return min(_offsets(timezone))


def _summer_offset(timezone: str) -> float:
    return max(_offsets(timezone))


def _offsets(timezone: str) -> tuple[float, ...]:
    """UTC offsets in hours mid-January and mid-July (whole hours as int, as HSDS examples use)."""
    zone = ZoneInfo(timezone)
    year = dt.date.today().year
    hours = [
        dt.datetime(year, month, 15, 12, tzinfo=zone).utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
        for month in (1, 7)
    ]
    return tuple(int(h) if h.is_integer() else h for h in hours)


# --- import -----------------------------------------------------------------------------


def import_hsds(session: Session, document: Mapping[str, Any]) -> int:
    """Fill an EMPTY directory from an HSDS document (the caller commits); returns services.

    Refuses a non-empty directory, any address or location, and any fact without a source.
    Entries that are not fully verified (source, date and who checked) come in `unverified`.
    """
    seed.refuse_non_empty(session)
    try:
        converted = hsds_to_seed(document)
    except (TypeError, AttributeError) as error:  # a value of the wrong JSON type somewhere deep
        raise HsdsError(f"HSDS: unexpected structure ({error})") from error
    return seed.import_seed_document(session, converted)


def hsds_to_seed(document: Mapping[str, Any]) -> dict[str, Any]:
    """Turn an HSDS document into a seed document, for the seed loader to check and load."""
    if not isinstance(document, Mapping) or not isinstance(document.get("services"), list):
        raise HsdsError("HSDS: expected a JSON object with a 'services' list")
    for table in TABLES:
        rows = document.get(table) or []
        if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
            raise HsdsError(f"HSDS: '{table}' must be a list of objects")
    _refuse_places(document, "HSDS document")
    header = document.get(EXTENSION) or {}
    version = header.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise HsdsError(f"HSDS: {EXTENSION}.format_version {version!r} is not {FORMAT_VERSION}; export again with this version")
    feed_source = header.get("source_url")

    organizations = {}
    for row in document.get("organizations") or []:
        our_id = (row.get(EXTENSION) or {}).get("id") or row.get("id")
        if not our_id or not row.get("name"):
            raise HsdsError(f"HSDS organization {row.get('id')!r}: needs id and name")
        organizations[row["id"]] = {"id": our_id, "name": row["name"]}

    by_service = _rows_by_service(document)
    services = [
        _import_service(row, organizations, by_service, feed_source)
        for row in document["services"]
    ]
    ids = {row["id"]: entry["id"] for row, entry in zip(document["services"], services)}
    for entry in services:
        if entry.get("intake_via") in ids:  # plain HSDS would name the intake service by its HSDS id
            entry["intake_via"] = ids[entry["intake_via"]]
    return {"version": 1, "organizations": list(organizations.values()), "services": services}


def _refuse_places(value: Any, where: str) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ADDRESS_FIELDS and item not in (None, "", [], {}):
                raise HsdsError(f"{where}: holds {key!r}; the directory stores no addresses or locations (a shelter's must stay secret)")
            _refuse_places(item, where)
    elif isinstance(value, list):
        for item in value:
            _refuse_places(item, where)


def _rows_by_service(document: Mapping[str, Any]) -> dict[str, dict[str, list[Mapping[str, Any]]]]:
    found: dict[str, dict[str, list[Mapping[str, Any]]]] = {}
    for table in ("phones", "service_areas", "languages"):
        for row in document.get(table) or []:
            found.setdefault(row.get("service_id"), {}).setdefault(table, []).append(row)
    return found


def _import_service(
    row: Mapping[str, Any],
    organizations: Mapping[str, Mapping[str, str]],
    by_service: Mapping[str, Mapping[str, list[Mapping[str, Any]]]],
    feed_source: Optional[str],
) -> dict[str, Any]:
    extension = row.get(EXTENSION) or {}
    our_id = extension.get("id") or row.get("id")
    owner = f"HSDS service {our_id!r}"
    if not our_id or not row.get("name"):
        raise HsdsError(f"{owner}: needs id and name")
    organization = organizations.get(row.get("organization_id"))
    if organization is None:
        raise HsdsError(f"{owner}: organization_id {row.get('organization_id')!r} is not in 'organizations'")
    verification = _verification_in(extension.get("verification"), owner)
    if verification is None:
        source = feed_source
        if not source:
            raise HsdsError(
                f"{owner}: HSDS has no field for where a fact comes from; add {EXTENSION}.verification.source_url "
                f"(or {EXTENSION}.source_url at the top for the whole feed). Never a number without a source."
            )
        verification = {"source_url": source, "source_note": "imported from an HSDS feed", "verified_on": _date(row.get("assured_date"), owner),
                        "verified_by": None}
    complete = bool(verification.get("verified_on") and verification.get("verified_by"))
    status = extension.get("status") or (STATUS_FROM_HSDS.get(row.get("status"), "unverified") if complete else "unverified")

    entry: dict[str, Any] = {
        "id": our_id,
        "organization": organization["id"],
        "kind": extension.get("kind", "helpline"),
        "status": status,
        "priority": extension.get("priority", 100),
        "name": extension.get("name") or {"nl": row["name"], "en": row["name"]},  # a name is a name in both
        "verification": verification,
    }
    if extension.get("intake_via"):
        entry["intake_via"] = extension["intake_via"]
    for key in ("description", "alert"):
        texts = extension.get(key) if EXTENSION in row else ({"nl": row[key]} if row.get(key) else {})
        if texts:
            entry[key] = texts
    for key in ("capabilities", "audiences", "topics", "what_happens"):
        entry[key] = list(extension.get(key) or [])
    related = by_service.get(row["id"], {})
    entry["coverage"] = [_area(area, owner) for area in related.get("service_areas", [])]
    languages = [language.get("code") for language in related.get("languages", []) if language.get("code")]
    if languages:
        entry["languages"] = languages
    if entry["kind"] != "shelter":
        channels = [_phone_channel(phone, verification, owner) for phone in related.get("phones", [])]
        channels += [_extension_channel(channel, owner) for channel in extension.get("channels") or []]
        channels.sort(key=lambda pair: pair[0])
        entry["channels"] = [channel for _, channel in channels]
    return entry


def _area(row: Mapping[str, Any], owner: str) -> str:
    code = (row.get(EXTENSION) or {}).get("area")
    if code:
        return code
    name = str(row.get("name") or "").strip().lower()
    for area in AREAS:
        if name in (area, AREA_NAMES[area].lower(), area.replace("_", " ")):
            return area
    raise HsdsError(f"{owner}: service_area {row.get('name')!r} is not one we know ({', '.join(AREA_NAMES.values())})")


def _phone_channel(phone: Mapping[str, Any], service_verification: Mapping[str, Any], owner: str) -> tuple[float, dict[str, Any]]:
    if not phone.get("number"):
        raise HsdsError(f"{owner}: phone {phone.get('id')!r} has no number")
    extension = phone.get(EXTENSION) or {}
    verification = _verification_in(extension.get("verification"), f"{owner} phone") or dict(service_verification)
    complete = bool(verification.get("verified_on") and verification.get("verified_by"))
    channel = {
        "kind": extension.get("kind") or KIND_FROM_PHONE_TYPE.get(phone.get("type") or "voice", "phone"),
        "status": extension.get("status") or ("active" if complete else "unverified"),
        "value": str(phone["number"]),
        **_channel_fields(extension),
        "verification": verification,
    }
    return extension.get("position", float("inf")), channel


def _extension_channel(channel: Mapping[str, Any], owner: str) -> tuple[float, dict[str, Any]]:
    verification = _verification_in(channel.get("verification"), f"{owner} {channel.get('kind')} channel")
    entry = {
        "kind": channel.get("kind"),
        "status": channel.get("status", "unverified"),
        "value": channel.get("value"),
        **_channel_fields(channel),
        "verification": verification,
    }
    return channel.get("position", float("inf")), entry


def _channel_fields(extension: Mapping[str, Any]) -> dict[str, Any]:
    fields = {key: extension.get(key) for key in CHANNEL_FIELDS if extension.get(key) is not None}
    fields.setdefault("opening_hours", None)  # unknown hours stay unknown
    return fields


def _verification_in(block: Any, owner: str) -> Optional[dict[str, Any]]:
    if not block:
        return None
    if not isinstance(block, Mapping):
        raise HsdsError(f"{owner}: {EXTENSION}.verification must be an object")
    return {
        "source_url": block.get("source_url"),
        "source_note": block.get("source_note"),
        "verified_on": _date(block.get("verified_on"), owner),
        "verified_by": block.get("verified_by"),
    }


def _date(value: Any, owner: str) -> Optional[dt.date]:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise HsdsError(f"{owner}: {value!r} is not a date (YYYY-MM-DD)") from error

