"""The web chat in a real headless Chromium (Debian's package, driven by Playwright): what a person sees and leaves behind."""
from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from bot.stack import ROOT, Stack
from bot.web import make_server
from tests.chromium import ARTIFACTS, browser  # noqa: F401 (a fixture)
from tests.conftest import catalog, dutch_response

pytestmark = pytest.mark.stack

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
REFERRAL_LEAD = "Je hoeft je verhaal niet opnieuw te vertellen"


def serve(server: ThreadingHTTPServer) -> None:
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()


class NeutralSite(BaseHTTPRequestHandler):
    """Where quick exit leads in the tests: a local page, so that no request leaves this machine."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = b"<!doctype html><title>Het weer</title><p>Morgen zon en wolken.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the test closed the page before the body arrived


@pytest.fixture(scope="module")
def neutral_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NeutralSite)
    serve(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def web(stack: Stack, neutral_site: str) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, stack.rasa_url, exit_url=f"{neutral_site}/weer")
    serve(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def context(browser) -> Iterator[object]:
    context = browser.new_context(locale="nl-NL")
    context.set_default_timeout(60_000)
    yield context
    context.close()


def open_chat(context, web: str, language: str = "nl"):
    page = context.new_page()
    page.goto(web)
    page.get_by_role("button", name=translated("Over mij", language)).wait_for()
    return page


def translated(text: str, language: str) -> str:
    return text if language == "nl" else catalog(language)[text]


def bot_says(page, text: str) -> None:
    page.locator("#log .msg.bot").get_by_text(text, exact=True).last.wait_for()


def click_to_referral(page) -> None:
    for title in ["Over mij", "Nee", "Iemand volgt of bespiedt mij", "In Nederland", "Eerst praten of advies"]:
        page.get_by_role("button", name=title, exact=True).click()
    page.get_by_text(REFERRAL_LEAD).wait_for()


def test_a_person_clicks_through_to_a_referral_with_numbers_to_call(context, web: str) -> None:
    page = open_chat(context, web)
    click_to_referral(page)
    log = page.locator("#log").inner_text()
    assert "0800-2000" in log
    assert page.locator('#log a[href="tel:08002000"]').count() >= 1, "numbers are links that call"
    assert page.locator('header a[href="tel:112"]').count() == 1


def test_only_the_keyboard_reaches_quick_exit_first_and_the_choices(context, web: str) -> None:
    page = open_chat(context, web)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit", "quick exit is the first stop"
    page.get_by_role("button", name="Over mij").focus()
    page.keyboard.press("Enter")
    bot_says(page, dutch_response("utter_ask_danger_now")["text"])


@pytest.mark.parametrize("how", ["button", "shift three times"])
def test_quick_exit_leaves_for_a_neutral_site_and_no_history_entry(context, web: str, neutral_site: str,
                                                                      how: str) -> None:
    page = context.new_page()
    page.goto(f"{neutral_site}/voorpagina")
    page.goto(web)
    page.get_by_role("button", name="Over mij").click()
    bot_says(page, dutch_response("utter_ask_danger_now")["text"])
    if how == "button":
        page.locator("#quick-exit").click()
    else:
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url(f"{neutral_site}/weer")
    page.go_back()
    assert page.url == f"{neutral_site}/voorpagina", "Back does not return to the chat"


def test_nothing_stays_in_cookies_or_storage_and_no_request_leaves_this_machine(context, web: str) -> None:
    hosts: set[str] = set()
    context.on("request", lambda request: hosts.add(urllib.parse.urlsplit(request.url).hostname or request.url))
    page = open_chat(context, web)
    click_to_referral(page)
    assert context.cookies() == []
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("sessionStorage.length") == 0
    assert hosts == {"127.0.0.1"}, hosts


def test_delete_this_conversation_clears_the_screen_and_starts_afresh(context, web: str) -> None:
    page = open_chat(context, web)
    page.get_by_role("button", name="Over mij").click()
    bot_says(page, dutch_response("utter_ask_danger_now")["text"])
    page.get_by_role("button", name="Wis dit gesprek").click()
    page.get_by_text("Dit gesprek is gewist.").wait_for()
    page.get_by_role("button", name="Over mij").wait_for()
    question = dutch_response("utter_ask_danger_now")["text"]
    assert page.locator("#log .msg").get_by_text(question, exact=True).count() == 0
    assert page.locator("#log .msg.user").count() == 0, "what the person said is gone from the screen"


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_the_page_passes_an_automated_accessibility_check_and_is_kept_as_a_screenshot(browser, web: str,
                                                                                      language: str) -> None:
    # axe-core is injected as an inline script, which the page's own policy rightly forbids.
    context = browser.new_context(locale=f"{language}-NL" if language != "nl" else "nl-NL", bypass_csp=True)
    try:
        page = open_chat(context, web, language)
        if language == "ar":
            assert page.evaluate("document.documentElement.dir") == "rtl"
            assert page.evaluate("document.documentElement.lang") == "ar"
            assert catalog("ar")["Snel weg"] in page.locator("#quick-exit").inner_text()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
        serious = [(v["id"], v["help"], len(v["nodes"])) for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"chat-{language}.png"), full_page=True)
    finally:
        context.close()


def test_at_200_percent_zoom_nothing_needs_sideways_scrolling(browser, web: str) -> None:
    # 200 % zoom on a 1280 px wide window is the same layout as a 640 px wide one at 100 %.
    context = browser.new_context(locale="nl-NL", viewport={"width": 640, "height": 800})
    try:
        page = open_chat(context, web)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box = page.get_by_role("button", name="Over mij").bounding_box()
        assert box["height"] >= 44, "tap targets are at least 44 px high"
    finally:
        context.close()
