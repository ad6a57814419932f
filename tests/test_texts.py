"""Every text a person reads: extracted for translators, translated, and in simple Dutch (B1)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.languages import SUPPORTED
from bot.stack import ROOT, base_environment
from tests.readability import measure

LOCALE = ROOT / "locale"
TRANSLATED = [language for language in SUPPORTED if language != "nl"]
# Words that keep people out: never use them.
AVOID = ["ruzie", "casus", "casuïstiek", "hulpvraag", "cliënt", "interventie", "escalatie", "signalering"]
# Words people need but may not know: the catalog must hold a sentence that explains each.
EXPLAIN = {"melding": "Een melding is", "aangifte": "Bij aangifte vertel je"}
NUMBER = re.compile(r"\b\d{3}(?:\d|-\d{4})*\b|\b\d+\.nl\b")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def load(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def dutch_texts() -> list[str]:
    return [message.id for message in load(LOCALE / "hulpwijzer.pot") if message.id]


def test_the_template_holds_exactly_the_texts_in_the_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "--no-location",
                    "-o", str(fresh), "."], cwd=ROOT, env=base_environment(), check=True, capture_output=True)
    assert {m.id for m in load(fresh) if m.id} == set(dutch_texts()), "run `make translations-update`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_translates_every_text_and_keeps_numbers_and_placeholders(language: str) -> None:
    catalog = load(LOCALE / language / "LC_MESSAGES" / "hulpwijzer.po")
    by_id = {m.id: m for m in catalog if m.id}
    for source in dutch_texts():
        message = by_id.get(source)
        assert message is not None and message.string, f"{language}: not translated: {source[:60]!r}"
        assert not message.fuzzy, f"{language}: fuzzy: {source[:60]!r}"
        assert sorted(NUMBER.findall(message.string)) == sorted(NUMBER.findall(source)), \
            f"{language}: numbers differ in {source[:60]!r}"
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(source)), \
            f"{language}: placeholders differ in {source[:60]!r}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_says_whether_a_native_speaker_reviewed_it(language: str) -> None:
    header = (LOCALE / language / "LC_MESSAGES" / "hulpwijzer.po").read_text(encoding="utf-8").split("msgid", 1)[0]
    assert "needs review by a native speaker" in header or "Reviewed by a native speaker" in header
    status = "needs review" if "needs review" in header else "reviewed"
    assert re.search(rf"\|\s*`?{language}`?\s*\|.*{status}", (ROOT / "README.md").read_text()), \
        f"the README lists the status of {language}"


def test_dutch_is_simple_b1_in_every_text() -> None:
    texts = dutch_texts()
    too_hard = []
    for text in texts:
        r = measure(text)
        if r.words and (r.words_per_sentence > 12 or r.longest_sentence > 20 or (r.words >= 10 and r.flesch_douma < 65)):
            too_hard.append(f"{r.flesch_douma:.0f} FD, {r.words_per_sentence:.1f} w/s, longest {r.longest_sentence}: {text[:80]!r}")
    assert not too_hard, "\n".join(too_hard)
    overall = measure(*texts)
    assert overall.words_per_sentence <= 12 and overall.flesch_douma >= 65


def test_words_to_avoid_are_absent_and_hard_words_are_explained() -> None:
    texts = dutch_texts()
    for text in texts:
        for word in AVOID:
            assert not re.search(rf"\b{word}", text, re.IGNORECASE), f"{word!r} in {text[:60]!r}"
    for word, explanation in EXPLAIN.items():
        if any(re.search(rf"\b{word}", t, re.IGNORECASE) for t in texts):
            assert any(t.startswith(explanation) for t in texts), f"{word!r} is used but never explained"
