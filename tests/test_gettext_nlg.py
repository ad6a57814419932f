"""Rasa's responses reach the person in their language (the NLG runs in the Rasa venv)."""
from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from bot.stack import RASA_PYTHON, ROOT, base_environment
from tests.conftest import catalog, dutch_response


RENDER = textwrap.dedent(
    """
    import asyncio, json, sys
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from bot.gettext_nlg import GettextNaturalLanguageGenerator

    domain = Domain.load("domain.yml")
    nlg = GettextNaturalLanguageGenerator(domain=domain)

    async def render(response, slot, channel_language, danger_said=None):
        events = [UserUttered("...", metadata={"language": channel_language} if channel_language else {})]
        if slot:
            events.append(SlotSet("language", slot))
        if danger_said == "this turn":
            events.append(SlotSet("danger_now", "yes"))
        elif danger_said == "earlier":
            events.insert(0, SlotSet("danger_now", "yes"))
        tracker = DialogueStateTracker.from_events("t", events, slots=domain.slots)
        return await nlg.generate(response, tracker, "rest")

    cases = json.loads(sys.argv[1])
    print(json.dumps([asyncio.run(render(*case)) for case in cases]))
    """
)


def render(*cases: tuple) -> list[dict]:
    result = subprocess.run([str(RASA_PYTHON), "-c", RENDER, json.dumps(cases)], cwd=ROOT,
                            env={**base_environment(), "PYTHONWARNINGS": "ignore"},
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_responses_follow_the_channel_language_and_then_the_persons_choice() -> None:
    danger_en, danger_ar_by_slot, danger_unknown, who_pl = render(
        ("utter_danger", None, "en"), ("utter_danger", "ar", "en"), ("utter_danger", None, "xx"),
        ("utter_ask_who", None, "pl"),
    )
    source = dutch_response("utter_danger")["text"]
    assert danger_en["text"] == catalog("en")[source] != source
    assert danger_ar_by_slot["text"] == catalog("ar")[source], "what the person asked for wins over the channel"
    assert danger_unknown["text"] == source
    for response in (danger_en, danger_ar_by_slot, danger_unknown):
        assert "112" in response["text"] and "911" in response["text"]
    polish = catalog("pl")
    assert [b["title"] for b in who_pl["buttons"]] == [polish[b["title"]] for b in dutch_response("utter_ask_who")["buttons"]]


@pytest.mark.parametrize("language", ["en", "ar", "tr", "pl", "uk"])
def test_language_buttons_keep_their_own_names(language: str) -> None:
    [picker] = render(("utter_choose_language", None, language))
    assert [b["title"] for b in picker["buttons"]] == [b["title"] for b in dutch_response("utter_choose_language")["buttons"]]
    assert picker["text"] == catalog(language)[dutch_response("utter_choose_language")["text"]]


def test_yes_to_the_danger_question_opens_the_next_reply_with_112() -> None:
    """The form moves on to its next question at once; the danger answer must come first."""
    topic_now, topic_later, referral_en = render(
        ("utter_ask_topic", None, None, "this turn"), ("utter_ask_topic", None, None, "earlier"),
        ("utter_safety_line", None, "en", "this turn"),
    )
    danger, question = dutch_response("utter_danger")["text"], dutch_response("utter_ask_topic")["text"]
    assert topic_now["text"].startswith(danger) and topic_now["text"].endswith(question)
    assert topic_now["buttons"], "the question keeps its buttons"
    assert topic_later["text"] == question, "112 comes once, right after the answer, not on every question"
    assert referral_en["text"].startswith(catalog("en")[danger])
