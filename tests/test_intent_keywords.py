"""Keyword lists that decide danger, suicide and whole-message commands (bot/intent_keywords.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.intent_keywords import IntentKeywords, is_intent_table
from bot.keyword_matching import lookup_tables

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from keyword_intent_report import disagreements  # noqa: E402

LANGUAGES = ("nl", "en", "ar", "tr", "pl", "uk")
COMMANDS = ("stop", "restart_conversation", "change_language")

RULES = IntentKeywords.from_tables([
    ("anywhere=danger_now", ["in gevaar", "heeft ... mes", "staat voor de deur"]),
    ("anywhere=suicidal_thoughts", ["wil dood"]),
    ("message=deny", ["nee|nope"]),
    ("message=stop", ["stop"]),
    ("message=danger_now", ["help|hulp"]),
    ("anywhere=restart_conversation", ["opnieuw"]),
    ("negation", ["niet", "geen"]),
    ("topic=stalking", ["volgt"]),
])


@pytest.mark.parametrize("text", ["Ik ben in GEVAAR", "help hij heeft een groot mes!!", "mijn ex staat voor de deur"])
def test_danger_is_found_anywhere_in_a_message(text: str) -> None:
    assert RULES.decide(text) == "danger_now"


@pytest.mark.parametrize("text", ["ik ben niet in gevaar", "nee hij heeft geen mes"])
def test_a_negation_just_before_cancels_the_match(text: str) -> None:
    assert RULES.decide(text) is None


def test_a_negation_of_another_language_does_not_cancel() -> None:
    rules = IntentKeywords.from_tables([
        ("anywhere=danger_now@pl", ["stoi pod drzwiami"]),
        ("negation@pl", ["nie"]),
        ("anywhere=danger_now@en", ["at the door"]),
        ("negation@en", ["no", "not"]),
    ])
    assert rules.decide("no i stoi pod drzwiami") == "danger_now", "Polish 'no' is 'well', not 'no'"
    assert rules.decide("nie stoi pod drzwiami") is None
    assert rules.decide("he is not at the door") is None
    assert rules.decide("nie, he is at the door") == "danger_now"


TIMED = IntentKeywords.from_tables([
    ("anywhere=danger_now@nl", ["heeft ... mes", "voor de deur"]),
    ("anywhere=suicidal_thoughts@nl", ["wil dood"]),
    ("not_now@nl", ["vorig jaar", "vroeger", "ben nu bij mijn moeder"]),
    ("now@nl", ["nu$", "vannacht"]),
    ("anywhere=danger_now@en", ["has ... knife"]),
    ("not_now@en", ["last year"]),
])


def test_a_story_from_the_past_is_left_to_the_model() -> None:
    assert TIMED.decide("hij heeft een mes") == "danger_now"
    assert TIMED.decide("vorig jaar heeft hij een mes gepakt") is None
    assert TIMED.decide("hij heeft vroeger eens een mes getrokken, ik ben nu bij mijn moeder") is None, \
        "a now cue inside a not_now cue does not count"


def test_a_now_cue_keeps_danger_whatever_the_past() -> None:
    assert TIMED.decide("vorig jaar heeft hij een mes gepakt en nu staat hij voor de deur") == "danger_now"
    assert TIMED.decide("vroeger dreigde hij, vannacht heeft hij een mes") == "danger_now"


def test_a_story_placed_outside_the_present_is_not_danger_on_the_models_low_bar() -> None:
    """bot/safety_intents.py lets danger win from a low model confidence, except here."""
    assert TIMED.distanced("vorig jaar sloeg hij me met een riem")
    assert TIMED.distanced("last year he chased me with an axe"), "any language's cue: the model does not know which"
    assert not TIMED.distanced("vorig jaar sloeg hij me, nu staat hij voor de deur")
    assert not TIMED.distanced("hij slaat me met een riem")
    assert not TIMED.distanced("")


def test_time_cues_belong_to_a_language_and_to_danger_only() -> None:
    assert TIMED.decide("he has a knife, vroeger") == "danger_now", "a Dutch cue does not soften English"
    assert TIMED.decide("last year he has a knife") is None
    assert TIMED.decide("ik wil dood, vroeger al") == "suicidal_thoughts"


def test_a_keyword_is_not_negated_by_its_own_words() -> None:
    rules = IntentKeywords.from_tables([("anywhere=danger_now@uk", ["не випускає ... не знаю куди"]),
                                        ("negation@uk", ["не"])])
    assert rules.decide("він не випускає, їдемо не знаю куди") == "danger_now"
    assert rules.decide("він не не випускає, їдемо не знаю куди") is None


def test_danger_wins_over_suicide() -> None:
    assert RULES.decide("ik wil dood, hij staat voor de deur") == "danger_now"
    assert RULES.decide("ik wil dood") == "suicidal_thoughts"


def test_other_intents_decide_only_a_whole_message() -> None:
    assert RULES.decide("nee") == "deny"
    assert RULES.decide("Nope.") == "deny"
    assert RULES.decide("nee hij slaat me") is None
    assert RULES.decide("stop") == "stop"
    assert RULES.decide("stop met slaan zei ik") is None


def test_a_bare_cry_for_help_is_danger_but_help_in_a_sentence_is_not() -> None:
    assert RULES.decide("HELP!!") == "danger_now"
    assert RULES.decide("kunnen jullie me helpen") is None


def test_only_danger_and_suicide_match_anywhere() -> None:
    assert RULES.decide("hij wil opnieuw beginnen met slaan") is None


def test_entity_tables_decide_no_intent() -> None:
    assert RULES.decide("hij volgt me") is None
    assert not is_intent_table("topic=stalking")
    assert is_intent_table("message=stop") and is_intent_table("anywhere=danger_now") and is_intent_table("negation")
    assert is_intent_table("anywhere=danger_now@pl") and is_intent_table("negation@pl")


def test_empty_and_emoji_only_messages_are_left_to_the_model() -> None:
    assert RULES.decide("") is None
    assert RULES.decide("🙏") is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_keywords_for_danger_suicide_and_commands(language: str) -> None:
    names = {name for name, elements in lookup_tables(ROOT / "data" / "nlu" / f"{language}_intents.yml") if elements}
    assert {f"anywhere=danger_now@{language}", f"anywhere=suicidal_thoughts@{language}", f"negation@{language}"} <= names
    assert {f"message={intent}@{language}" for intent in COMMANDS} <= names
    assert all(name.endswith(f"@{language}") for name in names), "negations cancel only their own language's keywords"


@pytest.mark.parametrize("language", LANGUAGES)
def test_keywords_never_contradict_the_training_examples(language: str) -> None:
    assert disagreements(language) == []
