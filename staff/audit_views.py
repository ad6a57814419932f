"""The audit trail: who changed what, when, from what to what, and why; each change can be undone."""
from __future__ import annotations

import json
from typing import Optional

from flask import Flask, abort, flash, redirect, render_template, request, url_for

from helplines import models as m
from helplines.accounts import can_edit
from helplines.audit import AuditEntry, history
from helplines.editing import undo
from helplines.validation import FieldErrors
from staff.auth import current_user, db

LIMIT = 200


def shown(value: Optional[str]) -> str:
    """A stored JSON value as staff read it: lists joined, nothing as a dash."""
    if value is None:
        return "—"
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError):
        return value
    if decoded is None or decoded == "":
        return "—"
    if isinstance(decoded, list):
        return ", ".join(str(item) for item in decoded) or "—"
    if isinstance(decoded, bool):
        return "yes" if decoded else "no"
    return str(decoded)


def owning_service(entry: AuditEntry) -> Optional[m.Service]:
    if entry.entity == "service":
        return db().get(m.Service, entry.entity_id)
    if entry.entity == "contact_channel" and entry.entity_id.isdigit():
        channel = db().get(m.ContactChannel, int(entry.entity_id))
        return channel.service if channel is not None else None
    return None


def may_see(entry: AuditEntry) -> bool:
    user = current_user()
    if user.role == "administrator":
        return True
    service = owning_service(entry)
    return service is not None and can_edit(user, service)


def audit_page():  # type: ignore[no-untyped-def]
    entity = request.args.get("entity") or None
    entity_id = request.args.get("entity_id") or None
    entries = [e for e in history(db(), entity, entity_id, limit=LIMIT) if may_see(e)]
    return render_template("audit.html", entries=entries, shown=shown, owning_service=owning_service)


def undo_entry(audit_id: int):  # type: ignore[no-untyped-def]
    entry = db().get(AuditEntry, audit_id)
    if entry is None:
        abort(404)
    if not may_see(entry):
        abort(403)
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash(f"Say why you undo change {audit_id}; nothing was undone.", "error")
        return redirect(url_for("audit_page"))
    try:
        undo(db(), current_user(), audit_id, reason)
    except PermissionError:
        abort(403)
    except (FieldErrors, ValueError) as refused:
        db().rollback()
        details = "; ".join(refused.errors.values()) if isinstance(refused, FieldErrors) else str(refused)
        flash(f"Change {audit_id} was not undone: {details}", "error")
    else:
        flash(f"Change {audit_id} was undone. The bot uses the old value from its next answer.")
    return redirect(url_for("audit_page"))


def init(app: Flask) -> None:
    app.add_url_rule("/audit", "audit_page", audit_page)
    app.add_url_rule("/audit/<int:audit_id>/undo", "undo_entry", undo_entry, methods=["POST"])
