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

A table name may end in `@<language>` (`anywhere=danger_now@pl`, `negation@pl`): then only
that language's negation words cancel its keywords. One model holds every language's tables,
and a word that negates in one language is an ordinary word in another: English "no" is
Polish "well", Arabizi "ma" is Polish "has".

Danger wins over suicide, and both over everything else: the emergency number comes first.
The Rasa component is bot/safety_intents.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple

from bot.keyword_matching import Keyword, KeywordIndex, Match, keywords_from_tables, message_words, normalise, word_index

ANYWHERE_TABLE = "anywhere"
MESSAGE_TABLE = "message"
NEGATION_TABLE = "negation"
SAFETY = ("danger_now", "suicidal_thoughts")
NEGATION_REACH = 2
LANGUAGE_MARK = "@"


def table_language(name: str) -> Tuple[str, Optional[str]]:
    """A table's name without its language, and the language (None when not marked)."""
    base, mark, language = name.strip().partition(LANGUAGE_MARK)
    return base.strip(), (language.strip() or None) if mark else None


def is_intent_table(name: str) -> bool:
    """Whether a lookup table belongs to these rules rather than to an entity."""
    name, _ = table_language(name)
    return name == NEGATION_TABLE or name.split("=", 1)[0].strip() in (ANYWHERE_TABLE, MESSAGE_TABLE)


@dataclass(frozen=True)
class IntentKeywords:
    anywhere: Tuple[Tuple[Keyword, FrozenSet[str]], ...]  # each with the negation words that cancel it
    whole_message: Tuple[Keyword, ...]

    @classmethod
    def from_tables(cls, tables: Iterable[Tuple[str, Iterable[str]]]) -> "IntentKeywords":
        tables = [(*table_language(name), list(elements)) for name, elements in tables]
        negations: Dict[Optional[str], FrozenSet[str]] = {}
        for name, language, elements in tables:
            if name == NEGATION_TABLE:
                words = {normalise(e).strip() for e in elements if e.strip()}
                negations[language] = negations.get(language, frozenset()) | words
        every_negation = frozenset().union(*negations.values())
        anywhere, whole_message = [], []
        for name, language, elements in tables:
            cancelled_by = every_negation if language is None else negations.get(language, frozenset()) | negations.get(None, frozenset())
            for keyword in keywords_from_tables([(name, elements)]):
                if keyword.entity == ANYWHERE_TABLE and keyword.value in SAFETY:
                    anywhere.append((keyword, cancelled_by))
                elif keyword.entity == MESSAGE_TABLE:
                    whole_message.append(keyword)
        return cls(tuple(anywhere), tuple(sorted(whole_message, key=lambda k: k.value not in SAFETY)))

    def __post_init__(self) -> None:
        object.__setattr__(self, "_anywhere_index", KeywordIndex(k for k, _ in self.anywhere))
        object.__setattr__(self, "_message_index", KeywordIndex(self.whole_message))

    def decide(self, text: str) -> Optional[str]:
        """The intent the keywords decide for a message, or None to leave it to the model."""
        words = message_words(text)
        if not words:
            return None
        index = word_index(words)
        anywhere = [self.anywhere[p] for p in self._anywhere_index.candidates(index)]
        for intent in SAFETY:
            if any(self._unnegated(match, words, negations)
                   for k, negations in anywhere if k.value == intent for match in k.matches(words)):
                return intent
        for position in self._message_index.candidates(index):
            keyword = self.whole_message[position]
            if any(match.starts[0] == 0 and match.end == len(words) for match in keyword.matches(words)):
                return keyword.value
        return None

    @staticmethod
    def _unnegated(match: Match, words: List[Tuple[str, ...]], negations: FrozenSet[str]) -> bool:
        before = {form for start in match.starts
                  for word in words[max(0, start - NEGATION_REACH):start] for form in word}
        return not before & negations
