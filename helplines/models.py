"""The directory schema (SQLAlchemy 2 ORM), in Open Referral HSDS 3 words where they fit.

HSDS gaps we fill: a contact *channel* (not only `phone`) with its own schedule in a named
time zone written as OSM `opening_hours`; flags that matter to someone whose partner reads
the phone bill; verification on every fact; shelters without any address at all (there is
no address column, and a shelter may have no channel of its own: it is reached through an
intake service).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    event,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, validates

from helplines import vocabulary as v
from helplines.availability import validate_schedule

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class DirectoryError(ValueError):
    """A directory entry that would break a promise (no source, a shelter address, ...)."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _check(value: Optional[str], allowed: tuple[str, ...], field: str) -> Optional[str]:
    if value is not None and value not in allowed:
        raise DirectoryError(f"{field}: {value!r} is not one of {', '.join(allowed)}")
    return value


class Verified:
    """Where a fact comes from, when it was checked and by whom (HSDS `metadata`/`assured_date`)."""

    source_url: Mapped[str] = mapped_column(String(500))
    source_note: Mapped[Optional[str]] = mapped_column(Text)
    verified_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    verified_by: Mapped[Optional[str]] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class DirectoryMeta(Base):
    """One row whose `version` the database triggers raise on every directory change."""

    __tablename__ = "directory_meta"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    services: Mapped[list["Service"]] = relationship(back_populates="organization")


class Service(Verified, Base):
    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="helpline")
    status: Mapped[str] = mapped_column(String(32), default="unverified")
    #: Lower comes first among equally good matches; staff tune order with it.
    priority: Mapped[int] = mapped_column(Integer, default=100)
    #: Shelters: the service that does the intake (a shelter's location is never shown).
    intake_via_id: Mapped[Optional[str]] = mapped_column(ForeignKey("service.id"))

    organization: Mapped[Organization] = relationship(back_populates="services")
    intake_via: Mapped[Optional["Service"]] = relationship(remote_side="Service.id")
    texts: Mapped[list["ServiceText"]] = relationship(cascade="all, delete-orphan")
    topics: Mapped[list["ServiceTopic"]] = relationship(cascade="all, delete-orphan")
    audiences: Mapped[list["ServiceAudience"]] = relationship(cascade="all, delete-orphan")
    areas: Mapped[list["ServiceArea"]] = relationship(cascade="all, delete-orphan")
    capabilities: Mapped[list["ServiceCapability"]] = relationship(cascade="all, delete-orphan")
    statements: Mapped[list["ServiceStatement"]] = relationship(
        cascade="all, delete-orphan", order_by="ServiceStatement.position"
    )
    channels: Mapped[list["ContactChannel"]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ContactChannel.position"
    )
    languages: Mapped[list["ServiceLanguage"]] = relationship(
        cascade="all, delete-orphan", order_by="ServiceLanguage.language"
    )

    @validates("kind")
    def _kind(self, _key: str, value: str) -> str:
        return _check(value, v.SERVICE_KINDS, "service.kind")  # type: ignore[return-value]

    @validates("status")
    def _status(self, _key: str, value: str) -> str:
        return _check(value, v.SERVICE_STATUSES, "service.status")  # type: ignore[return-value]

    @validates("channels")
    def _channel(self, _key: str, channel: "ContactChannel") -> "ContactChannel":
        if self.kind == "shelter":
            raise DirectoryError(
                f"{self.id}: a shelter has no contact channel of its own; it is reached through its intake service"
            )
        return channel


class ServiceText(Base):
    """Name, description and alert in one language (HSDS `language`)."""

    __tablename__ = "service_text"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[Optional[str]] = mapped_column(Text)
    alert: Mapped[Optional[str]] = mapped_column(Text)


class ServiceLanguage(Base):
    """A language in which people can contact the service (HSDS `language`), as a Babel code."""

    __tablename__ = "service_language"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)

    @validates("language")
    def _language(self, _key: str, value: str) -> str:
        from helplines.validation import check_language  # validation builds on this module

        problem = check_language(value)
        if problem:
            raise DirectoryError(f"language: {problem}")
        return value


class ServiceTopic(Base):
    __tablename__ = "service_topic"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), primary_key=True)

    @validates("topic")
    def _topic(self, _key: str, value: str) -> str:
        return _check(value, v.TOPICS, "topic")  # type: ignore[return-value]


class ServiceAudience(Base):
    __tablename__ = "service_audience"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(32), primary_key=True)

    @validates("audience")
    def _audience(self, _key: str, value: str) -> str:
        return _check(value, v.AUDIENCES, "audience")  # type: ignore[return-value]


class ServiceArea(Base):
    """HSDS `service_area`: where a service helps."""

    __tablename__ = "service_area"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)


class ServiceCapability(Base):
    __tablename__ = "service_capability"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    capability: Mapped[str] = mapped_column(String(64), primary_key=True)

    @validates("capability")
    def _capability(self, _key: str, value: str) -> str:
        return _check(value, v.CAPABILITIES, "capability")  # type: ignore[return-value]


class ServiceStatement(Base):
    """A vetted "what happens" sentence, by code; its words live in gettext (`warm_referral.py`)."""

    __tablename__ = "service_statement"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    statement: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ContactChannel(Verified, Base):
    """HSDS `phone` widened to every way of contact, with its own `schedule`."""

    __tablename__ = "contact_channel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), default="unverified")
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: What a person dials or reads ("0800-2000", "113.nl"); None only while unverified.
    value: Mapped[Optional[str]] = mapped_column(String(200))
    url: Mapped[Optional[str]] = mapped_column(String(500))
    #: OSM opening_hours; None means we do not know the hours.
    opening_hours: Mapped[Optional[str]] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    #: Whose public holidays `PH` means: an area code from `vocabulary.HOLIDAY_CALENDARS`.
    holiday_calendar: Mapped[str] = mapped_column(String(32), default="nl")
    free: Mapped[Optional[bool]] = mapped_column(Boolean)
    anonymous: Mapped[Optional[bool]] = mapped_column(Boolean)
    on_phone_bill: Mapped[Optional[bool]] = mapped_column(Boolean)
    takes_report: Mapped[Optional[bool]] = mapped_column(Boolean)

    service: Mapped[Service] = relationship(back_populates="channels")

    @validates("kind")
    def _kind(self, _key: str, value: str) -> str:
        return _check(value, v.CHANNEL_KINDS, "channel.kind")  # type: ignore[return-value]

    @validates("status")
    def _status(self, _key: str, value: str) -> str:
        return _check(value, v.CHANNEL_STATUSES, "channel.status")  # type: ignore[return-value]

    @validates("holiday_calendar")
    def _calendar(self, _key: str, value: str) -> str:
        return _check(value, tuple(v.HOLIDAY_CALENDARS), "channel.holiday_calendar")  # type: ignore[return-value]

    @validates("source_url")
    def _source(self, _key: str, value: Optional[str]) -> str:
        if not value or not value.strip():
            raise DirectoryError("a contact channel needs a source_url: never store a number without a source")
        return value


#: Tables whose changes raise `directory_meta.version` (see the initial migration).
VERSIONED_TABLES = (
    "organization",
    "service",
    "service_text",
    "service_topic",
    "service_audience",
    "service_area",
    "service_capability",
    "service_statement",
    "contact_channel",
    "service_language",
)


def check_service(service: Service) -> None:
    """Refuse what would break a promise, whichever tool writes (seed loader or staff)."""
    if service.kind == "shelter":
        if service.channels:
            raise DirectoryError(f"{service.id}: a shelter is reached through its intake service, not directly")
        if not (service.intake_via_id or service.intake_via):
            raise DirectoryError(f"{service.id}: a shelter needs intake_via (for example Veilig Thuis)")
    if service.status in ("active", "temporarily_closed"):
        _check_verified(service, service.id)
    for channel in service.channels:
        check_channel(channel, service.id)


def check_channel(channel: ContactChannel, owner: str) -> None:
    if not channel.source_url:
        raise DirectoryError(f"{owner}: a {channel.kind} channel needs a source_url")
    if channel.status == "active":
        _check_verified(channel, f"{owner} {channel.kind}")
        if not channel.value:
            raise DirectoryError(f"{owner}: an active {channel.kind} channel needs a value")
        if channel.kind not in ("phone", "text_relay") and not channel.url:
            raise DirectoryError(f"{owner}: an active {channel.kind} channel needs a url")
    try:
        validate_schedule(channel.opening_hours, channel.timezone or "Europe/Amsterdam", channel.holiday_calendar or "nl")
    except ValueError as error:
        raise DirectoryError(f"{owner} {channel.kind}: {error}") from error


def _check_verified(entry: Verified, owner: str) -> None:
    missing = [f for f in ("source_url", "verified_on", "verified_by") if not getattr(entry, f)]
    if missing:
        raise DirectoryError(f"{owner}: verified entries need {', '.join(missing)}; else store them as unverified")


@event.listens_for(Session, "before_flush")
def _validate_before_flush(session: Session, _context: object, _instances: object) -> None:
    services = {o for o in (*session.new, *session.dirty) if isinstance(o, Service)}
    services |= {o.service for o in (*session.new, *session.dirty) if isinstance(o, ContactChannel) and o.service}
    for service in services:
        check_service(service)
