"""Staff change the directory here: checked, all-or-nothing, audited, undoable, live at once.

Every tool (the staff web app, the command line) goes through these functions, so the same
rules hold everywhere: only an account that may edit the service can change it; every field
is checked first and *all* problems are reported together (`FieldErrors`), nothing is saved
until all is right; each changed field gets its own audit entry with the reason. After the
commit the directory's version triggers make routing see the change on its next answer.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Mapping, Optional, Union
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from helplines import models as m
from helplines import vocabulary as v
from helplines.accounts import StaffUser, can_edit
from helplines.audit import AuditEntry, decode, encode, record
from helplines.validation import (
    FieldErrors,
    check_language,
    check_no_address,
    check_opening_hours,
    check_phone,
    check_url,
    language_code,
)

SERVICE_FIELDS = ("status", "priority", "name.<lang>", "description.<lang>", "alert.<lang>",
                  "topics", "audiences", "areas", "languages")
CHANNEL_FIELDS = ("status", "value", "url", "opening_hours", "timezone", "holiday_calendar",
                  "free", "anonymous", "on_phone_bill", "takes_report",
                  "source_url", "verified_on", "verified_by")
TEXT_PARTS = ("name", "description", "alert")
#: Languages whose name a service must always have (as in the seed).
REQUIRED_NAMES = ("nl", "en")
FLAGS = ("free", "anonymous", "on_phone_bill", "takes_report")
#: Channel kinds whose value is a phone number people dial.
DIALLED_KINDS = ("phone", "whatsapp")
_CODE_LISTS = {
    "topics": (v.TOPICS, m.ServiceTopic, "topic"),
    "audiences": (v.AUDIENCES, m.ServiceAudience, "audience"),
    "areas": (v.AREAS, m.ServiceArea, "area"),
}
_NEED_REASON = "Say why you make this change (for example: 'checked with the service by phone')."


class ChangedSince(ValueError):
    """An undo that would overwrite a later change; undo that one first or edit directly."""


# --- current values --------------------------------------------------------------------------

def service_values(service: m.Service) -> dict[str, Any]:
    """The editable fields of a service as staff see them; lists are sorted."""
    values: dict[str, Any] = {"status": service.status, "priority": service.priority}
    for text in sorted(service.texts, key=lambda t: t.language):
        for part in TEXT_PARTS:
            values[f"{part}.{text.language}"] = getattr(text, part)
    for field, (_codes, _model, column) in _CODE_LISTS.items():
        values[field] = sorted(getattr(row, column) for row in getattr(service, field))
    values["languages"] = sorted(row.language for row in service.languages)
    return values


def channel_values(channel: m.ContactChannel) -> dict[str, Any]:
    return {field: getattr(channel, field) for field in CHANNEL_FIELDS}


# --- small normalisers: (value, None) or (None, message) -------------------------------------

def _text(value: Any, limit: Optional[int] = None) -> tuple[Optional[str], Optional[str]]:
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, "Enter text."
    text = value.strip()
    if limit and len(text) > limit:
        return None, f"Keep it under {limit} characters."
    return (text or None), None


def _codes(value: Any, allowed: tuple[str, ...], what: str) -> tuple[Optional[list[str]], Optional[str]]:
    if isinstance(value, str):
        value = [c for c in re.split(r"[\s,;]+", value) if c]
    if not isinstance(value, (list, tuple, set, frozenset)):
        return None, f"Choose {what} from the list."
    unknown = [str(c) for c in value if c not in allowed]
    if unknown:
        return None, f"Unknown {what}: {', '.join(unknown)}. Choose from: {', '.join(allowed)}."
    return sorted(set(value)), None


def _language_list(value: Any) -> tuple[Optional[list[str]], Optional[str]]:
    if isinstance(value, str):
        value = [c for c in re.split(r"[\s,;]+", value) if c]
    if not isinstance(value, (list, tuple, set, frozenset)):
        return None, "Give language codes such as nl, en, ar."
    bad = [str(c) for c in value if check_language(str(c))]
    if bad:
        return None, f"Not a language code we know: {', '.join(bad)}. Use codes such as nl, en, ar, tr, pap."
    return sorted({language_code(str(c)) for c in value}), None


def _flag(value: Any) -> tuple[Optional[bool], Optional[str]]:
    if value is None or isinstance(value, bool):
        return value, None
    return None, "Choose yes, no or not known."


def _date(value: Any, today: dt.date) -> tuple[Optional[dt.date], Optional[str]]:
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None, "Write the date as YYYY-MM-DD."
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return None, "Write the date as YYYY-MM-DD."
    if value > today:
        return None, "This date is in the future; give the day it was checked."
    return value, None


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


# --- services --------------------------------------------------------------------------------

def _service_changes(service: m.Service, changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Checked and normalised changes (field -> new value), and an error for every bad field."""
    new: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in changes.items():
        if field == "status":
            if value in v.SERVICE_STATUSES:
                new[field] = value
            else:
                errors[field] = f"Choose one of: {', '.join(v.SERVICE_STATUSES)}."
        elif field == "priority":
            try:
                priority = int(value)
            except (TypeError, ValueError):
                priority = -1
            if isinstance(value, bool) or not 0 <= priority <= 1000:
                errors[field] = "Priority is a whole number from 0 to 1000; lower comes first."
            else:
                new[field] = priority
        elif field.split(".", 1)[0] in TEXT_PARTS and "." in field:
            part, language = field.split(".", 1)
            problem = check_language(language)
            if problem:
                errors["language"] = problem
                continue
            key = f"{part}.{language_code(language)}"
            text, problem = _text(value, 200 if part == "name" else 2000)
            if not problem and service.kind == "shelter" and text:
                problem = check_no_address(text)
            if problem:
                errors[key] = problem
            else:
                new[key] = text
        elif field in _CODE_LISTS:
            allowed = _CODE_LISTS[field][0]
            codes, problem = _codes(value, allowed, field)
            if not problem and field == "areas" and not codes:
                problem = "Choose at least one area where the service helps."
            if problem:
                errors[field] = problem
            else:
                new[field] = codes
        elif field == "languages":
            codes, problem = _language_list(value)
            if problem:
                errors[field] = problem
            else:
                new[field] = codes
        else:
            errors[field] = "This field cannot be changed here."
    errors.update(_service_rules(service, new, errors))
    return new, errors


def _service_rules(service: m.Service, new: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, str]:
    """Rules across fields, on the service as it would be after the change."""
    found: dict[str, str] = {}
    after = {**service_values(service), **new}
    languages = {key.split(".", 1)[1] for key in after if key.split(".", 1)[0] in TEXT_PARTS}
    for language in sorted(languages):
        name_key = f"name.{language}"
        if name_key in errors:
            continue
        if not after.get(name_key):
            if language in REQUIRED_NAMES:
                found[name_key] = f"The name in {language} is needed; it is what people see."
            elif after.get(f"description.{language}") or after.get(f"alert.{language}"):
                found[name_key] = "A language with a description or alert needs a name too."
    status = after["status"]
    if status in ("active", "temporarily_closed") and "status" in new:
        missing = [f for f in ("source_url", "verified_on", "verified_by") if not getattr(service, f)]
        if missing:
            found["status"] = (f"A service that is {status.replace('_', ' ')} must be verified first "
                               f"(missing: {', '.join(missing)}). Verify it, or keep it unverified.")
    return found


def _apply_service(service: m.Service, new: Mapping[str, Any]) -> None:
    texts = {t.language: t for t in service.texts}
    for field, value in new.items():
        if field in ("status", "priority"):
            setattr(service, field, value)
        elif field in _CODE_LISTS:
            _codes_, model, column = _CODE_LISTS[field]
            kept = {getattr(row, column): row for row in getattr(service, field)}
            setattr(service, field, [kept.get(code) or model(**{column: code}) for code in value])
        elif field == "languages":
            kept = {row.language: row for row in service.languages}
            service.languages = [kept.get(code) or m.ServiceLanguage(language=code) for code in value]
        else:
            part, language = field.split(".", 1)
            text = texts.get(language)
            if text is None:
                text = texts[language] = m.ServiceText(language=language, name="")
                service.texts.append(text)
            setattr(text, part, value)
    for language, text in texts.items():
        if not text.name and not text.description and not text.alert:
            service.texts.remove(text)


# --- channels --------------------------------------------------------------------------------

def _channel_changes(channel: m.ContactChannel, changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    new: dict[str, Any] = {}
    errors: dict[str, str] = {}
    today = _today()
    for field, value in changes.items():
        problem: Optional[str] = None
        if field == "status":
            if value in v.CHANNEL_STATUSES:
                new[field] = value
            else:
                problem = f"Choose one of: {', '.join(v.CHANNEL_STATUSES)}."
        elif field == "value":
            text, problem = _text(value, 200)
            if not problem and text and channel.kind in DIALLED_KINDS:
                problem = check_phone(text)
            if not problem:
                new[field] = text
        elif field in ("url", "source_url"):
            text, problem = _text(value, 500)
            if not problem and text:
                problem = check_url(text, allow_file=field == "source_url")
            if not problem and not text and field == "source_url":
                problem = "Every channel needs a source: where does this fact come from?"
            if not problem:
                new[field] = text
        elif field == "opening_hours":
            text, problem = _text(value, 500)
            if not problem:
                new[field] = text
        elif field == "timezone":
            text, problem = _text(value, 64)
            if not problem:
                problem = check_opening_hours(None, text or "", channel.holiday_calendar) if text else "Choose a time zone."
            if not problem:
                new[field] = text
        elif field == "holiday_calendar":
            if value in v.HOLIDAY_CALENDARS:
                new[field] = value
            else:
                problem = f"Choose one of: {', '.join(v.HOLIDAY_CALENDARS)}."
        elif field in FLAGS:
            flag, problem = _flag(value)
            if not problem:
                new[field] = flag
        elif field == "verified_on":
            day, problem = _date(value, today)
            if not problem:
                new[field] = day
        elif field == "verified_by":
            text, problem = _text(value, 200)
            if not problem:
                new[field] = text
        else:
            problem = "This field cannot be changed here."
        if problem:
            errors[field] = problem
    errors.update(_channel_rules(channel, new, errors))
    return new, errors


def _channel_rules(channel: m.ContactChannel, new: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, str]:
    """Rules across fields (the same promises `models.check_channel` keeps), with field names."""
    found: dict[str, str] = {}
    after = {**channel_values(channel), **new}
    if after["opening_hours"] and "opening_hours" not in errors:
        timezone = "Europe/Amsterdam" if "timezone" in errors else after["timezone"]
        calendar = "nl" if "holiday_calendar" in errors else after["holiday_calendar"]
        problem = check_opening_hours(after["opening_hours"], timezone, calendar)
        if problem:
            found["opening_hours"] = problem
    if after["status"] != "active":
        return found

    def where(field: str) -> str:
        return field if field in new else "status"

    needs = [
        ("value", "An active channel needs the number or address people use."),
        ("verified_on", "An active channel needs the date it was checked (verified on). "
                        "Check it first, or keep it unverified."),
        ("verified_by", "An active channel needs who checked it, and how (verified by). "
                        "Check it first, or keep it unverified."),
    ]
    if channel.kind not in ("phone", "text_relay"):
        needs.append(("url", f"An active {channel.kind} channel needs its web address (url)."))
    for field, message in needs:
        if not after[field] and field not in errors and where(field) not in found:
            found[where(field)] = message
    return found


# --- saving ----------------------------------------------------------------------------------

def _require(user: Optional[StaffUser], service: m.Service) -> None:
    if not isinstance(user, StaffUser):
        raise PermissionError("changes need a staff account")
    if not can_edit(user, service):
        raise PermissionError(f"{user.username} may not change {service.id}: it belongs to another organisation")


def _save(session: Session, entries: list[AuditEntry], changed_fields: list[str]) -> list[AuditEntry]:
    """Flush (the model checks run once more), then commit; any refusal leaves nothing saved."""
    try:
        session.flush()
    except m.DirectoryError as refused:
        session.rollback()
        field = "status" if "status" in changed_fields else (changed_fields[0] if changed_fields else "status")
        raise FieldErrors({field: str(refused)}) from refused
    session.commit()
    return entries


def _service(session: Session, service_id: str) -> m.Service:
    service = session.get(m.Service, service_id)
    if service is None:
        raise LookupError(f"there is no service {service_id!r}")
    return service


def _channel(session: Session, channel_id: Union[int, str]) -> m.ContactChannel:
    channel = session.get(m.ContactChannel, int(channel_id))
    if channel is None:
        raise LookupError(f"there is no contact channel {channel_id!r}")
    return channel


def _update(
    session: Session, user: Optional[StaffUser], entity: str, target: Any, service: m.Service,
    changes: Mapping[str, Any], reason: str, undoes_id: Optional[int] = None,
) -> list[AuditEntry]:
    _require(user, service)
    assert isinstance(user, StaffUser)
    check: Callable[..., tuple[dict[str, Any], dict[str, str]]]
    values: Callable[[Any], dict[str, Any]]
    if entity == "service":
        check, values, entity_id = _service_changes, service_values, target.id
    else:
        check, values, entity_id = _channel_changes, channel_values, str(target.id)
    new, errors = check(target, changes)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _NEED_REASON
    if errors:
        raise FieldErrors(errors)
    before = values(target)
    changed = {field: value for field, value in new.items() if encode(before.get(field)) != encode(value)}
    if not changed:
        return []
    with session.no_autoflush:
        if entity == "service":
            _apply_service(target, changed)
        else:
            for field, value in changed.items():
                setattr(target, field, value)
    entries = [
        record(session, user.username, entity, entity_id, field, before.get(field), value, reason, undoes_id)
        for field, value in changed.items()
    ]
    return _save(session, entries, list(changed))


def update_service(
    session: Session, user: StaffUser, service_id: str, changes: Mapping[str, Any], reason: str
) -> list[AuditEntry]:
    """Change fields of a service (see SERVICE_FIELDS); all or nothing, audited, committed."""
    service = _service(session, service_id)
    return _update(session, user, "service", service, service, changes, reason)


def update_channel(
    session: Session, user: StaffUser, channel_id: int, changes: Mapping[str, Any], reason: str
) -> list[AuditEntry]:
    """Change fields of a contact channel (see CHANNEL_FIELDS); all or nothing, audited, committed."""
    channel = _channel(session, channel_id)
    return _update(session, user, "contact_channel", channel, channel.service, changes, reason)


def undo(session: Session, user: StaffUser, audit_id: int, reason: str) -> list[AuditEntry]:
    """Put back the old value of one audit entry, as a new entry; refused if the field changed since."""
    entry = session.get(AuditEntry, audit_id)
    if entry is None:
        raise LookupError(f"there is no change {audit_id}")
    if entry.entity == "service":
        target: Any = _service(session, entry.entity_id)
        service, current = target, service_values(target).get(entry.field)
    else:
        target = _channel(session, entry.entity_id)
        service, current = target.service, channel_values(target).get(entry.field)
    _require(user, service)
    if encode(current) != entry.new:
        raise ChangedSince(
            f"{entry.field} was changed again later (it is now {encode(current) or 'empty'}); "
            "undo the later change first, or edit the field directly"
        )
    return _update(session, user, entry.entity, target, service, {entry.field: decode(entry.old)}, reason,
                   undoes_id=entry.id)


# --- verification and freshness --------------------------------------------------------------

def verify_service(
    session: Session, verified_by: Union[str, StaffUser], service_id: str, source_url: str,
    on: Optional[dt.date] = None, reason: str = "verified",
) -> list[AuditEntry]:
    """Record that a service and its channels were checked today (or `on`) against `source_url`.

    Channels still `unverified` are left alone: they lack facts (an address, hours), and
    need their own edit once those are known.
    """
    if isinstance(verified_by, StaffUser):
        _require(verified_by, _service(session, service_id))
        name = verified_by.username
    elif isinstance(verified_by, str) and verified_by.strip():
        name = verified_by.strip()
    else:
        raise PermissionError("say who checked the service (a staff account or a name)")
    service = _service(session, service_id)
    errors: dict[str, str] = {}
    source, problem = _text(source_url, 500)
    problem = problem or (check_url(source, allow_file=True) if source else "Give the source you checked.")
    if problem:
        errors["source_url"] = problem
    day, problem = _date(on or _today(), _today())
    if problem:
        errors["verified_on"] = problem
    if len(name) > 200:
        errors["verified_by"] = "Keep it under 200 characters."
    if not (reason or "").strip():
        errors["reason"] = _NEED_REASON
    if errors:
        raise FieldErrors(errors)
    stamp = {"source_url": source, "verified_on": day, "verified_by": name}
    entries = []
    targets: list[tuple[str, str, Any]] = [("service", service.id, service)]
    targets += [("contact_channel", str(c.id), c) for c in service.channels if c.status != "unverified"]
    with session.no_autoflush:
        for entity, entity_id, target in targets:
            for field, value in stamp.items():
                old = getattr(target, field)
                if encode(old) != encode(value):
                    setattr(target, field, value)
                    entries.append(record(session, name, entity, entity_id, field, old, value, reason.strip()))
    return _save(session, entries, ["verified_on"])


def stale(session: Session, today: dt.date, max_age_days: int = 90) -> list[tuple[str, Optional[dt.date]]]:
    """(service id, verified_on) for every service and active channel not checked in `max_age_days`.

    Inactive services are history and left out; so are unverified channels, which are never
    shown. One row per stale service or channel, oldest first (never verified before all).
    """
    cutoff = today - dt.timedelta(days=max_age_days)
    found: list[tuple[str, Optional[dt.date]]] = []
    for service in session.scalars(select(m.Service).where(m.Service.status != "inactive")):
        if service.verified_on is None or service.verified_on < cutoff:
            found.append((service.id, service.verified_on))
        for channel in service.channels:
            if channel.status == "active" and (channel.verified_on is None or channel.verified_on < cutoff):
                found.append((service.id, channel.verified_on))
    return sorted(found, key=lambda row: (row[1] or dt.date.min, row[0]))
