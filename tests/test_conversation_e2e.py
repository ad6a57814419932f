"""A real conversation over HTTP with the real servers: action server, Rasa, web chat."""
from __future__ import annotations

import ipaddress
from datetime import datetime, timezone

import psutil
import pytest

from bot.stack import Stack, post_json
from helplines import Answers, open_directory, route
from tests.conftest import WebChat, all_text, catalog, dutch_response

pytestmark = pytest.mark.stack


def test_greeting_is_honest_and_shows_112_with_choices(stack: Stack) -> None:
    replies = WebChat(stack.web_url).say("hoi")
    text = all_text(replies)
    assert "geen mens" in text and "geen hulplijn" in text
    assert "112" in text
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert {b["payload"] for b in buttons} >= {'/inform_who{"who":"victim"}', '/inform_who{"who":"someone_close"}'}


def test_a_dutch_conversation_reaches_a_referral_from_the_directory(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hallo")
    text = all_text(chat.say('/inform_who{"who":"someone_close"}'))
    # The same answers routed here, straight from the directory the action server reads.
    expected = route(Answers(who="someone_close"), datetime.now(timezone.utc),
                     open_directory(stack.env["HULPWIJZER_DATABASE_URL"]))
    assert expected.primary.name in text
    assert expected.primary.why in text
    assert expected.summary_nl in text
    assert "112" in text.split(expected.primary.name)[0], "the emergency number comes before the referral"


def test_free_text_reaches_the_referral_too(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    text = all_text(chat.say("ik maak me zorgen om mijn zus"))
    assert "0800-2000" in text and "Lees dit voor" in text


def test_danger_is_answered_with_the_emergency_number_at_any_turn(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    text = all_text(chat.say("hij staat nu voor de deur met een mes"))
    assert text.startswith("Bel nu 112")
    assert "911" in text


def test_rest_channel_is_served_by_rasa_itself(stack: Stack) -> None:
    replies = post_json(f"{stack.rasa_url}/webhooks/rest/webhook", {"sender": "a" * 32, "message": "hoi"})
    assert any("112" in r.get("text", "") for r in replies)


def test_no_process_of_the_stack_talks_to_anything_but_this_machine(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    chat.say('/inform_who{"who":"victim"}')
    for name, process in stack.processes.items():
        tree = psutil.Process(process.pid)
        for proc in [tree, *tree.children(recursive=True)]:
            for conn in proc.net_connections(kind="inet"):
                for address in (conn.laddr, conn.raddr):
                    if address:
                        assert ipaddress.ip_address(address.ip).is_loopback, f"{name} uses {address}"


def test_action_server_down_mid_conversation_still_gives_112_and_0800_2000(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    stack.stop_one("actions")
    try:
        text = all_text(chat.say('/inform_who{"who":"victim"}'))
        assert "112" in text and "0800-2000" in text
        assert "Lees dit voor" not in text, "the referral itself needs the action server"
    finally:
        stack.start_actions()
    text = all_text(chat.say('/inform_who{"who":"victim"}'))
    assert "Lees dit voor" in text, "the conversation goes on once the action server is back"



def test_rasa_keeps_conversations_in_the_expiring_store(stack: Stack) -> None:
    """Rasa silently falls back to a store that keeps everything when ours fails to import."""
    WebChat(stack.web_url).say("hoi")
    log = (stack.log_dir / "rasa.log").read_text(errors="replace")
    assert "Rasa server is up and running" in log
    assert "Using `InMemoryTrackerStore` instead" not in log


def test_the_page_language_is_the_reply_language(stack: Stack) -> None:
    text = all_text(WebChat(stack.web_url, language="ar").say("/greet"))
    assert catalog("ar")[dutch_response("utter_greet")["text"]] in text
    assert "112" in text


def test_asking_for_english_switches_the_whole_conversation(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    assert all_text(chat.say('/change_language{"language":"en"}')) == catalog("en")["Ik praat nu Nederlands met je."]
    text = all_text(chat.say('/inform_who{"who":"victim"}'))
    assert catalog("en")[dutch_response("utter_safety_line")["text"]] in text
    expected = route(Answers(who="victim", language="en"), datetime.now(timezone.utc),
                     open_directory(stack.env["HULPWIJZER_DATABASE_URL"]))
    assert expected.primary.why in text and expected.primary.why != route(
        Answers(who="victim"), datetime.now(timezone.utc), open_directory(stack.env["HULPWIJZER_DATABASE_URL"])
    ).primary.why, "the referral itself is in English too"
