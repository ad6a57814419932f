"""Loads the human-readable seed YAML into an empty directory, refusing anything unsafe.

The loader is strict on purpose: an unknown key is an error (that is how an `address` is
caught), every channel needs a source, and only what the vocabulary knows gets in.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Mapping, Union

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from helplines import models as m
from helplines import vocabulary as v
from helplines.availability import ScheduleError, validate_schedule
from helplines.validation import language_code
from helplines.warm_referral import STATEMENTS

DEFAULT_SEED = Path(__file__).resolve().parent / "seed" / "directory.yaml"
REQUIRED_LANGUAGES = ("nl", "en")

ADDRESS_KEYS = frozenset(
    {"address", "addresses", "location", "locations", "street", "street_address", "postal_code",
     "postcode", "zip", "city", "latitude", "longitude", "lat", "lon", "coordinates", "geo"}
)
SERVICE_KEYS = frozenset(
    {"id", "organization", "kind", "status", "priority", "intake_via", "name", "description", "alert",
     "capabilities", "coverage", "audiences", "topics", "what_happens", "verification", "channels", "languages"}
)
CHANNEL_KEYS = frozenset(
    {"kind", "status", "value", "url", "opening_hours", "timezone", "holidays", "free", "anonymous",
     "on_phone_bill", "takes_report", "verification"}
)
VERIFICATION_KEYS = frozenset({"source_url", "source_note", "verified_on", "verified_by"})
_PHONE = re.compile(r"^[0-9][0-9 \-]*$")
_DUTCH_POSTCODE = re.compile(r"\b[1-9][0-9]{3} ?[A-Z]{2}\b")


class SeedError(m.DirectoryError):
    """The seed file breaks a rule; the message names the entry and the rule."""


def _refuse_unknown(entry: Mapping[str, Any], allowed: frozenset[str], owner: str, shelter: bool = False) -> None:
    for key in entry:
        if key in ADDRESS_KEYS:
            if shelter:
                raise SeedError(f"{owner}: never store a shelter's address ({key!r}); a shelter is reached through its intake line")
            raise SeedError(f"{owner}: the directory stores no addresses ({key!r})")
        if key not in allowed:
            raise SeedError(f"{owner}: unknown field {key!r}")


def _codes(entry: Mapping[str, Any], key: str, allowed: tuple[str, ...], owner: str) -> list[str]:
    values = entry.get(key) or []
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise SeedError(f"{owner}: unknown {key} {unknown}; known: {', '.join(allowed)}")
    return list(dict.fromkeys(values))


def _languages(entry: Mapping[str, Any], key: str, owner: str, required: bool) -> dict[str, str]:
    texts = entry.get(key) or {}
    if not isinstance(texts, Mapping):
        raise SeedError(f"{owner}: {key} must be a mapping of language to text")
    if required:
        missing = [lang for lang in REQUIRED_LANGUAGES if not texts.get(lang)]
        if missing:
            raise SeedError(f"{owner}: {key} needs the languages {', '.join(missing)}")
    return {str(lang): str(value) for lang, value in texts.items() if value}


def _contact_languages(entry: Mapping[str, Any], owner: str) -> list[str]:
    """`languages: [nl, en]`: in which languages people can get in touch (Babel codes)."""
    codes = entry.get("languages") or []
    if not isinstance(codes, list):
        raise SeedError(f"{owner}: languages must be a list of language codes, such as [nl, en]")
    found = []
    for code in codes:
        try:
            found.append(language_code(str(code)))
        except ValueError as error:
            raise SeedError(f"{owner}: languages: {error}") from error
    return list(dict.fromkeys(found))


def _verification(entry: Mapping[str, Any], owner: str) -> dict[str, Any]:
    block = entry.get("verification")
    if not isinstance(block, Mapping) or not block.get("source_url"):
        raise SeedError(f"{owner}: needs verification.source_url; never store a fact without a source")
    _refuse_unknown(block, VERIFICATION_KEYS, f"{owner} verification")
    verified_on = block.get("verified_on")
    if verified_on is not None and not isinstance(verified_on, dt.date):
        raise SeedError(f"{owner}: verified_on must be a date (YYYY-MM-DD)")
    return {key: block.get(key) for key in VERIFICATION_KEYS}


def _channel(entry: Mapping[str, Any], position: int, owner: str) -> m.ContactChannel:
    kind = entry.get("kind")
    owner = f"{owner} {kind} channel"
    _refuse_unknown(entry, CHANNEL_KEYS, owner)
    if kind not in v.CHANNEL_KINDS:
        raise SeedError(f"{owner}: unknown kind; known: {', '.join(v.CHANNEL_KINDS)}")
    value = entry.get("value")
    if kind == "phone":
        if value is not None and not _PHONE.match(str(value)):
            raise SeedError(f"{owner}: {value!r} is not a phone number")
    status = entry.get("status", "active")
    if status not in v.CHANNEL_STATUSES:
        raise SeedError(f"{owner}: unknown status {status!r}")
    verification = _verification(entry, owner)
    if status == "active" and not (verification["verified_on"] and verification["verified_by"]):
        raise SeedError(f"{owner}: an active channel needs verified_on and verified_by; else use status: unverified")
    if status == "active" and not value:
        raise SeedError(f"{owner}: an active channel needs a value (the number or address people use)")
    calendar = entry.get("holidays", "nl")
    try:
        validate_schedule(entry.get("opening_hours"), entry.get("timezone", "Europe/Amsterdam"), calendar)
    except ScheduleError as error:
        raise SeedError(f"{owner}: {error}") from error
    return m.ContactChannel(
        kind=kind,
        status=status,
        position=position,
        value=None if value is None else str(value),
        url=entry.get("url"),
        opening_hours=entry.get("opening_hours"),
        timezone=entry.get("timezone", "Europe/Amsterdam"),
        holiday_calendar=calendar,
        free=entry.get("free"),
        anonymous=entry.get("anonymous"),
        on_phone_bill=entry.get("on_phone_bill"),
        takes_report=entry.get("takes_report"),
        **verification,
    )


def _service(entry: Mapping[str, Any], known_ids: set[str]) -> m.Service:
    owner = f"service {entry.get('id', '?')!r}"
    _refuse_unknown(entry, SERVICE_KEYS, owner, shelter=entry.get("kind") == "shelter")
    if not entry.get("id") or not entry.get("organization"):
        raise SeedError(f"{owner}: needs id and organization")
    kind = entry.get("kind", "helpline")
    if kind not in v.SERVICE_KINDS:
        raise SeedError(f"{owner}: unknown kind {kind!r}")
    status = entry.get("status", "unverified")
    if status not in v.SERVICE_STATUSES:
        raise SeedError(f"{owner}: unknown status {status!r}")
    names = _languages(entry, "name", owner, required=True)
    descriptions = _languages(entry, "description", owner, required=False)
    alerts = _languages(entry, "alert", owner, required=False)
    if kind == "shelter":
        if entry.get("channels"):
            raise SeedError(f"{owner}: a shelter has no channel of its own; it is reached through intake_via")
        if not entry.get("intake_via"):
            raise SeedError(f"{owner}: a shelter needs intake_via (the service that does the intake)")
        for text in (*names.values(), *descriptions.values(), *alerts.values()):
            if _DUTCH_POSTCODE.search(text):
                raise SeedError(f"{owner}: this text looks like it holds an address; never store a shelter's address")
    if entry.get("intake_via") and entry["intake_via"] not in known_ids:
        raise SeedError(f"{owner}: intake_via {entry['intake_via']!r} is not a service in the seed")
    statements = entry.get("what_happens") or []
    unknown = [s for s in statements if s not in STATEMENTS]
    if unknown:
        raise SeedError(f"{owner}: unknown what_happens {unknown}; known: {', '.join(STATEMENTS)}")
    verification = _verification(entry, owner)
    if status in ("active", "temporarily_closed") and not (verification["verified_on"] and verification["verified_by"]):
        raise SeedError(f"{owner}: an {status} service needs verified_on and verified_by; else use status: unverified")

    service = m.Service(
        id=entry["id"],
        organization_id=entry["organization"],
        kind=kind,
        status=status,
        priority=int(entry.get("priority", 100)),
        intake_via_id=entry.get("intake_via"),
        **verification,
    )
    service.texts = [
        m.ServiceText(language=lang, name=name, description=descriptions.get(lang), alert=alerts.get(lang))
        for lang, name in names.items()
    ]
    service.topics = [m.ServiceTopic(topic=t) for t in _codes(entry, "topics", v.TOPICS, owner)]
    service.audiences = [m.ServiceAudience(audience=a) for a in _codes(entry, "audiences", v.AUDIENCES, owner)]
    service.areas = [m.ServiceArea(area=a) for a in _codes(entry, "coverage", v.AREAS, owner)]
    service.capabilities = [m.ServiceCapability(capability=c) for c in _codes(entry, "capabilities", v.CAPABILITIES, owner)]
    service.statements = [m.ServiceStatement(statement=s, position=i) for i, s in enumerate(dict.fromkeys(statements))]
    service.languages = [m.ServiceLanguage(language=code) for code in _contact_languages(entry, owner)]
    if not service.areas:
        raise SeedError(f"{owner}: needs coverage (where it helps)")
    if kind != "shelter":
        service.channels = [_channel(c, i, owner) for i, c in enumerate(entry.get("channels") or [])]
    return service


def parse_seed(document: Mapping[str, Any]) -> tuple[list[m.Organization], list[m.Service]]:
    """Validate a parsed seed document and turn it into (unsaved) ORM objects."""
    if not isinstance(document, Mapping) or document.get("version") != 1:
        raise SeedError("seed: expected 'version: 1' at the top")
    organizations = [m.Organization(id=o["id"], name=o["name"]) for o in document.get("organizations") or []]
    org_ids = {o.id for o in organizations}
    entries = document.get("services") or []
    ids = [e.get("id") for e in entries]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise SeedError(f"seed: duplicate service ids {sorted(duplicates)}")
    services = [_service(e, set(ids)) for e in entries]
    for service in services:
        if service.organization_id not in org_ids:
            raise SeedError(f"service {service.id!r}: organization {service.organization_id!r} is not listed")
    return organizations, services


def read_seed(path: Union[str, Path] = DEFAULT_SEED) -> tuple[list[m.Organization], list[m.Service]]:
    with open(path, encoding="utf-8") as handle:
        return parse_seed(yaml.safe_load(handle))


def load_seed(session: Session, path: Union[str, Path] = DEFAULT_SEED) -> int:
    """Add the seed to `session` (the caller commits); returns the number of services."""
    return _add(session, *read_seed(path))


def _add(session: Session, organizations: list[m.Organization], services: list[m.Service]) -> int:
    """Organizations first, then services, then the shelters that point at an intake service."""
    session.add_all(organizations)
    session.flush()
    session.add_all([s for s in services if not s.intake_via_id])
    session.flush()
    session.add_all([s for s in services if s.intake_via_id])
    session.flush()
    return len(services)


class DirectoryNotEmpty(m.DirectoryError):
    """An import would mix with entries already there; imports only fill an empty directory."""


def refuse_non_empty(session: Session) -> None:
    """Imports never merge: a merge could quietly overwrite a number staff just checked."""
    if session.scalar(select(m.Service.id).limit(1)) or session.scalar(select(m.Organization.id).limit(1)):
        raise DirectoryNotEmpty(
            "the directory already holds entries; import only into an empty database "
            "(export it first if you want to keep what is there)"
        )


def import_seed_document(session: Session, document: Mapping[str, Any]) -> int:
    """Fill an EMPTY directory from a parsed seed document (the caller commits); returns services."""
    refuse_non_empty(session)
    return _add(session, *parse_seed(document))


def _verification_block(entry: m.Verified) -> dict[str, Any]:
    return {
        "source_url": entry.source_url,
        "source_note": entry.source_note,
        "verified_on": entry.verified_on,
        "verified_by": entry.verified_by,
    }


def _texts(service: m.Service, field: str) -> dict[str, str]:
    return {t.language: getattr(t, field) for t in sorted(service.texts, key=_text_order) if getattr(t, field)}


def _text_order(text: m.ServiceText) -> tuple[int, str]:
    """nl and en first, as in the hand-written seed; then the rest alphabetically."""
    order = REQUIRED_LANGUAGES.index(text.language) if text.language in REQUIRED_LANGUAGES else len(REQUIRED_LANGUAGES)
    return order, text.language


def _channel_entry(channel: m.ContactChannel) -> dict[str, Any]:
    return {
        "kind": channel.kind,
        "status": channel.status,
        "value": channel.value,
        "url": channel.url,
        "opening_hours": channel.opening_hours,
        "timezone": channel.timezone,
        "holidays": channel.holiday_calendar,
        "free": channel.free,
        "anonymous": channel.anonymous,
        "on_phone_bill": channel.on_phone_bill,
        "takes_report": channel.takes_report,
        "verification": _verification_block(channel),
    }


def _service_entry(service: m.Service) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": service.id,
        "organization": service.organization_id,
        "kind": service.kind,
        "status": service.status,
        "priority": service.priority,
    }
    if service.intake_via_id:
        entry["intake_via"] = service.intake_via_id
    entry["name"] = _texts(service, "name")
    for field in ("description", "alert"):
        texts = _texts(service, field)
        if texts:
            entry[field] = texts
    entry["capabilities"] = sorted(c.capability for c in service.capabilities)
    entry["coverage"] = sorted(a.area for a in service.areas)
    entry["audiences"] = sorted(a.audience for a in service.audiences)
    entry["topics"] = sorted(t.topic for t in service.topics)
    entry["what_happens"] = [s.statement for s in sorted(service.statements, key=lambda s: s.position)]
    if service.languages:
        entry["languages"] = sorted(lang.language for lang in service.languages)
    entry["verification"] = _verification_block(service)
    if service.kind != "shelter":
        entry["channels"] = [_channel_entry(c) for c in sorted(service.channels, key=lambda c: (c.position, c.id))]
    return entry


def export_seed(session: Session) -> dict[str, Any]:
    """The whole directory as a seed document: loaded into an empty database, the same directory.

    Dates stay `datetime.date`, so `yaml.safe_dump` writes them the way the loader reads them.
    """
    organizations = session.scalars(select(m.Organization).order_by(m.Organization.id)).all()
    services = session.scalars(select(m.Service).order_by(m.Service.priority, m.Service.id)).all()
    return {
        "version": 1,
        "organizations": [{"id": o.id, "name": o.name} for o in organizations],
        "services": [_service_entry(s) for s in services],
    }
