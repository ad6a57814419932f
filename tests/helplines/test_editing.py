"""Staff edits: all or nothing, every bad field named, audited, undoable, live on the next answer."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from frozen_times import SATURDAY_NIGHT, TUESDAY_MORNING
from helplines import Answers, route
from helplines import models as m
from helplines.accounts import create_user
from helplines.audit import AuditEntry, history
from helplines.editing import (
    ChangedSince,
    channel_values,
    service_values,
    stale,
    undo,
    update_channel,
    update_service,
    verify_service,
)
from helplines.validation import FieldErrors

PASSWORD = "een lange zin als wachtwoord"
CHECKED = dt.date(2026, 11, 23)


@pytest.fixture
def fresh_directory(fresh_directory_each_database):  # type: ignore[no-untyped-def]
    """Every test here runs on SQLite and on PostgreSQL."""
    return fresh_directory_each_database


@pytest.fixture
def session(fresh_directory):  # type: ignore[no-untyped-def]
    with fresh_directory.sessions() as session:
        yield session


@pytest.fixture
def editor(session):  # type: ignore[no-untyped-def]
    """Staff of Veilig Thuis: may edit Veilig Thuis only."""
    user = create_user(session, "vt_editor", PASSWORD, "editor", ["veilig_thuis"])
    session.commit()
    return user


@pytest.fixture
def admin(session):  # type: ignore[no-untyped-def]
    user = create_user(session, "admin", PASSWORD, "administrator")
    session.commit()
    return user


def channel(session, service_id: str, kind: str) -> m.ContactChannel:  # type: ignore[no-untyped-def]
    return next(c for c in session.get(m.Service, service_id).channels if c.kind == kind)


def audit_count(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(AuditEntry))


def stored_channel(directory, channel_id: int) -> dict:  # type: ignore[no-untyped-def]
    """What is in the database, read in a session of its own."""
    with directory.sessions() as other:
        return channel_values(other.get(m.ContactChannel, channel_id))


# --- what a change records ------------------------------------------------------------------

def test_each_changed_field_gets_one_audit_entry_with_old_new_and_reason(session, editor) -> None:
    phone = channel(session, "veilig_thuis", "phone")
    entries = update_channel(
        session, editor, phone.id,
        {"opening_hours": "Mo-Fr 08:00-20:00; PH off", "free": True, "timezone": "Europe/Amsterdam"},
        "new hours on their website",
    )
    assert [(e.field, e.old_value, e.new_value) for e in entries] == [
        ("opening_hours", "24/7", "Mo-Fr 08:00-20:00; PH off")
    ]  # free was already true and the time zone the same: no entry for what did not change
    entry = history(session, "contact_channel", str(phone.id))[0]
    assert (entry.username, entry.reason, entry.undoes_id) == ("vt_editor", "new hours on their website", None)
    assert entry.at.date() >= dt.date(2026, 1, 1)


def test_history_is_newest_first(session, editor) -> None:
    update_service(session, editor, "veilig_thuis", {"priority": 11}, "first")
    update_service(session, editor, "veilig_thuis", {"priority": 12}, "second")
    assert [e.reason for e in history(session, "service", "veilig_thuis")] == ["second", "first"]
    assert history(session, "service", "politie") == []


# --- all or nothing --------------------------------------------------------------------------

def test_nothing_is_saved_when_one_field_is_bad(fresh_directory, session, editor) -> None:
    phone = channel(session, "veilig_thuis", "phone")
    before = stored_channel(fresh_directory, phone.id)
    with pytest.raises(FieldErrors) as refused:
        update_channel(session, editor, phone.id,
                       {"opening_hours": "Mo-Fr 08:00-20:00", "value": "123456789"}, "new number")
    assert list(refused.value.errors) == ["value"]
    session.rollback()
    assert stored_channel(fresh_directory, phone.id) == before
    assert audit_count(session) == 0


def test_every_bad_field_is_named_at_once(session, editor) -> None:
    chat = channel(session, "veilig_thuis", "chat")
    with pytest.raises(FieldErrors) as refused:
        update_channel(session, editor, chat.id, {
            "url": "veiligthuis.nl/chat",
            "opening_hours": "weekdays 9 to 5",
            "timezone": "Europe/Amsterdam",
            "holiday_calendar": "curacao",
            "anonymous": "yes",
            "verified_on": "2999-01-01",
            "source_url": "",
            "colour": "red",
        }, "")
    assert set(refused.value.errors) == {
        "url", "opening_hours", "holiday_calendar", "anonymous", "verified_on", "source_url", "colour", "reason"
    }
    assert "https://" in refused.value.errors["url"]
    assert "future" in refused.value.errors["verified_on"]


def test_bad_hours_are_refused_with_a_field_message(session, editor) -> None:
    phone = channel(session, "veilig_thuis", "phone")
    with pytest.raises(FieldErrors) as refused:
        update_channel(session, editor, phone.id, {"opening_hours": "weekdays 9 to 5"}, "typo")
    assert "Mo-Fr 09:00-17:00" in refused.value.errors["opening_hours"]
    with pytest.raises(FieldErrors) as refused:
        update_channel(session, editor, phone.id, {"timezone": "Europe/Amsterdamm"}, "typo")
    assert "time zone" in refused.value.errors["timezone"]


@pytest.mark.parametrize("number", ["0800-2000", "112", "0800-0188", "+599 715 1234"])
def test_good_numbers_are_saved(session, admin, number) -> None:
    phone = channel(session, "centrum_seksueel_geweld", "phone")
    update_channel(session, admin, phone.id, {"value": number}, "test")
    assert session.get(m.ContactChannel, phone.id).value == number


@pytest.mark.parametrize("number", ["123456789", "0800-20", "115", "0800 HELP"])
def test_bad_numbers_are_refused(session, admin, number) -> None:
    phone = channel(session, "centrum_seksueel_geweld", "phone")
    with pytest.raises(FieldErrors) as refused:
        update_channel(session, admin, phone.id, {"value": number}, "test")
    assert set(refused.value.errors) == {"value"}


def test_an_unverified_channel_cannot_go_live_without_being_checked(fresh_directory, session, editor) -> None:
    """The model's rule (verified entries need verified_on) comes back as a field message, not a crash."""
    chat = channel(session, "veilig_thuis", "chat")
    with pytest.raises(FieldErrors) as refused:
        update_channel(session, editor, chat.id, {
            "status": "active", "value": "veiligthuis.nl/chat", "url": "https://veiligthuis.nl/chat",
        }, "chat address found")
    assert "verified on" in refused.value.errors["status"]
    session.rollback()
    assert stored_channel(fresh_directory, chat.id)["status"] == "unverified"
    with pytest.raises(FieldErrors) as refused:
        update_channel(session, editor, chat.id, {
            "status": "active", "verified_on": CHECKED, "verified_by": "called them",
        }, "checked")
    assert refused.value.errors == {"status": "An active channel needs the number or address people use."}


def test_clearing_the_check_of_an_active_channel_is_refused(session, editor) -> None:
    phone = channel(session, "veilig_thuis", "phone")
    with pytest.raises(FieldErrors) as refused:
        update_channel(session, editor, phone.id, {"verified_on": None}, "oops")
    assert "verified on" in refused.value.errors["verified_on"]


def test_an_unverified_service_cannot_be_made_active(session, admin) -> None:
    with pytest.raises(FieldErrors) as refused:
        update_service(session, admin, "comensha", {"status": "active"}, "found them")
    assert "verified first" in refused.value.errors["status"]


def test_shelter_texts_never_hold_an_address(session, admin) -> None:
    with pytest.raises(FieldErrors) as refused:
        update_service(session, admin, "vrouwenopvang", {"description.nl": "Wij zitten op 6511 AB Nijmegen."}, "x")
    assert "address" in refused.value.errors["description.nl"]


def test_texts_per_language(session, editor) -> None:
    update_service(session, editor, "veilig_thuis", {"name.TR": "Veilig Thuis (Güvenli Ev)"}, "Turkish name")
    assert service_values(session.get(m.Service, "veilig_thuis"))["name.tr"] == "Veilig Thuis (Güvenli Ev)"
    update_service(session, editor, "veilig_thuis", {"name.tr": None}, "no Turkish after all")
    assert "name.tr" not in service_values(session.get(m.Service, "veilig_thuis"))
    with pytest.raises(FieldErrors) as refused:
        update_service(session, editor, "veilig_thuis",
                       {"name.nl": "", "description.ar": "وصف", "name.xx": "?"}, "x")
    assert set(refused.value.errors) == {"name.nl", "name.ar", "language"}


def test_lists_of_codes(session, editor) -> None:
    update_service(session, editor, "veilig_thuis", {"languages": ["nl", "EN", "pap"], "topics": ["stalking"]}, "x")
    values = service_values(session.get(m.Service, "veilig_thuis"))
    assert values["languages"] == ["en", "nl", "pap"] and values["topics"] == ["stalking"]
    with pytest.raises(FieldErrors) as refused:
        update_service(session, editor, "veilig_thuis",
                       {"languages": ["nl", "klingon"], "areas": [], "audiences": ["everyone"]}, "x")
    assert set(refused.value.errors) == {"languages", "areas", "audiences"}
    assert "klingon" in refused.value.errors["languages"]


def test_a_reason_is_required(session, editor) -> None:
    with pytest.raises(FieldErrors) as refused:
        update_service(session, editor, "veilig_thuis", {"priority": 5}, "  ")
    assert list(refused.value.errors) == ["reason"]


# --- who may change what ---------------------------------------------------------------------

def test_an_editor_cannot_touch_another_organisations_service(fresh_directory, session, editor, admin) -> None:
    police_phone = channel(session, "politie", "phone")
    before = stored_channel(fresh_directory, police_phone.id)
    with pytest.raises(PermissionError):
        update_channel(session, editor, police_phone.id, {"opening_hours": "24/7"}, "x")
    with pytest.raises(PermissionError):
        update_service(session, editor, "politie", {"status": "inactive"}, "x")
    (entry,) = update_service(session, admin, "politie", {"priority": 41}, "admin may")
    with pytest.raises(PermissionError):
        undo(session, editor, entry.id, "x")
    with pytest.raises(PermissionError):
        verify_service(session, editor, "politie", "https://www.politie.nl/")
    with pytest.raises(PermissionError):
        update_service(session, None, "veilig_thuis", {"priority": 1}, "x")  # type: ignore[arg-type]
    session.rollback()
    assert stored_channel(fresh_directory, police_phone.id) == before
    assert session.get(m.Service, "politie").status == "active"


# --- undo ------------------------------------------------------------------------------------

def test_undo_restores_the_old_value_as_a_new_entry(session, editor) -> None:
    phone = channel(session, "veilig_thuis", "phone")
    (change,) = update_channel(session, editor, phone.id, {"opening_hours": "Mo-Fr 09:00-17:00"}, "new hours")
    (undone,) = undo(session, editor, change.id, "wrong line")
    assert session.get(m.ContactChannel, phone.id).opening_hours == "24/7"
    assert (undone.undoes_id, undone.old_value, undone.new_value, undone.reason) == (
        change.id, "Mo-Fr 09:00-17:00", "24/7", "wrong line")
    assert [e.id for e in history(session, "contact_channel", str(phone.id))] == [undone.id, change.id]


def test_undo_is_refused_when_the_field_changed_since(session, editor) -> None:
    phone = channel(session, "veilig_thuis", "phone")
    (first,) = update_channel(session, editor, phone.id, {"opening_hours": "Mo-Fr 09:00-17:00"}, "one")
    update_channel(session, editor, phone.id, {"opening_hours": "Mo-Sa 09:00-17:00"}, "two")
    with pytest.raises(ChangedSince):
        undo(session, editor, first.id, "back")
    assert session.get(m.ContactChannel, phone.id).opening_hours == "Mo-Sa 09:00-17:00"
    (undone,) = undo(session, editor, first.id + 1, "back to one")
    with pytest.raises(ChangedSince):
        undo(session, editor, first.id + 1, "twice")
    assert session.get(m.ContactChannel, phone.id).opening_hours == "Mo-Fr 09:00-17:00"


def test_undo_of_a_text_and_a_list(session, editor) -> None:
    entries = update_service(session, editor, "veilig_thuis", {"alert.nl": "Vandaag storing", "languages": ["nl"]}, "x")
    for entry in entries:
        undo(session, editor, entry.id, "storing voorbij")
    values = service_values(session.get(m.Service, "veilig_thuis"))
    assert values["alert.nl"] is None and values["languages"] == []


# --- live for the bot ------------------------------------------------------------------------

def test_new_opening_hours_change_the_bots_next_answer(fresh_directory, session, editor) -> None:
    answers = Answers(topic="stalking", danger_now=False, who="victim")
    phone = lambda referral: next(c for c in referral.primary.channels if c.value == "0800-2000")  # noqa: E731
    before = route(answers, SATURDAY_NIGHT, fresh_directory)
    assert before.primary.service_id == "veilig_thuis" and phone(before).open_now
    update_channel(session, editor, channel(session, "veilig_thuis", "phone").id,
                   {"opening_hours": "Mo-Fr 09:00-17:00; PH off"}, "test: office hours only")
    after = route(answers, SATURDAY_NIGHT, fresh_directory)
    assert not phone(after).open_now
    assert "maandag" in phone(after).availability
    assert phone(route(answers, TUESDAY_MORNING, fresh_directory)).open_now


def test_a_chat_made_live_is_offered_with_its_hours(fresh_directory, session, editor) -> None:
    answers = Answers(topic="stalking", danger_now=False, who="victim")
    kinds = lambda: [c.kind for c in route(answers, TUESDAY_MORNING, fresh_directory).primary.channels]  # noqa: E731
    assert "chat" not in kinds()
    chat = channel(session, "veilig_thuis", "chat")
    update_channel(session, editor, chat.id, {
        "status": "active", "value": "veiligthuis.nl/chat", "url": "https://veiligthuis.nl/chat",
        "verified_on": CHECKED, "verified_by": "vt_editor, from our own website",
    }, "chat address confirmed")
    assert "chat" in kinds()
    snapshot_chat = next(c for c in fresh_directory.snapshot().get("veilig_thuis").channels if c.kind == "chat")
    assert snapshot_chat.opening_hours == "Mo-Fr 09:00-17:00; PH off"
    update_channel(session, editor, chat.id, {"opening_hours": "Mo-Fr 09:00-21:00; PH off"}, "longer hours")
    snapshot_chat = next(c for c in fresh_directory.snapshot().get("veilig_thuis").channels if c.kind == "chat")
    assert snapshot_chat.opening_hours == "Mo-Fr 09:00-21:00; PH off"


def test_a_languages_change_moves_the_directory_version(fresh_directory, session, editor) -> None:
    version = fresh_directory.version()
    update_service(session, editor, "veilig_thuis", {"languages": ["nl", "en"]}, "x")
    assert fresh_directory.version() > version


# --- verification and freshness --------------------------------------------------------------

def test_stale_lists_what_was_not_checked_in_90_days(session) -> None:
    seeded = dt.date(2026, 11, 22)
    assert {sid for sid, _ in stale(session, seeded + dt.timedelta(days=90))} == {"comensha", "knooppunt_huwelijksdwang"}
    rows = stale(session, seeded + dt.timedelta(days=91))
    assert rows[0] == ("comensha", None)  # never verified comes first
    assert ("veilig_thuis", seeded) in rows and ("politie", seeded) in rows


def test_verify_marks_the_service_and_its_live_channels(session, editor) -> None:
    today = dt.date(2026, 11, 28)
    entries = verify_service(session, "Jan, called 0800-2000", "veilig_thuis", "https://veiligthuis.nl/", on=today)
    service = session.get(m.Service, "veilig_thuis")
    assert (service.verified_on, service.verified_by, service.source_url) == (
        today, "Jan, called 0800-2000", "https://veiligthuis.nl/")
    assert channel(session, "veilig_thuis", "phone").verified_on == today
    assert channel(session, "veilig_thuis", "chat").verified_on is None  # still unverified: needs its own check
    assert {e.entity for e in entries} == {"service", "contact_channel"} and len(entries) == 6
    assert all(e.username == "Jan, called 0800-2000" and e.reason == "verified" for e in entries)
    assert "veilig_thuis" not in {sid for sid, _ in stale(session, today + dt.timedelta(days=90))}
    assert "politie" in {sid for sid, _ in stale(session, today + dt.timedelta(days=90))}


def test_verify_refuses_a_bad_source_or_a_future_date(session) -> None:
    with pytest.raises(FieldErrors) as refused:
        verify_service(session, "Jan", "veilig_thuis", "veiligthuis", on=dt.date(2999, 1, 1))
    assert set(refused.value.errors) == {"source_url", "verified_on"}
    with pytest.raises(PermissionError):
        verify_service(session, "", "veilig_thuis", "https://veiligthuis.nl/")
    with pytest.raises(LookupError):
        verify_service(session, "Jan", "no_such_service", "https://veiligthuis.nl/")


def test_staff_edits_on_postgresql(postgres_url) -> None:  # type: ignore[no-untyped-def]
    """Production's database: accounts, an audited edit, its undo, and the bot seeing both."""
    import uuid

    from helplines import open_directory
    from postgres_server import create_database, drop_database

    name = f"editing_{uuid.uuid4().hex[:12]}"
    directory = open_directory(create_database(postgres_url, name))
    try:
        answers = Answers(topic="stalking", danger_now=False, who="victim")
        with directory.sessions() as session:
            editor = create_user(session, "vt_editor", PASSWORD, "editor", ["veilig_thuis"])
            session.commit()
            phone = channel(session, "veilig_thuis", "phone")
            assert route(answers, SATURDAY_NIGHT, directory).primary.channels[0].open_now
            (change,) = update_channel(session, editor, phone.id, {"opening_hours": "Mo-Fr 09:00-17:00"}, "test")
            assert not route(answers, SATURDAY_NIGHT, directory).primary.channels[0].open_now
            with pytest.raises(PermissionError):
                update_service(session, editor, "politie", {"priority": 1}, "x")
            undo(session, editor, change.id, "back")
            assert route(answers, SATURDAY_NIGHT, directory).primary.channels[0].open_now
            assert [e.undoes_id for e in history(session, "contact_channel", str(phone.id))] == [change.id, None]
    finally:
        directory.dispose()
        drop_database(postgres_url, name)
