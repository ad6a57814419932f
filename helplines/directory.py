"""The directory as routing sees it: an immutable in-memory snapshot of the database.

Each `route()` asks the database one cheap question (`directory_meta.version`, raised by
triggers on every change) and rebuilds the snapshot only when staff changed something. So
routing stays well under a millisecond, and an edit shows up on the next call, no restart.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping, Optional

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from helplines import models as m
from helplines.database import make_engine, upgrade
from helplines.i18n import SOURCE_LANGUAGE, base_language

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelRecord:
    kind: str
    value: str
    url: Optional[str]
    opening_hours: Optional[str]
    timezone: str
    holiday_calendar: str
    free: Optional[bool] = None
    anonymous: Optional[bool] = None
    on_phone_bill: Optional[bool] = None
    takes_report: Optional[bool] = None


@dataclass(frozen=True)
class ServiceRecord:
    id: str
    kind: str
    status: str
    priority: int
    names: Mapping[str, str]
    alerts: Mapping[str, str]
    topics: frozenset[str]
    audiences: frozenset[str]
    areas: frozenset[str]
    capabilities: frozenset[str]
    statements: tuple[str, ...]
    channels: tuple[ChannelRecord, ...]
    intake_via: Optional[str] = None

    def name(self, language: str) -> str:
        return _in_language(self.names, language) or self.id

    def alert(self, language: str) -> Optional[str]:
        return _in_language(self.alerts, language)

    @property
    def recommendable(self) -> bool:
        """Active and reachable: unverified, closed or channel-less entries are never offered."""
        return self.status == "active" and (bool(self.channels) or self.kind == "shelter")


def _in_language(texts: Mapping[str, str], language: str) -> Optional[str]:
    return texts.get(language) or texts.get(base_language(language)) or texts.get(SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Snapshot:
    """One consistent, immutable view of the directory; safe to share across threads."""

    version: int
    services: tuple[ServiceRecord, ...]
    by_id: Mapping[str, ServiceRecord] = field(init=False, repr=False, compare=False)
    recommendable: tuple[ServiceRecord, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({s.id: s for s in self.services}))
        object.__setattr__(self, "recommendable", tuple(s for s in self.services if s.recommendable))

    def get(self, service_id: Optional[str]) -> Optional[ServiceRecord]:
        return self.by_id.get(service_id) if service_id else None

    def with_capability(self, capability: str, area: Optional[str] = None) -> list[ServiceRecord]:
        """Recommendable services with `capability`, covering `area` when given, best first."""
        found = [
            s
            for s in self.recommendable
            if capability in s.capabilities and (area is None or area in s.areas)
        ]
        return sorted(found, key=lambda s: (s.priority, s.id))


def _record(service: m.Service) -> ServiceRecord:
    channels = tuple(
        ChannelRecord(
            kind=c.kind,
            value=c.value or "",
            url=c.url,
            opening_hours=c.opening_hours,
            timezone=c.timezone,
            holiday_calendar=c.holiday_calendar,
            free=c.free,
            anonymous=c.anonymous,
            on_phone_bill=c.on_phone_bill,
            takes_report=c.takes_report,
        )
        for c in sorted(service.channels, key=lambda c: (c.position, c.id))
        if c.status == "active" and c.value
    )
    return ServiceRecord(
        id=service.id,
        kind=service.kind,
        status=service.status,
        priority=service.priority,
        names={t.language: t.name for t in service.texts},
        alerts={t.language: t.alert for t in service.texts if t.alert},
        topics=frozenset(t.topic for t in service.topics),
        audiences=frozenset(a.audience for a in service.audiences),
        areas=frozenset(a.area for a in service.areas),
        capabilities=frozenset(c.capability for c in service.capabilities),
        statements=tuple(s.statement for s in sorted(service.statements, key=lambda s: s.position)),
        channels=channels,
        intake_via=service.intake_via_id,
    )


class Directory:
    """The helpline directory: shared by threads, cheap to query, fresh after every edit."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self._snapshot: Optional[Snapshot] = None
        self._lock = threading.Lock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction for staff tools and tests; commits on success."""
        with self.sessions.begin() as session:
            yield session

    def version(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT version FROM directory_meta WHERE id = 1").scalar_one())

    def snapshot(self) -> Snapshot:
        """The current directory; rebuilt only when `directory_meta.version` moved.

        If the database cannot be reached, the last snapshot is used: a referral from data a
        few minutes old is safer than none.
        """
        current = self._snapshot
        try:
            version = self.version()
        except SQLAlchemyError:
            if current is None:
                raise
            logger.warning("helpline directory unreachable; routing on the last snapshot (version %s)", current.version)
            return current
        if current is not None and current.version == version:
            return current
        with self._lock:
            current = self._snapshot
            if current is None or current.version != version:
                current = self._load()
                self._snapshot = current
            return current

    def _load(self) -> Snapshot:
        with self.sessions() as session, session.begin():
            version = int(session.execute(text("SELECT version FROM directory_meta WHERE id = 1")).scalar_one())
            services = session.scalars(
                select(m.Service).options(
                    selectinload(m.Service.texts),
                    selectinload(m.Service.topics),
                    selectinload(m.Service.audiences),
                    selectinload(m.Service.areas),
                    selectinload(m.Service.capabilities),
                    selectinload(m.Service.statements),
                    selectinload(m.Service.channels),
                )
            ).all()
            return Snapshot(version=version, services=tuple(_record(s) for s in services))

    def is_empty(self) -> bool:
        with self.sessions() as session:
            return session.scalar(select(m.Service.id).limit(1)) is None

    def dispose(self) -> None:
        self.engine.dispose()


def open_directory(database_url: Optional[str] = None, seed_path: Optional[str] = None) -> Directory:
    """Migrate to the newest schema, fill an empty database from the seed, return the directory."""
    from helplines.seed import DEFAULT_SEED, load_seed

    upgrade(database_url)
    directory = Directory(make_engine(database_url))
    if directory.is_empty():
        try:
            with directory.session() as session:
                load_seed(session, seed_path or DEFAULT_SEED)
        except IntegrityError:
            if directory.is_empty():
                raise
    return directory
