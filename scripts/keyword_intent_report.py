"""Where a language's intent keywords disagree with its own training examples.

    .venv/bin/python scripts/keyword_intent_report.py nl [--dev]

Lists every example in data/nlu/<language>*.yml whose keyword decision (bot/intent_keywords.py)
differs from its label: a keyword that is too broad. Keywords of every language count, as
in the model: a Ukrainian keyword can decide an English message. Also counts how many examples of each
intent the keywords decide. For translators; tests/test_intent_keywords.py holds the line.

With --dev it also lists how the keywords do on the danger development set
tests/nlu_dev/danger/<language>.yml: the danger messages they miss and the stories they call
danger. Those messages were written by others; learn from them, do not copy them into the data.
Never run it on tests/nlu_blind/: what is tuned to stops measuring.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.intent_keywords import IntentKeywords  # noqa: E402
from bot.keyword_matching import intent_examples, lookup_tables  # noqa: E402


def labelled_examples(language: str) -> List[Tuple[str, str]]:
    return [example for path in sorted((ROOT / "data" / "nlu").glob(f"{language}*.yml"))
            for example in intent_examples(path)]


def all_rules() -> IntentKeywords:
    """Every language's tables together, as the one multilingual model holds them."""
    return IntentKeywords.from_tables(
        table for path in sorted((ROOT / "data" / "nlu").glob("*_intents.yml")) for table in lookup_tables(path))


def disagreements(language: str, rules: Optional[IntentKeywords] = None) -> List[Tuple[str, str, str]]:
    rules = rules or all_rules()
    found = []
    for label, text in labelled_examples(language):
        decided = rules.decide(text)
        if decided is not None and decided != label:
            found.append((label, decided, text))
    return found


def development_report(language: str, rules: IntentKeywords) -> None:
    path = ROOT / "tests" / "nlu_dev" / "danger" / f"{language}.yml"
    examples = intent_examples(path) if path.exists() else []
    danger = [text for label, text in examples if label == "danger_now"]
    missed = [text for text in danger if rules.decide(text) != "danger_now"]
    called = [text for label, text in examples if label != "danger_now" and rules.decide(text) == "danger_now"]
    print(f"\ndevelopment set: keywords find {len(danger) - len(missed)}/{len(danger)} danger messages, "
          f"and call {len(called)}/{len(examples) - len(danger)} stories danger")
    for text in missed:
        print(f"  missed\t{text}")
    for text in called:
        print(f"  not now\t{text}")


def main() -> int:
    language = sys.argv[1]
    rules = all_rules()
    decided, total = Counter(), Counter()
    for label, text in labelled_examples(language):
        total[label] += 1
        decided[label] += rules.decide(text) == label
    for label, keyword_intent, text in disagreements(language, rules):
        print(f"{label} -> {keyword_intent}\t{text}")
    print("\ndecided by keywords / examples:")
    for label in sorted(total):
        print(f"  {label}: {decided[label]}/{total[label]}")
    if "--dev" in sys.argv[2:]:
        development_report(language, rules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
