"""The annotated NLU examples stay consistent where Rasa cannot check them."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bot.keyword_matching import ANNOTATION

ROOT = Path(__file__).resolve().parents[1]


def test_an_annotated_phrase_means_one_value() -> None:
    """Rasa turns every annotation whose text differs from its value into a synonym, whatever the
    entity: "[raped me](who:victim)" and "[raped me](topic:sexual_violence)" would make one of
    them overwrite the other for every entity found with that text."""
    values = defaultdict(set)
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for text, _, value in ANNOTATION.findall(path.read_text(encoding="utf-8")):
            if value and text.casefold() != value:
                values[text.casefold()].add(value)
    assert {text: sorted(v) for text, v in values.items() if len(v) > 1} == {}
