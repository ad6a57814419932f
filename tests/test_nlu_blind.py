"""The blind test sets measure every intent of every language (`make eval-nlu`)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.keyword_matching import normalise

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "nlu_blind"
ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")
INTENTS = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


def examples(path: Path) -> list[tuple[str, str]]:
    found = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        if "intent" in item:
            found += [(item["intent"], normalise(ANNOTATION.sub(r"\1", line.strip()[2:])).strip())
                      for line in item["examples"].splitlines() if line.strip()]
    return found


@pytest.mark.parametrize("language", ["nl", "en", "ar", "tr", "pl", "uk"])
def test_every_intent_has_blind_messages(language: str) -> None:
    blind = examples(BLIND / f"{language}.yml")
    assert {intent for intent, _ in blind} == INTENTS
    assert min(sum(1 for i, _ in blind if i == intent) for intent in INTENTS) >= 10
