"""Services and their contact channels: the list a user may edit, the edit forms, the preview.

Every save goes through `helplines.editing`, which checks the role again, validates every
field (nothing is saved unless all are right), writes the audit trail and commits. The
directory's version triggers then make the bot use the change on its next answer.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from helplines import models as m
from helplines import vocabulary as v
from helplines.accounts import can_edit
from helplines.audit import history
from helplines.editing import channel_values, service_values, update_channel, update_service
from helplines.validation import FieldErrors
from staff import forms
from staff.auth import current_user, db
from staff.preview import preview

COMMON_TIME_ZONES = ("Europe/Amsterdam", "America/Kralendijk")
RECENT_CHANGES = 10


def _service_or_abort(service_id: str) -> m.Service:
    service = db().get(m.Service, service_id)
    if service is None:
        abort(404)
    if not can_edit(current_user(), service):
        abort(403)
    return service


def _channel_or_abort(channel_id: int) -> m.ContactChannel:
    channel = db().get(m.ContactChannel, channel_id)
    if channel is None:
        abort(404)
    if not can_edit(current_user(), channel.service):
        abort(403)
    return channel


def service_name(service: m.Service) -> str:
    names = {t.language: t.name for t in service.texts}
    return names.get("nl") or names.get("en") or service.id


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _saved(entries: list[Any]) -> None:
    flash(f"Saved {len(entries)} change{'s' if len(entries) != 1 else ''}. The bot uses it from its next answer.")


def services():  # type: ignore[no-untyped-def]
    editable = [s for s in db().scalars(select(m.Service).order_by(m.Service.id)) if can_edit(current_user(), s)]
    return render_template("services.html", services=editable, service_name=service_name)


def service_page(service_id: str):  # type: ignore[no-untyped-def]
    service = _service_or_abort(service_id)
    current = service_values(service)
    errors: dict[str, str] = {}
    form = None
    if request.method == "POST":
        form = request.form
        changes = forms.parse_service(form, current)
        if not changes:
            flash("Nothing changed, so nothing was saved.")
            return redirect(url_for("service_page", service_id=service_id))
        try:
            entries = update_service(db(), current_user(), service_id, changes, form.get("reason", ""))
        except PermissionError:
            abort(403)
        except FieldErrors as refused:
            db().rollback()
            errors = _place_new_language_errors(dict(refused.errors), form)
        else:
            _saved(entries)
            return redirect(url_for("service_page", service_id=service_id))
    return render_template(
        "service.html",
        service=service,
        name=service_name(service),
        values=forms.service_form_values(current, form),
        languages=forms.text_languages(current),
        errors=errors,
        vocabulary=v,
        recent=history(db(), "service", service.id, limit=RECENT_CHANGES),
    ), (400 if errors else 200)


def _place_new_language_errors(errors: dict[str, str], form: Any) -> dict[str, str]:
    """Errors on `name.xx` for a language being added belong next to the 'add a language' fields."""
    code = (form.get(forms.NEW_LANGUAGE) or "").strip().lower()
    placed = dict(errors)
    if code:
        for part in forms.TEXT_PARTS:
            if f"{part}.{code}" in placed and f"{part}.{code}" not in form:
                placed[f"new_{part}"] = placed.pop(f"{part}.{code}")
        if "language" in placed:
            placed[forms.NEW_LANGUAGE] = placed.pop("language")
    return placed


def channel_page(channel_id: int):  # type: ignore[no-untyped-def]
    channel = _channel_or_abort(channel_id)
    current = channel_values(channel)
    errors: dict[str, str] = {}
    form = None
    if request.method == "POST":
        form = request.form
        if "preview" not in form:
            changes = forms.parse_channel(form, current)
            if not changes:
                flash("Nothing changed, so nothing was saved.")
                return redirect(url_for("channel_page", channel_id=channel_id))
            try:
                entries = update_channel(db(), current_user(), channel_id, changes, form.get("reason", ""))
            except PermissionError:
                abort(403)
            except FieldErrors as refused:
                db().rollback()
                errors = dict(refused.errors)
            else:
                _saved(entries)
                return redirect(url_for("channel_page", channel_id=channel_id))
    values = forms.channel_form_values(current, form)
    return render_template(
        "channel.html",
        channel=channel,
        service=channel.service,
        name=service_name(channel.service),
        values=values,
        errors=errors,
        vocabulary=v,
        time_zones=COMMON_TIME_ZONES,
        calendars=[(code, code.replace('_', ' ')) for code in v.HOLIDAY_CALENDARS],
        preview=_preview_of(values),
        recent=history(db(), "contact_channel", str(channel.id), limit=RECENT_CHANGES),
    ), (400 if errors else 200)


def _preview_of(values: Any):  # type: ignore[no-untyped-def]
    return preview(values.get("opening_hours") or None, values.get("timezone") or "Europe/Amsterdam",
                   values.get("holiday_calendar") or "nl", _now())


def preview_fragment():  # type: ignore[no-untyped-def]
    """The preview alone, for the small script that refreshes it while staff type."""
    return render_template("_preview.html", preview=_preview_of(request.args))


def init(app: Flask) -> None:
    app.add_url_rule("/services", "services", services)
    app.add_url_rule("/services/<service_id>", "service_page", service_page, methods=["GET", "POST"])
    app.add_url_rule("/channels/<int:channel_id>", "channel_page", channel_page, methods=["GET", "POST"])
    app.add_url_rule("/preview", "preview", preview_fragment)
