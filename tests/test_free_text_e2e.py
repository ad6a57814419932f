"""A person who only types (no buttons) reaches the right referral for each topic in each language.

The first messages are unseen phrases from tests/data/free_text_topics.yml; the person then answers
whatever is asked in a few words: who it is about, "no" to danger, "I don't know" to the rest.

A gate in `make test`: every topic in every language; `make eval-free-text` runs only these.
The phrases are never training data (tests/test_keyword_matching.py checks). A phrase that
fails is a finding about the NLU: mend the data, or say why in the phrase's file.
"""
from __future__ import annotations

import pytest
import yaml

from bot.stack import ROOT, Stack
from tests.conftest import WebChat, all_text, catalog, dutch_response
from tests.test_conversation_e2e import directory_route

CASES = yaml.safe_load((ROOT / "tests" / "data" / "free_text_topics.yml").read_text(encoding="utf-8"))
MAX_TURNS = 5
pytestmark = [pytest.mark.stack, pytest.mark.nlu_quality]

REFERRAL_LEAD = "Je hoeft je verhaal niet opnieuw te vertellen. Lees dit voor, of plak het in de chat:"


def in_language(dutch: str, language: str) -> str:
    return dutch if language == "nl" else catalog(language)[dutch]


def question(name: str, language: str) -> str:
    return in_language(dutch_response(name)["text"], language)


@pytest.mark.parametrize(
    "language,topic",
    [(language, topic) for language, case in CASES.items() for topic in case["topics"]],
)
def test_free_text_reaches_the_referral_for_the_topic(stack: Stack, language: str, topic: str) -> None:
    case, answers = CASES[language]["topics"][topic], CASES[language]["answers"]
    chat = WebChat(stack.web_url, language=language)
    transcript = [case["text"]]
    text = all_text(chat.say(case["text"]))
    while in_language(REFERRAL_LEAD, language) not in text and len(transcript) < MAX_TURNS:
        if text.endswith(question("utter_ask_who", language)):
            reply = answers[case["who"]]
        elif text.endswith(question("utter_ask_danger_now", language)):
            reply = answers["no"]
        else:
            reply = answers["dont_know"]
        transcript.append(reply)
        text = all_text(chat.say(reply))
    assert in_language(REFERRAL_LEAD, language) in text, f"no referral after {transcript}: {text}"
    expected = directory_route(stack, who=case["who"], danger_now=False, topic=topic, recent=case.get("recent"),
                               language=language)
    assert expected.summary_nl in text, "the Dutch summary holds exactly what the person told"
    assert expected.primary.name in text
