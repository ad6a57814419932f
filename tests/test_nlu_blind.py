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
