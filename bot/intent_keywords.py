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

- `not_now`, `now`: time cues for danger. A danger keyword is left to the model when the
  message also holds a `not_now` cue (the past, a habit, the person safe elsewhere: "vorig
  jaar", "vroeger", "ik ben nu bij mijn moeder") and no `now` cue ("nu", "vannacht", "nog
  steeds", "voor de deur"). "Hij had vorig jaar een mes" is then a story; "vorig jaar had hij
  een mes, nu staat hij voor de deur" is still danger. The model still decides a message left
  to it: a cue never hides danger the model puts first. Its low danger bar
  (bot/safety_intents.py) does not apply to such a message (`distanced`).

A table name may end in `@<language>` (`anywhere=danger_now@pl`, `negation@pl`): then only
that language's negation words and time cues apply to its keywords. One model holds every
language's tables, and a word that negates in one language is an ordinary word in another:
English "no" is Polish "well", Arabizi "ma" is Polish "has".

Danger wins over suicide, and both over everything else: the emergency number comes first.
The Rasa component is bot/safety_intents.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from bot.keyword_matching import Keyword, KeywordIndex, Match, keywords_from_tables, message_words, normalise, word_index

ANYWHERE_TABLE = "anywhere"
MESSAGE_TABLE = "message"
NEGATION_TABLE = "negation"
NOT_NOW_TABLE = "not_now"
NOW_TABLE = "now"
CONTEXT_TABLES = (NEGATION_TABLE, NOT_NOW_TABLE, NOW_TABLE)
DANGER = "danger_now"
SAFETY = (DANGER, "suicidal_thoughts")
NEGATION_REACH = 2
LANGUAGE_MARK = "@"


def table_language(name: str) -> Tuple[str, Optional[str]]:
    """A table's name without its language, and the language (None when not marked)."""
    base, mark, language = name.strip().partition(LANGUAGE_MARK)
    return base.strip(), (language.strip() or None) if mark else None


def is_intent_table(name: str) -> bool:
    """Whether a lookup table belongs to these rules rather than to an entity."""
    name, _ = table_language(name)
    return name in CONTEXT_TABLES or name.split("=", 1)[0].strip() in (ANYWHERE_TABLE, MESSAGE_TABLE)


@dataclass(frozen=True)
class Context:
    """What one language says around a danger keyword: negations just before it, time cues
    anywhere in the message."""
    negations: FrozenSet[str] = frozenset()
    not_now: Tuple[Keyword, ...] = ()
    now: Tuple[Keyword, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_not_now", KeywordIndex(self.not_now))
        object.__setattr__(self, "_now", KeywordIndex(self.now))

    def negated(self, keyword: Keyword, match: Match, words: List[Tuple[str, ...]]) -> bool:
        """A negation among the two words before any part of the match, not counting the
        keyword's own words ("не випускає ... не знаю куди" is not negated by its own "не")."""
        own = {start + i for start, part in zip(match.starts, keyword.parts) for i in range(len(part))}
        before = {form for start in match.starts for position in range(max(0, start - NEGATION_REACH), start)
                  if position not in own for form in words[position]}
        return bool(before & self.negations)

    def not_now_said(self, words: List[Tuple[str, ...]], index: FrozenSet[str]) -> bool:
        """Whether the message places what happens outside the present, and nothing puts it back.
        A now cue inside a not_now cue does not count: "ik ben nu bij mijn moeder"."""
        covered = {position for match in self._matches(self._not_now, words, index)
                   for start in match.starts for position in range(start, match.end)}
        if not covered:
            return False
        return not any(set(range(match.starts[0], match.end)) - covered
                       for match in self._matches(self._now, words, index))

    @staticmethod
    def _matches(cues: KeywordIndex, words: List[Tuple[str, ...]], index: FrozenSet[str]) -> Iterator[Match]:
        return (match for p in cues.candidates(index) for match in cues.keywords[p].matches(words))

    @classmethod
    def merged(cls, contexts: Iterable["Context"]) -> "Context":
        contexts = list(contexts)
        return cls(frozenset().union(*(c.negations for c in contexts)),
                   tuple(k for c in contexts for k in c.not_now), tuple(k for c in contexts for k in c.now))


@dataclass(frozen=True)
class IntentKeywords:
    anywhere: Tuple[Tuple[Keyword, Context], ...]  # each with its language's negations and time cues
    whole_message: Tuple[Keyword, ...]
    every_language: Context = Context()  # the model does not say which language a message is in

    @classmethod
    def from_tables(cls, tables: Iterable[Tuple[str, Iterable[str]]]) -> "IntentKeywords":
        tables = [(*table_language(name), list(elements)) for name, elements in tables]
        parts: Dict[Optional[str], Dict[str, list]] = {}
        for name, language, elements in tables:
            if name in CONTEXT_TABLES:
                parts.setdefault(language, {}).setdefault(name, []).extend(e for e in elements if e.strip())
        contexts = {language: Context(
            frozenset(normalise(e).strip() for e in found.get(NEGATION_TABLE, [])),
            tuple(k for k in (Keyword.parse(NOT_NOW_TABLE, "", e) for e in found.get(NOT_NOW_TABLE, [])) if k),
            tuple(k for k in (Keyword.parse(NOW_TABLE, "", e) for e in found.get(NOW_TABLE, [])) if k),
        ) for language, found in parts.items()}
        unmarked = contexts.get(None, Context())
        context_of = {None: Context.merged(contexts.values())}
        anywhere, whole_message = [], []
        for name, language, elements in tables:
            if language not in context_of:
                context_of[language] = Context.merged([contexts.get(language, Context()), unmarked])
            context = context_of[language]
            for keyword in keywords_from_tables([(name, elements)]):
                if keyword.entity == ANYWHERE_TABLE and keyword.value in SAFETY:
                    anywhere.append((keyword, context))
                elif keyword.entity == MESSAGE_TABLE:
                    whole_message.append(keyword)
        return cls(tuple(anywhere), tuple(sorted(whole_message, key=lambda k: k.value not in SAFETY)),
                   context_of[None])

    def __post_init__(self) -> None:
        object.__setattr__(self, "_anywhere_index", KeywordIndex(k for k, _ in self.anywhere))
        object.__setattr__(self, "_message_index", KeywordIndex(self.whole_message))

    def distanced(self, text: str) -> bool:
        """Whether a message places what happens outside the present (a `not_now` cue of any
        language, and no `now` cue): then the model's danger must be its first choice, not
        merely above the low bar of bot/safety_intents.py. Over three seeded splits and every
        blind and development set this hid no danger message, and turned about one false alarm
        in ten back into the story it was."""
        words = message_words(text)
        return bool(words) and self.every_language.not_now_said(words, word_index(words))

    def decide(self, text: str) -> Optional[str]:
        """The intent the keywords decide for a message, or None to leave it to the model."""
        words = message_words(text)
        if not words:
            return None
        index = word_index(words)
        anywhere = [self.anywhere[p] for p in self._anywhere_index.candidates(index)]
        for intent in SAFETY:
            for keyword, context in anywhere:
                if keyword.value != intent or not any(not context.negated(keyword, m, words) for m in keyword.matches(words)):
                    continue
                if intent == DANGER and context.not_now_said(words, index):
                    continue
                return intent
        for position in self._message_index.candidates(index):
            keyword = self.whole_message[position]
            if any(match.starts[0] == 0 and match.end == len(words) for match in keyword.matches(words)):
                return keyword.value
        return None
