"""Keyword lists that decide an intent, whatever the statistical model thinks (no Rasa import).

A model trained on a few hundred examples per language misses some cries for help, and a
missed "he has a knife" costs more than any other mistake. Translators therefore keep, per
language, lookup tables in data/nlu/<language>_intents.yml. Keywords match as in
bot/keyword_matching.py; the table's name says where:

- `anywhere=danger_now`, `anywhere=suicidal_thoughts`: anywhere in a message. A negation
  word (table `negation`) among the two words before any part of the match cancels that
  match ("ik ben niet in gevaar"). Only these two intents may match anywhere: a command
  hidden in a story ("stop met slaan") must not end the conversation.
- `message=<intent>`: the keyword is the whole message ("stop", "opnieuw", "weet ik niet",
  and for danger a bare "help"), so "nee" decides deny but "nee, hij slaat me" is left to
  the model.

Danger wins over suicide, and both over everything else: the emergency number comes first.
The Rasa component is bot/safety_intents.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, Iterable, List, Optional, Tuple

from bot.keyword_matching import Keyword, Match, keywords_from_tables, message_words, normalise, word_index

ANYWHERE_TABLE = "anywhere"
MESSAGE_TABLE = "message"
NEGATION_TABLE = "negation"
SAFETY = ("danger_now", "suicidal_thoughts")
NEGATION_REACH = 2


def is_intent_table(name: str) -> bool:
    """Whether a lookup table belongs to these rules rather than to an entity."""
    name = name.strip()
    return name == NEGATION_TABLE or name.split("=", 1)[0].strip() in (ANYWHERE_TABLE, MESSAGE_TABLE)


@dataclass(frozen=True)
class IntentKeywords:
    anywhere: Tuple[Keyword, ...]
    whole_message: Tuple[Keyword, ...]
    negations: FrozenSet[str]

    @classmethod
    def from_tables(cls, tables: Iterable[Tuple[str, Iterable[str]]]) -> "IntentKeywords":
        tables = [(name.strip(), list(elements)) for name, elements in tables]
        keywords = keywords_from_tables(tables)
        negations = frozenset(normalise(e).strip() for name, elements in tables if name == NEGATION_TABLE
                              for e in elements if e.strip())
        return cls(
            anywhere=tuple(k for k in keywords if k.entity == ANYWHERE_TABLE and k.value in SAFETY),
            whole_message=tuple(sorted((k for k in keywords if k.entity == MESSAGE_TABLE),
                                       key=lambda k: k.value not in SAFETY)),
            negations=negations,
        )

    def decide(self, text: str) -> Optional[str]:
        """The intent the keywords decide for a message, or None to leave it to the model."""
        words = message_words(text)
        if not words:
            return None
        index = word_index(words)
        anywhere = [k for k in self.anywhere if k.possible(index)]
        for intent in SAFETY:
            if any(self._unnegated(match, words)
                   for k in anywhere if k.value == intent for match in k.matches(words)):
                return intent
        for keyword in self.whole_message:
            if keyword.possible(index) and any(
                    match.starts[0] == 0 and match.end == len(words) for match in keyword.matches(words)):
                return keyword.value
        return None

    def _unnegated(self, match: Match, words: List[Tuple[str, ...]]) -> bool:
        before = {form for start in match.starts
                  for word in words[max(0, start - NEGATION_REACH):start] for form in word}
        return not before & self.negations
