"""From submitted HTML forms to the `changes` that `helplines.editing` takes, and back.

Only fields whose value differs from the stored one are passed on, so the audit trail holds
real changes. Values go on as typed (a priority or a date as text): `helplines.editing`
checks them all at once, so staff see every problem in one go.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from werkzeug.datastructures import MultiDict

TEXT_PARTS = ("name", "description", "alert")
LIST_FIELDS = ("topics", "audiences", "areas", "languages")
FLAGS = ("free", "anonymous", "on_phone_bill", "takes_report")
NEW_LANGUAGE = "new_language"


def _text(form: MultiDict, key: str) -> Optional[str]:
    value = form.get(key, "").strip()
    return value or None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple, set, frozenset)) or isinstance(b, (list, tuple, set, frozenset)):
        return sorted(a or ()) == sorted(b or ())
    return (None if a in (None, "") else str(a)) == (None if b in (None, "") else str(b))


def changed(parsed: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in parsed.items() if not _same(value, current.get(key))}


def text_languages(values: Mapping[str, Any]) -> list[str]:
    """Languages that have a name, description or alert, Dutch first."""
    found = {key.split(".", 1)[1] for key in values if key.split(".", 1)[0] in TEXT_PARTS and "." in key}
    return sorted(found, key=lambda code: (code != "nl", code != "en", code))


def split_languages(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text.strip()) if code]


def parse_service(form: MultiDict, current: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of the service form that differ from `current`."""
    parsed: dict[str, Any] = {"status": form.get("status", ""), "priority": form.get("priority", "").strip()}
    for language in text_languages(current):
        for part in TEXT_PARTS:
            parsed[f"{part}.{language}"] = _text(form, f"{part}.{language}")
    new_language = (_text(form, NEW_LANGUAGE) or "").lower()
    if new_language:
        for part in TEXT_PARTS:
            if _text(form, f"new_{part}"):
                parsed[f"{part}.{new_language}"] = _text(form, f"new_{part}")
    for field in ("topics", "audiences", "areas"):
        parsed[field] = sorted(form.getlist(field))
    parsed["languages"] = split_languages(form.get("languages", ""))
    return changed(parsed, current)


def parse_channel(form: MultiDict, current: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a contact channel's form that differ from `current`."""
    parsed: dict[str, Any] = {"status": form.get("status", "")}
    for field in ("value", "url", "opening_hours", "source_url", "verified_by", "verified_on"):
        parsed[field] = _text(form, field)
    parsed["timezone"] = form.get("timezone", "").strip()
    parsed["holiday_calendar"] = form.get("holiday_calendar", "")
    for flag in FLAGS:
        parsed[flag] = {"yes": True, "no": False}.get(form.get(flag, ""))
    return changed(parsed, current)


def service_form_values(current: Mapping[str, Any], form: Optional[MultiDict] = None) -> dict[str, Any]:
    """What the form shows: the submitted values after a refusal, else the stored ones."""
    if form is None:
        values = dict(current)
        values["languages"] = ", ".join(current.get("languages") or ())
        return values
    values = {key: form.get(key, "") for key in form}
    for field in ("topics", "audiences", "areas"):
        values[field] = form.getlist(field)
    return values


def channel_form_values(current: Mapping[str, Any], form: Optional[MultiDict] = None) -> dict[str, Any]:
    if form is not None:
        return {key: form.get(key, "") for key in form}
    values = {key: ("" if value is None else value) for key, value in current.items()}
    for flag in FLAGS:
        values[flag] = {True: "yes", False: "no"}.get(current.get(flag), "")
    values["verified_on"] = str(current.get("verified_on") or "")
    return values
