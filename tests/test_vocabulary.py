"""A message with no word the assistant was taught is not understood (bot/vocabulary.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.keyword_matching import intent_examples, lookup_tables
from bot.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "nlu_blind"


@pytest.fixture(scope="module")
def taught() -> Vocabulary:
    """What the trained model's guard knows: every example and keyword of data/nlu/."""
    texts = []
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        texts += [text for _, text in intent_examples(path)]
        texts += [element for _, elements in lookup_tables(path) for element in elements]
    return Vocabulary.from_texts(texts)


@pytest.mark.parametrize("text", ["asdfgh", "qwpoeiruty", "sdfsdf jkjkjk", "xyz!!"])
def test_keyboard_mashing_is_not_understood(taught: Vocabulary, text: str) -> None:
    assert not taught.knows_any_word_of(text)


@pytest.mark.parametrize("typed", ["help", "HELP!", "hlep", "hellp", "hepl", "hwlp", "helppp"])
def test_one_letter_off_is_still_a_known_word(typed: str) -> None:
    assert Vocabulary.from_words(["help"]).knows_any_word_of(typed)


def test_short_words_must_be_exact_and_two_letters_off_is_unknown() -> None:
    vocabulary = Vocabulary.from_words(["nee", "help"])
    assert vocabulary.knows_any_word_of("NEE")
    assert not vocabulary.knows_any_word_of("nie")
    assert not vocabulary.knows_any_word_of("hulk")


def test_one_known_word_is_enough_and_a_message_without_words_is_left_to_the_model() -> None:
    vocabulary = Vocabulary.from_words(["help"])
    assert vocabulary.knows_any_word_of("qwerty help")
    assert vocabulary.knows_any_word_of("😢")


@pytest.mark.parametrize("language", ["nl", "en", "ar", "tr", "pl", "uk"])
def test_messages_written_blind_are_understood(taught: Vocabulary, language: str) -> None:
    """People's real messages almost always share a word with what the assistant was taught."""
    messages = [text for path in (BLIND / f"{language}.yml", BLIND / "danger" / f"{language}.yml")
                for _, text in intent_examples(path)]
    unknown = [text for text in messages if not taught.knows_any_word_of(text)]
    assert len(unknown) <= 0.02 * len(messages), unknown
