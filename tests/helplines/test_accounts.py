"""Staff accounts: argon2 passwords, two roles, editors kept to their own organisations."""
from __future__ import annotations

import pytest

from helplines import models as m
from helplines import accounts
from helplines.accounts import (
    AccountError,
    StaffUser,
    authenticate,
    can_edit,
    create_user,
    set_organisations,
    set_password,
)

PASSWORD = "een lange zin als wachtwoord"


@pytest.fixture
def fresh_directory(fresh_directory_each_database):  # type: ignore[no-untyped-def]
    """Every test here runs on SQLite and on PostgreSQL."""
    return fresh_directory_each_database


@pytest.fixture
def session(fresh_directory):  # type: ignore[no-untyped-def]
    with fresh_directory.sessions() as session:
        yield session


def test_password_is_stored_only_as_an_argon2_hash(session) -> None:
    user = create_user(session, "anna", PASSWORD, "editor", ["veilig_thuis"])
    session.commit()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.organisations == ["veilig_thuis"] and user.active


def test_log_in_only_with_the_right_password_of_an_active_account(session) -> None:
    create_user(session, "anna", PASSWORD, "administrator")
    assert authenticate(session, "anna", PASSWORD).username == "anna"
    assert authenticate(session, "anna", PASSWORD + "x") is None
    assert authenticate(session, "bert", PASSWORD) is None
    session.get(StaffUser, authenticate(session, "anna", PASSWORD).id).active = False
    assert authenticate(session, "anna", PASSWORD) is None


def test_unknown_names_cost_a_hash_check_too(session, monkeypatch) -> None:
    """Otherwise a quick 'no' would tell an attacker which user names exist."""
    create_user(session, "anna", PASSWORD, "administrator")
    checks: list[str] = []
    real = accounts._hasher

    class CountingHasher:
        def verify(self, hash: str, password: str) -> bool:
            checks.append(hash)
            return real.verify(hash, password)

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    authenticate(session, "nobody", PASSWORD)
    authenticate(session, "anna", "wrong password here")
    assert len(checks) == 2 and all(h.startswith("$argon2id$") for h in checks)


@pytest.mark.parametrize(
    "username, password, role, organisations, says",
    [
        ("anna", "short", "editor", ["veilig_thuis"], "at least 12"),
        ("anna", PASSWORD, "superuser", [], "unknown role"),
        ("anna", PASSWORD, "editor", ["no_such_org"], "unknown organisation"),
        ("anna", PASSWORD, "editor", [], "at least one organisation"),
        ("an na", PASSWORD, "administrator", [], "no spaces"),
        ("", PASSWORD, "administrator", [], "user name"),
    ],
)
def test_accounts_that_are_refused(session, username, password, role, organisations, says) -> None:
    with pytest.raises(AccountError, match=says):
        create_user(session, username, password, role, organisations)


def test_user_names_are_unique(session) -> None:
    create_user(session, "anna", PASSWORD, "administrator")
    with pytest.raises(AccountError, match="taken"):
        create_user(session, "anna", PASSWORD + "!", "editor", ["csg"])


def test_a_new_password_replaces_the_old(session) -> None:
    user = create_user(session, "anna", PASSWORD, "administrator")
    set_password(session, user, "een ander lang wachtwoord")
    assert authenticate(session, "anna", PASSWORD) is None
    assert authenticate(session, "anna", "een ander lang wachtwoord") is user
    with pytest.raises(AccountError):
        set_password(session, user, "kort")


def test_who_may_edit_what(session) -> None:
    admin = create_user(session, "admin", PASSWORD, "administrator")
    editor = create_user(session, "vt", PASSWORD, "editor", ["veilig_thuis", "csg"])
    veilig_thuis = session.get(m.Service, "veilig_thuis")
    csg = session.get(m.Service, "centrum_seksueel_geweld")
    police = session.get(m.Service, "politie")
    assert can_edit(admin, police) and can_edit(admin, veilig_thuis)
    assert can_edit(editor, veilig_thuis) and can_edit(editor, csg)
    assert not can_edit(editor, police)
    assert not can_edit(None, police)
    editor.active = False
    assert not can_edit(editor, veilig_thuis)


def test_organisations_can_be_reassigned(session) -> None:
    editor = create_user(session, "vt", PASSWORD, "editor", ["veilig_thuis"])
    set_organisations(session, editor, ["politie", "veilig_thuis"])
    session.commit()
    assert editor.organisations == ["politie", "veilig_thuis"]
    assert can_edit(editor, session.get(m.Service, "politie"))
    with pytest.raises(AccountError, match="unknown organisation"):
        set_organisations(session, editor, ["nope"])
    with pytest.raises(AccountError, match="at least one"):
        set_organisations(session, editor, [])
    session.rollback()
    assert session.get(StaffUser, editor.id).organisations == ["politie", "veilig_thuis"]
