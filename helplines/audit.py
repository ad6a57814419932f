"""The audit trail: who changed which field of the directory, when, from what to what, and why.

One row per changed field, so any single change can be read on its own and undone. Values
are stored as JSON text (`"0800-2000"`, `["en", "nl"]`, `null`), whatever their type.
The username is copied, not linked: history stays readable after an account is removed.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from helplines.models import Base

ENTITIES = ("service", "contact_channel")


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.timezone.utc))
    username: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(32), index=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(64))
    old: Mapped[Optional[str]] = mapped_column(Text)
    new: Mapped[Optional[str]] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    #: The entry this one reverted, when it was made by `editing.undo`.
    undoes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("audit_entry.id"))

    @property
    def old_value(self) -> Any:
        return decode(self.old)

    @property
    def new_value(self) -> Any:
        return decode(self.new)

    def __repr__(self) -> str:
        return f"AuditEntry({self.id}, {self.entity} {self.entity_id} {self.field}: {self.old} -> {self.new})"


def encode(value: Any) -> Optional[str]:
    """JSON for any field value (None stays NULL); dates as YYYY-MM-DD, sets as sorted lists."""
    if value is None:
        return None
    if isinstance(value, (set, frozenset, tuple)):
        value = sorted(value)
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def decode(text: Optional[str]) -> Any:
    return None if text is None else json.loads(text)


def record(
    session: Session, username: str, entity: str, entity_id: str, field: str, old: Any, new: Any,
    reason: str, undoes_id: Optional[int] = None,
) -> AuditEntry:
    """Add one entry to the session (committed with the change it describes)."""
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}")
    entry = AuditEntry(
        at=dt.datetime.now(dt.timezone.utc), username=username, entity=entity, entity_id=str(entity_id),
        field=field, old=encode(old), new=encode(new), reason=reason, undoes_id=undoes_id,
    )
    session.add(entry)
    return entry


def history(
    session: Session, entity: Optional[str] = None, entity_id: Optional[str] = None, limit: int = 100
) -> list[AuditEntry]:
    """Entries newest first, optionally for one entity kind or one entry."""
    query = select(AuditEntry)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    return list(session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))
