"""The blind test sets measure every intent of every language (`make eval-nlu`)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.keyword_matching import intent_examples, normalise

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "nlu_blind"
INTENTS = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


def examples(path: Path) -> list[tuple[str, str]]:
    return [(intent, normalise(text).strip()) for intent, text in intent_examples(path)]


@pytest.mark.parametrize("language", ["nl", "en", "ar", "tr", "pl", "uk"])
def test_every_intent_has_blind_messages(language: str) -> None:
    blind = examples(BLIND / f"{language}.yml")
    assert {intent for intent, _ in blind} == INTENTS
    assert min(sum(1 for i, _ in blind if i == intent) for intent in INTENTS) >= 10


DANGER_SETS = [BLIND / "danger", ROOT / "tests" / "nlu_dev" / "danger"]


@pytest.mark.parametrize("language", ["nl", "en", "ar", "tr", "pl", "uk"])
def test_danger_sets_hold_danger_and_stories_that_are_not_acute(language: str) -> None:
    for folder in DANGER_SETS:
        found = examples(folder / f"{language}.yml")
        assert {intent for intent, _ in found} == {"danger_now", "inform"}, folder
        assert min(sum(1 for i, _ in found if i == intent) for intent in ("danger_now", "inform")) >= 30, folder


def test_no_measuring_message_is_trained_on() -> None:
    """A danger message copied from a measuring set into the training data measures nothing.
    Short common phrases ("he has a knife") occur in both by chance; eval-nlu also reports each
    blind set without the messages the model was trained on."""
    trained = {text for path in (ROOT / "data" / "nlu").glob("*.yml") for _, text in examples(path)}
    measuring = [path for folder in DANGER_SETS for path in folder.glob("*.yml")]
    copied = [(path.parent.parent.name, path.stem, text) for path in measuring
              for _, text in examples(path) if len(text.split()) > 4 and text in trained]
    assert not copied
