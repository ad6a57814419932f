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
    assert {b["payload"] for b in buttons} >= {'/inform{"who":"victim"}', '/inform{"who":"someone_close"}'}


def answer_with_buttons(chat: WebChat, who: str, topic: str, where: str, wish: str) -> str:
    """Every guided question answered by a button payload; returns the text of the last reply."""
    chat.say(f'/inform{{"who":"{who}"}}')
    chat.say("/deny")
    chat.say(f'/inform{{"topic":"{topic}"}}')
    chat.say(f'/inform{{"where":"{where}"}}')
    return all_text(chat.say(f'/inform{{"wish":"{wish}"}}'))


def directory_route(stack: Stack, **answers: object) -> object:
    return route(Answers(**answers), datetime.now(timezone.utc), open_directory(stack.env["HULPWIJZER_DATABASE_URL"]))


def test_the_guided_questions_come_one_by_one_with_buttons_and_a_skip(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    questions = [chat.say('/inform{"who":"victim"}'), chat.say("/deny"), chat.say('/inform{"topic":"stalking"}'),
                 chat.say('/inform{"where":"nl"}')]
    asked = [dutch_response(name)["text"] for name in ("utter_ask_danger_now", "utter_ask_topic",
                                                        "utter_ask_where", "utter_ask_wish")]
    for replies, question in zip(questions, asked):
        assert all_text(replies) == question
        assert "/skip" in [b["payload"] for r in replies for b in r.get("buttons", [])]


def test_a_dutch_conversation_reaches_a_referral_from_the_directory(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hallo")
    text = answer_with_buttons(chat, who="someone_close", topic="stalking", where="nl", wish="talk")
    # The same answers routed here, straight from the directory the action server reads.
    expected = directory_route(stack, who="someone_close", danger_now=False, topic="stalking", where="nl", wish="talk")
    assert expected.primary.name in text
    assert expected.primary.why in text
    assert expected.summary_nl in text
    assert "112" in text.split(expected.primary.name)[0], "the emergency number comes before the referral"


def test_sexual_violence_this_week_leads_to_the_sexual_violence_centre(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    chat.say('/inform{"who":"victim"}')
    chat.say("/deny")
    chat.say('/inform{"topic":"sexual_violence","recent":"last_7_days"}')
    chat.say('/inform{"where":"nl"}')
    text = all_text(chat.say('/inform{"wish":"talk"}'))
    assert "Centrum Seksueel Geweld" in text and "0800-0188" in text


def test_free_text_only_reaches_a_referral_within_five_turns(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    turns = ["ik maak me zorgen om mijn zus", "nee", "weet ik niet", "weet ik niet", "weet ik niet"]
    texts = [all_text(chat.say(turn)) for turn in turns]
    assert "Lees dit voor" in texts[-1]
    assert "Het gaat om iemand in mijn omgeving." in texts[-1], "the summary holds what the person shared"


def test_answers_given_in_free_text_are_not_asked_again(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    first = all_text(chat.say("ik maak me zorgen om mijn zus"))
    assert first == dutch_response("utter_ask_danger_now")["text"], "who it is about was already told"


def test_danger_is_answered_with_the_emergency_number_at_any_turn(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    text = all_text(chat.say("hij staat nu voor de deur met een mes"))
    assert text.startswith("Bel nu 112"), text
    assert "911" in text


def test_typing_opnieuw_mid_question_starts_over_and_forgets_the_answers(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    chat.say('/inform{"who":"victim"}')
    chat.say("/deny")
    chat.say('/inform{"topic":"stalking"}')
    text = all_text(chat.say("opnieuw"))
    assert text == dutch_response("utter_restart")["text"]
    chat.say('/inform{"who":"someone_close"}')
    after = all_text(chat.say("/deny"))
    assert after == dutch_response("utter_ask_topic")["text"], "what was told before the restart is forgotten"


def test_danger_as_the_first_message_gets_112_first_then_the_questions_without_asking_about_danger(
        stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    text = all_text(chat.say("help, mijn ex staat nu met een mes voor de deur"))
    assert text.startswith("Bel nu 112"), text
    assert text.endswith(dutch_response("utter_ask_who")["text"]), "the person is not left alone after 112"
    after = all_text(chat.say('/inform{"who":"victim"}'))
    assert dutch_response("utter_ask_danger_now")["text"] not in after, "danger was already told"


def test_rest_channel_is_served_by_rasa_itself(stack: Stack) -> None:
    replies = post_json(f"{stack.rasa_url}/webhooks/rest/webhook", {"sender": "a" * 32, "message": "hoi"})
    assert any("112" in r.get("text", "") for r in replies)


def test_no_process_of_the_stack_talks_to_anything_but_this_machine(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    answer_with_buttons(chat, who="victim", topic="stalking", where="nl", wish="talk")
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
        text = answer_with_buttons(chat, who="victim", topic="stalking", where="nl", wish="talk")
        assert "112" in text and "0800-2000" in text
        assert "Lees dit voor" not in text, "the referral itself needs the action server"
    finally:
        stack.start_actions()
    text = all_text(chat.say('/inform{"wish":"report"}'))
    assert "Lees dit voor" in text, "the conversation goes on once the action server is back"



def test_rasa_keeps_conversations_in_the_expiring_store(stack: Stack) -> None:
    """Rasa silently falls back to a store that keeps everything when ours fails to import."""
    WebChat(stack.web_url).say("hoi")
    log = (stack.log_dir / "rasa.log").read_text(errors="replace")
    # Logged before the tracker store is made. (Loading the intent model imports skops, which
    # raises the root log level, so Rasa's later "up and running" never reaches the log.)
    assert "Starting Rasa server on" in log
    assert "Using `InMemoryTrackerStore` instead" not in log


def test_the_page_language_is_the_reply_language(stack: Stack) -> None:
    text = all_text(WebChat(stack.web_url, language="ar").say("/greet"))
    assert catalog("ar")[dutch_response("utter_greet")["text"]] in text
    assert "112" in text


def test_asking_for_english_switches_the_whole_conversation(stack: Stack) -> None:
    chat = WebChat(stack.web_url)
    chat.say("hoi")
    switched = all_text(chat.say('/change_language{"language":"en"}'))
    assert switched.startswith(catalog("en")["Ik praat nu Nederlands met je."])
    assert catalog("en")[dutch_response("utter_ask_who")["text"]] in switched, "the question is asked again, in English"
    text = answer_with_buttons(chat, who="victim", topic="stalking", where="nl", wish="talk")
    assert catalog("en")[dutch_response("utter_safety_line")["text"]] in text
    answers = dict(who="victim", danger_now=False, topic="stalking", where="nl", wish="talk")
    english, dutch = directory_route(stack, **answers, language="en"), directory_route(stack, **answers)
    assert english.primary.why in text and english.primary.why != dutch.primary.why, "the referral is in English too"
