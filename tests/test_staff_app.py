"""The staff web app through Flask's test client: log-in, roles, validation, audit and undo, protections."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helplines import Answers, open_directory, route
from helplines import models as m
from helplines.accounts import StaffUser, create_user
from helplines.audit import history
from staff.app import create_app
from staff.preview import preview

PASSWORD = "correct horse battery"
# A Monday evening in Amsterdam: 113's chat is open day and night, an office-hours line is closed.
MONDAY_EVENING = datetime(2025, 12, 1, 20, 0, tzinfo=timezone.utc)
OFFICE_HOURS = "Mo-Fr 09:00-17:00; PH off"


class Forms(HTMLParser):
    """The forms of a page with the values a browser would submit (inputs, selects, textareas)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: Optional[str] = None
        self._textarea: Optional[str] = None
        self.feed(page)

    def _fields(self) -> list[tuple[str, str]]:
        return self.forms[-1]["fields"]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"id": a.get("id", ""), "action": a.get("action", ""), "fields": []})
        elif not self.forms or "name" not in a and tag != "option":
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a or kind == "submit":
                return
            self._fields().append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self._fields().append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._fields().append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, value = self._fields()[-1]
            self._fields()[-1] = (name, value + data)

    def edit_form(self) -> dict[str, object]:
        """The page's edit form (the one without an action) as a dict; lists for repeated names."""
        [form] = [f for f in self.forms if not f["action"]]
        values: dict[str, object] = {}
        for name, value in form["fields"]:
            if name in values:
                previous = values[name]
                values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                values[name] = value
        for name in ("topics", "audiences", "areas"):
            if name in values and not isinstance(values[name], list):
                values[name] = [values[name]]
        return values


def csrf_token(page: str) -> str:
    return next(value for form in Forms(page).forms for name, value in form["fields"] if name == "csrf_token")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'helplines.sqlite3'}"


@pytest.fixture
def app(database_url: str) -> Flask:
    app = create_app(database_url, secret_key="test secret", testing=True)
    with app.extensions["hulpwijzer_directory"].sessions() as session:
        create_user(session, "beheer", PASSWORD, "administrator")
        create_user(session, "editor113", PASSWORD, "editor", ["zelfmoordpreventie_113"])
        session.commit()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def log_in(client: FlaskClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(page)})


def channel_id(app: Flask, service_id: str, kind: str, value: Optional[str] = None) -> int:
    with app.extensions["hulpwijzer_directory"].sessions() as session:
        query = select(m.ContactChannel.id).where(m.ContactChannel.service_id == service_id, m.ContactChannel.kind == kind)
        if value is not None:
            query = query.where(m.ContactChannel.value == value)
        return session.scalars(query).first()


def channel(app: Flask, channel_id: int) -> m.ContactChannel:
    with app.extensions["hulpwijzer_directory"].sessions() as session:
        return session.get(m.ContactChannel, channel_id)


def edit_form(client: FlaskClient, url: str) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200
    return Forms(response.get_data(as_text=True)).edit_form()


def audit_entries(app: Flask) -> list:
    with app.extensions["hulpwijzer_directory"].sessions() as session:
        return history(session)


def chat_113_says(database_url: str, now: datetime = MONDAY_EVENING) -> str:
    """What the bot says about 113's chat to someone who thinks about suicide."""
    referral = route(Answers(topic="suicidal_thoughts", danger_now=False, where="nl"), now, open_directory(database_url))
    [view] = [c for r in referral.ordered() if r.service_id == "zelfmoordpreventie_113" for c in r.channels
              if c.kind == "chat"]
    return view.availability


def test_right_password_logs_in_and_a_wrong_one_does_not(client: FlaskClient) -> None:
    assert client.get("/services").headers["Location"].endswith("/login"), "pages need a log-in"
    refused = log_in(client, "beheer", "not the password")
    assert refused.status_code == 401
    assert "Wrong user name or password" in refused.get_data(as_text=True)
    assert log_in(client, "nobody").status_code == 401
    assert client.get("/services").status_code == 302

    accepted = log_in(client, "beheer")
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/services")
    page = client.get("/services").get_data(as_text=True)
    assert "Veilig Thuis" in page and "113" in page, "an administrator sees every service"

    client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/services").status_code == 302


def test_a_page_opened_before_logging_in_does_not_spoil_the_log_in_form(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert client.get("/audit").status_code == 302, "like the browser's own favicon request"
    response = client.post("/login", data={"username": "beheer", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.status_code == 302


def test_log_in_attempts_are_rate_limited(client: FlaskClient) -> None:
    for _ in range(5):
        assert log_in(client, "beheer", "guessing again").status_code == 401
    blocked = log_in(client, "beheer")
    assert blocked.status_code == 429, "even the right password waits once the limit is reached"
    assert "Too many" in blocked.get_data(as_text=True)
    assert client.get("/services").status_code == 302


def test_forms_without_the_csrf_token_are_refused(app: Flask, client: FlaskClient) -> None:
    assert client.post("/login", data={"username": "beheer", "password": PASSWORD}).status_code == 400
    log_in(client, "beheer")
    chat = channel_id(app, "zelfmoordpreventie_113", "chat")
    form = edit_form(client, f"/channels/{chat}")
    form.pop("csrf_token")
    form.update(opening_hours=OFFICE_HOURS, reason="new hours")
    assert client.post(f"/channels/{chat}", data=form).status_code == 400
    assert channel(app, chat).opening_hours == "24/7"
    assert audit_entries(app) == []


def test_an_editor_sees_and_changes_only_their_organisations_services(app: Flask, client: FlaskClient) -> None:
    log_in(client, "editor113")
    page = client.get("/services").get_data(as_text=True)
    assert "/services/zelfmoordpreventie_113" in page
    assert "/services/veilig_thuis" not in page

    token = csrf_token(page)
    assert client.get("/services/veilig_thuis").status_code == 403
    refused = client.post("/services/veilig_thuis", data={"csrf_token": token, "status": "inactive", "priority": "1",
                                                          "reason": "not mine"})
    assert refused.status_code == 403
    phone = channel_id(app, "veilig_thuis", "phone", "0800-2000")
    assert client.get(f"/channels/{phone}").status_code == 403
    refused = client.post(f"/channels/{phone}", data={"csrf_token": token, "value": "0800-1234", "reason": "not mine"})
    assert refused.status_code == 403
    assert channel(app, phone).value == "0800-2000"
    assert audit_entries(app) == []

    assert client.get("/users").status_code == 403, "only administrators manage accounts"


def test_a_bad_phone_number_is_refused_next_to_the_field_and_nothing_is_saved(app: Flask, client: FlaskClient) -> None:
    log_in(client, "editor113")
    phone = channel_id(app, "zelfmoordpreventie_113", "phone", "0800-0113")
    form = edit_form(client, f"/channels/{phone}")
    form.update(value="0201234", opening_hours=OFFICE_HOURS, reason="typo test")
    response = client.post(f"/channels/{phone}", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    parsed = Forms(page)
    assert 'id="value-error"' in page, "the message sits next to the phone number field"
    assert parsed.edit_form()["value"] == "0201234", "what staff typed stays in the form to correct"
    stored = channel(app, phone)
    assert (stored.value, stored.opening_hours) == ("0800-0113", "24/7"), "the good field was not saved either"
    assert audit_entries(app) == []


def test_a_change_needs_a_reason(app: Flask, client: FlaskClient) -> None:
    log_in(client, "editor113")
    chat = channel_id(app, "zelfmoordpreventie_113", "chat")
    form = edit_form(client, f"/channels/{chat}")
    form.update(opening_hours=OFFICE_HOURS, reason=" ")
    response = client.post(f"/channels/{chat}", data=form)
    assert response.status_code == 400 and 'id="reason-error"' in response.get_data(as_text=True)
    assert channel(app, chat).opening_hours == "24/7"


def test_a_change_reaches_the_bot_is_audited_and_can_be_undone(app: Flask, client: FlaskClient,
                                                                  database_url: str) -> None:
    assert chat_113_says(database_url) == "Nu open, dag en nacht"
    log_in(client, "editor113")
    chat = channel_id(app, "zelfmoordpreventie_113", "chat")
    form = edit_form(client, f"/channels/{chat}")
    form.update(opening_hours=OFFICE_HOURS, reason="chat staffed in office hours only from December")
    saved = client.post(f"/channels/{chat}", data=form)
    assert saved.status_code == 302
    assert "Saved 1 change" in client.get(saved.headers["Location"]).get_data(as_text=True)
    assert chat_113_says(database_url) == "Nu gesloten. Open morgen om 09:00"

    audit = client.get("/audit").get_data(as_text=True)
    [entry] = audit_entries(app)
    assert (entry.username, entry.field, entry.entity_id) == ("editor113", "opening_hours", str(chat))
    for shown in ("editor113", "opening_hours", "24/7", OFFICE_HOURS, "chat staffed in office hours only"):
        assert shown in audit
    undo = client.post(f"/audit/{entry.id}/undo", data={"csrf_token": csrf_token(audit), "reason": "was a mistake"})
    assert undo.status_code == 302
    assert channel(app, chat).opening_hours == "24/7"
    assert chat_113_says(database_url) == "Nu open, dag en nacht"
    newest = audit_entries(app)[0]
    assert (newest.undoes_id, newest.reason) == (entry.id, "was a mistake")


def test_an_undo_needs_a_reason(app: Flask, client: FlaskClient) -> None:
    log_in(client, "editor113")
    chat = channel_id(app, "zelfmoordpreventie_113", "chat")
    form = edit_form(client, f"/channels/{chat}")
    form.update(opening_hours=OFFICE_HOURS, reason="office hours")
    client.post(f"/channels/{chat}", data=form)
    [entry] = audit_entries(app)
    audit = client.get("/audit").get_data(as_text=True)
    client.post(f"/audit/{entry.id}/undo", data={"csrf_token": csrf_token(audit), "reason": ""})
    assert channel(app, chat).opening_hours == OFFICE_HOURS
    assert len(audit_entries(app)) == 1


def test_an_undo_that_would_overwrite_a_later_change_is_refused(app: Flask, client: FlaskClient) -> None:
    log_in(client, "editor113")
    chat = channel_id(app, "zelfmoordpreventie_113", "chat")
    for hours in (OFFICE_HOURS, "Mo-Su 08:00-23:00"):
        form = edit_form(client, f"/channels/{chat}")
        form.update(opening_hours=hours, reason="new hours")
        assert client.post(f"/channels/{chat}", data=form).status_code == 302
    first = audit_entries(app)[-1]
    audit = client.get("/audit").get_data(as_text=True)
    response = client.post(f"/audit/{first.id}/undo", data={"csrf_token": csrf_token(audit), "reason": "oops"},
                           follow_redirects=True)
    assert "was not undone" in response.get_data(as_text=True)
    assert channel(app, chat).opening_hours == "Mo-Su 08:00-23:00"


def test_service_fields_are_saved_through_the_form(app: Flask, client: FlaskClient) -> None:
    log_in(client, "editor113")
    form = edit_form(client, "/services/zelfmoordpreventie_113")
    form.update({"status": "temporarily_closed", "alert.nl": "Tijdelijk gesloten door een storing.",
                 "topics": [*form["topics"], "online_violence"], "reason": "outage"})
    assert client.post("/services/zelfmoordpreventie_113", data=form).status_code == 302
    with app.extensions["hulpwijzer_directory"].sessions() as session:
        service = session.get(m.Service, "zelfmoordpreventie_113")
        assert service.status == "temporarily_closed"
        assert {t.language: t.alert for t in service.texts}["nl"] == "Tijdelijk gesloten door een storing."
        assert "online_violence" in {t.topic for t in service.topics}
    assert {e.field for e in audit_entries(app)} == {"status", "alert.nl", "topics"}


def test_a_name_in_a_new_language_is_added_and_an_unknown_code_is_refused(app: Flask, client: FlaskClient) -> None:
    log_in(client, "editor113")
    form = edit_form(client, "/services/zelfmoordpreventie_113")
    form.update(new_language="xx-nonsense", new_name="113", reason="Arabic name")
    refused = client.post("/services/zelfmoordpreventie_113", data=form)
    assert refused.status_code == 400 and 'id="new_language-error"' in refused.get_data(as_text=True)
    form.update(new_language="ar", new_name="113 الوقاية من الانتحار")
    assert client.post("/services/zelfmoordpreventie_113", data=form).status_code == 302
    with app.extensions["hulpwijzer_directory"].sessions() as session:
        names = {t.language: t.name for t in session.get(m.Service, "zelfmoordpreventie_113").texts}
    assert names["ar"] == "113 الوقاية من الانتحار" and "xx-nonsense" not in names


def test_an_administrator_creates_an_editor_who_then_sees_their_service(app: Flask, client: FlaskClient) -> None:
    log_in(client, "beheer")
    page = client.get("/users").get_data(as_text=True)
    created = client.post("/users", data={"csrf_token": csrf_token(page), "username": "csg_staff",
                                          "password": "a long enough password", "role": "editor",
                                          "organisations": ["csg"]})
    assert created.status_code == 302
    other = app.test_client()
    log_in(other, "csg_staff", "a long enough password")
    services = other.get("/services").get_data(as_text=True)
    assert "/services/centrum_seksueel_geweld" in services and "/services/veilig_thuis" not in services

    page = client.get("/users").get_data(as_text=True)
    with app.extensions["hulpwijzer_directory"].sessions() as session:
        user_id = session.scalars(select(StaffUser.id).where(StaffUser.username == "csg_staff")).one()
    client.post(f"/users/{user_id}/active", data={"csrf_token": csrf_token(page), "active": "no"})
    assert other.get("/services").status_code == 302, "a deactivated account is logged out at once"
    assert log_in(other, "csg_staff", "a long enough password").status_code == 401


def test_security_headers_and_cookie(client: FlaskClient) -> None:
    response = log_in(client, "beheer")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    for page in (client.get("/services"), client.get("/login"), client.get("/static/staff.css")):
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        policy = page.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "http" not in policy
    assert client.get("/services").headers["Cache-Control"] == "no-store"


def test_an_idle_session_expires(app: Flask, client: FlaskClient) -> None:
    app.permanent_session_lifetime = timedelta(seconds=1)
    log_in(client, "beheer")
    assert client.get("/services").status_code == 200
    time.sleep(2.2)
    assert client.get("/services").headers["Location"].endswith("/login")


def test_the_preview_shows_the_bots_words_and_the_week_with_holidays() -> None:
    christmas_eve = datetime(2025, 12, 24, 18, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    week = preview(OFFICE_HOURS, "Europe/Amsterdam", "nl", christmas_eve)
    assert week.bot_says == "Nu gesloten. Open maandag 29 december om 09:00"
    assert len(week.days) == 7
    christmas = week.days[1]
    assert christmas.holiday and christmas.hours == []
    assert week.days[5].hours and week.days[5].hours[0][0].hour == 9, "Monday opens at nine"
    assert preview("Mo-Fr 9 to 5", "Europe/Amsterdam", "nl", christmas_eve).error
    assert preview("", "Europe/Amsterdam", "nl", christmas_eve).bot_says == "Openingstijden zijn bij ons niet bekend"


def test_the_preview_endpoint_renders_hours_being_typed(client: FlaskClient) -> None:
    log_in(client, "editor113")
    page = client.get("/preview", query_string={"opening_hours": "24/7", "timezone": "America/Kralendijk",
                                                "holiday_calendar": "bonaire"}).get_data(as_text=True)
    assert "Nu open, dag en nacht" in page and page.count("00:00–23:59") == 7
    bad = client.get("/preview", query_string={"opening_hours": "sometimes", "timezone": "Europe/Amsterdam",
                                               "holiday_calendar": "nl"}).get_data(as_text=True)
    assert "cannot be read" in bad
