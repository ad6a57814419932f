"""Staff accounts: who may change the directory, and which part of it.

These are accounts of helpline staff, never of people seeking help. An administrator may
change everything and manage accounts; an editor only the services of their own
organisations. Passwords are stored as argon2 hashes only. Functions here flush; the caller
commits (one transaction per form or command).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Optional, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from helplines.models import Base, Organization, Service

ROLES = ("administrator", "editor")
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so a wrong name costs as long as a wrong password."""
    return _hasher.hash("not anyone's password")


class AccountError(ValueError):
    """An account that cannot be created or changed; the message says why."""


class StaffOrganisation(Base):
    """An organisation whose services an editor may change."""

    __tablename__ = "staff_organisation"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True)


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: dt.datetime.now(dt.timezone.utc)
    )
    organisation_links: Mapped[list[StaffOrganisation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=StaffOrganisation.organization_id
    )

    @property
    def organisations(self) -> list[str]:
        """Ids of the organisations this account is linked to (editors edit only these)."""
        return [link.organization_id for link in self.organisation_links]

    @property
    def is_administrator(self) -> bool:
        return self.role == "administrator"

    def __repr__(self) -> str:
        return f"StaffUser({self.username!r}, {self.role})"


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters; a short sentence works well")


def _organisation_links(session: Session, organisations: Sequence[str]) -> list[StaffOrganisation]:
    wanted = list(dict.fromkeys(o.strip() for o in organisations if o and o.strip()))
    known = set(session.scalars(select(Organization.id).where(Organization.id.in_(wanted))))
    unknown = [o for o in wanted if o not in known]
    if unknown:
        raise AccountError(f"unknown organisation {', '.join(unknown)}")
    return [StaffOrganisation(organization_id=o) for o in wanted]


def create_user(
    session: Session, username: str, password: str, role: str, organisations: Sequence[str] = ()
) -> StaffUser:
    """A new active account with an argon2 password hash (flushed, not committed)."""
    username = (username or "").strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("a user name needs 1 to 64 characters and no spaces")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose {' or '.join(ROLES)}")
    _check_password(password)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise AccountError(f"the user name {username!r} is taken")
    links = _organisation_links(session, organisations)
    if role == "editor" and not links:
        raise AccountError("an editor needs at least one organisation whose services they keep right")
    user = StaffUser(username=username, password_hash=_hasher.hash(password), role=role, active=True)
    user.organisation_links = links
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> Optional[StaffUser]:
    """The active account with this name and password, else None (whatever was wrong)."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == (username or "").strip()))
    if user is None or not user.active:
        try:
            _hasher.verify(_dummy_hash(), password or "")
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.flush()
    return user


def set_password(session: Session, user: StaffUser, password: str) -> None:
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    session.flush()


def set_organisations(session: Session, user: StaffUser, organisations: Sequence[str]) -> None:
    """Replace the organisations an account is linked to."""
    links = _organisation_links(session, organisations)
    if user.role == "editor" and not links:
        raise AccountError("an editor needs at least one organisation; deactivate the account instead")
    current = {link.organization_id: link for link in user.organisation_links}
    user.organisation_links = [current.get(link.organization_id, link) for link in links]
    session.flush()


def can_edit(user: Optional[StaffUser], service: Service) -> bool:
    """Administrators edit everything; editors only the services of their organisations."""
    if user is None or not user.active:
        return False
    return user.is_administrator or service.organization_id in user.organisations
