"""The words the assistant was taught, to tell a message it cannot read from one it can (no Rasa import).

A linear model over character n-grams gives every message some intent, also "asdfgh" or a
message in a language we do not speak. A message none of whose words the assistant has ever
seen, not even with one letter typed wrong, is better answered with "I did not understand"
and the options again than with a guess. Words are compared as keywords compare them
(bot/keyword_matching.py: no case, accents or drawn-out letters; Arabic clitics off).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, Iterable, Iterator, List

from bot.keyword_matching import message_words

TYPO_FROM = 4  # shorter words must be known exactly: one letter off turns "ok" into anything


def one_letter_less(word: str) -> Iterator[str]:
    return (word[:i] + word[i + 1:] for i in range(len(word)))


@dataclass(frozen=True)
class Vocabulary:
    words: FrozenSet[str]
    shortened: FrozenSet[str]  # every known word of TYPO_FROM+ letters with one letter left out

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "Vocabulary":
        words = frozenset(form for text in texts for word in message_words(text) for form in word)
        return cls.from_words(words)

    @classmethod
    def from_words(cls, words: Iterable[str]) -> "Vocabulary":
        words = frozenset(words)
        return cls(words, frozenset(short for word in words if len(word) >= TYPO_FROM
                                    for short in one_letter_less(word)))

    def knows(self, word: str) -> bool:
        """Known, or one letter added, left out, changed or swapped ("hlep", "hellp", "volgt")."""
        if word in self.words:
            return True
        if len(word) < TYPO_FROM:
            return False
        if word in self.shortened:
            return True
        return any(short in self.words or short in self.shortened for short in one_letter_less(word))

    def knows_any_word_of(self, text: str) -> bool:
        """Whether at least one word of the message is known; a message without words (emoji,
        punctuation) counts as known, so the model still answers it."""
        words: List[tuple] = message_words(text)
        return not words or any(self.knows(form) for word in words for form in word)
