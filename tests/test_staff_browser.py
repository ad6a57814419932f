"""The staff app in a real headless Chromium (Debian's package, driven by Playwright), served by
`python -m staff`: a change made on screen is in the bot's very next answer."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from typing import Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.referral as referral_action
from actions.referral import ActionGiveReferral
from bot.stack import ROOT, free_port
from helplines import Answers, open_directory, route
from helplines import models as m
from helplines.accounts import create_user
from tests.chromium import ARTIFACTS, browser  # noqa: F401 (a fixture)

PASSWORD = "correct horse battery"
OFFICE_HOURS = "Mo-Fr 09:00-17:00; PH off"
# A Monday evening in Amsterdam: a 24/7 chat is open, an office-hours chat is not.
MONDAY_EVENING = datetime(2025, 12, 1, 20, 0, tzinfo=timezone.utc)
SUICIDAL_THOUGHTS = {"topic": "suicidal_thoughts", "danger_now": "no", "where": "nl"}


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('staff') / 'helplines.sqlite3'}"
    directory = open_directory(url)
    with directory.session() as session:
        create_user(session, "editor113", PASSWORD, "editor", ["zelfmoordpreventie_113"])
    directory.dispose()
    return url


@pytest.fixture(scope="module")
def staff_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m staff` as staff start it, on a free loopback port."""
    port = free_port()
    log = (tmp_path_factory.mktemp("staff-log") / "staff.log").open("w")
    env = {**os.environ, "HULPWIJZER_DATABASE_URL": database_url, "HULPWIJZER_STAFF_PORT": str(port),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("HULPWIJZER_STAFF_SECRET", None)
    process = subprocess.Popen([sys.executable, "-m", "staff"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/login", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, f"python -m staff stopped: see {log.name}"
                assert time.monotonic() < deadline, "the staff app did not start within a minute"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def page(browser, staff_app: str) -> Iterator[object]:
    context = browser.new_context(locale="nl-NL")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{staff_app}/login")
    page.get_by_label("User name").fill("editor113")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Services you may edit").wait_for()
    yield page
    context.close()


def chat_113_says(database_url: str, now: datetime = MONDAY_EVENING) -> str:
    referral = route(Answers(topic="suicidal_thoughts", danger_now=False, where="nl"), now,
                     open_directory(database_url))
    [view] = [c for r in referral.ordered() if r.service_id == "zelfmoordpreventie_113" for c in r.channels
              if c.kind == "chat"]
    return view.availability


def action_says(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The referral as the action server sends it, from a freshly started action server."""
    monkeypatch.setenv("HULPWIJZER_DATABASE_URL", database_url)
    monkeypatch.setattr(referral_action, "_directory", None)
    tracker = Tracker(sender_id="b" * 32, slots=SUICIDAL_THOUGHTS, latest_message={"metadata": {}}, events=[],
                      paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    ActionGiveReferral().run(dispatcher, tracker, domain={})
    return "\n".join(message.get("text") or "" for message in dispatcher.messages)


def chat_line(text: str) -> str:
    [line] = [line for line in text.splitlines() if "113.nl" in line]
    return line


def test_staff_change_a_chats_opening_hours_and_the_bot_says_so(page, staff_app: str, database_url: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    hosts: set[str] = set()
    page.context.on("request", lambda request: hosts.add(urllib.parse.urlsplit(request.url).hostname or request.url))
    assert chat_113_says(database_url) == "Nu open, dag en nacht"
    before = chat_line(action_says(database_url, monkeypatch))
    assert before.endswith("Nu open, dag en nacht")

    page.get_by_role("link", name="113 Zelfmoordpreventie").click()
    page.get_by_role("link", name="Edit chat 113.nl").click()
    assert page.locator("#bot-says").inner_text() == "Nu open, dag en nacht"
    page.get_by_label("Opening hours (OpenStreetMap syntax)").fill(OFFICE_HOURS)
    page.locator("#preview table.week").get_by_text("closed").first.wait_for()
    assert page.locator("#bot-says").inner_text() != "Nu open, dag en nacht", "the preview follows the typing"
    page.get_by_label("Why this change?").fill("Chat staffed in office hours only from December")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved 1 change").wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-channel.png"), full_page=True)

    assert chat_113_says(database_url) == "Nu gesloten. Open morgen om 09:00"
    after = chat_line(action_says(database_url, monkeypatch))
    assert after != before and "dag en nacht" not in after
    now = datetime.now(timezone.utc)
    assert after.endswith(chat_113_says(database_url, now)), "the running bot says what routing says now"
    assert hosts == {"127.0.0.1"}, hosts


def test_an_editor_cannot_reach_another_organisations_entry(page, staff_app: str, database_url: str) -> None:
    assert page.get_by_role("link", name="Veilig Thuis").count() == 0
    response = page.goto(f"{staff_app}/services/veilig_thuis")
    assert response.status == 403
    page.get_by_role("heading", name="Not yours to edit").wait_for()
    directory = open_directory(database_url)
    with directory.session() as session:
        [phone] = [c for c in session.get(m.Service, "veilig_thuis").channels if c.value == "0800-2000"]
        phone_id = phone.id
    assert page.goto(f"{staff_app}/channels/{phone_id}").status == 403


def test_a_bad_phone_number_is_refused(page, database_url: str) -> None:
    page.get_by_role("link", name="113 Zelfmoordpreventie").click()
    page.get_by_role("link", name="Edit phone 0800-0113").click()
    page.get_by_label("Number or address people see").fill("0201234")
    page.get_by_label("Why this change?").fill("new number")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Nothing was saved").wait_for()
    assert page.locator("#value-error").is_visible()
    assert page.get_by_label("Number or address people see").get_attribute("aria-invalid") == "true"
    directory = open_directory(database_url)
    with directory.session() as session:
        values = {c.value for c in session.get(m.Service, "zelfmoordpreventie_113").channels}
    assert "0800-0113" in values and "0201234" not in values
