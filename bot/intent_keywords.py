"""Keyword lists that decide an intent, whatever the statistical model thinks (no Rasa import).

A model trained on a few hundred examples per language misses some cries for help, and a
missed "he has a knife" costs more than any other mistake. Translators therefore keep, per
language, lookup tables named `intent=<intent>` and one table `negation` in
data/nlu/<language>_intents.yml. Keywords match as in bot/keyword_matching.py; on top:

- danger_now and suicidal_thoughts match anywhere in a message. A negation word among the
  two words before any part of the match cancels that match ("ik ben niet in gevaar").
  Danger wins over suicide: the emergency number comes first.
- every other intent matches only a whole message ("stop", "opnieuw", "weet ik niet"), so
  "nee" decides deny but "nee, hij slaat me" is left to the model.

The Rasa component is bot/keyword_intents.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, Iterable, List, Optional, Tuple

from bot.keyword_matching import Keyword, Match, keywords_from_tables, message_words, normalise, word_index

INTENT_TABLE = "intent"
NEGATION_TABLE = "negation"
ANYWHERE = ("danger_now", "suicidal_thoughts")
NEGATION_REACH = 2


def is_intent_table(name: str) -> bool:
    """Whether a lookup table belongs to these rules rather than to an entity."""
    name = name.strip()
    return name == NEGATION_TABLE or name.split("=", 1)[0].strip() == INTENT_TABLE


@dataclass(frozen=True)
class IntentKeywords:
    keywords: Tuple[Keyword, ...]
    negations: FrozenSet[str]

    @classmethod
    def from_tables(cls, tables: Iterable[Tuple[str, Iterable[str]]]) -> "IntentKeywords":
        tables = [(name.strip(), list(elements)) for name, elements in tables]
        keywords = tuple(k for k in keywords_from_tables(tables) if k.entity == INTENT_TABLE)
        negations = frozenset(normalise(e).strip() for name, elements in tables if name == NEGATION_TABLE
                              for e in elements if e.strip())
        return cls(keywords, negations)

    def decide(self, text: str) -> Optional[str]:
        """The intent the keywords decide for a message, or None to leave it to the model."""
        words = message_words(text)
        if not words:
            return None
        index = word_index(words)
        candidates = [k for k in self.keywords if k.possible(index)]
        for intent in ANYWHERE:
            if any(self._unnegated(match, words)
                   for k in candidates if k.value == intent for match in k.matches(words)):
                return intent
        for keyword in candidates:
            if keyword.value not in ANYWHERE and any(
                    match.starts[0] == 0 and match.end == len(words) for match in keyword.matches(words)):
                return keyword.value
        return None

    def _unnegated(self, match: Match, words: List[Tuple[str, ...]]) -> bool:
        before = {form for start in match.starts
                  for word in words[max(0, start - NEGATION_REACH):start] for form in word}
        return not before & self.negations
