"""Keyword matching for entities that speak the directory's vocabulary (no Rasa import).

What happens to someone is said in endless ways, and a learned entity span ("raped me",
"waits outside") is no topic code. Translators keep keyword lists instead, as Rasa lookup
tables named `<entity>=<code>` (`topic=stalking`) in data/nlu/<language>_topics.yml; a
match becomes the entity with that code.

How a keyword matches (the same rule for every language, written for translators):
- case and accents do not count ("zgwałcił" = "zgwalcil", "İ" = "i"), nor letters drawn
  out three times or more ("helppp" = "help", "jaaa" = "ja"), nor the Arabic tatweel;
- a keyword word of four or more letters is the start of a word ("volg" matches "volgt");
  a shorter one, or one ending in "$", must be the whole word ("ex", "man"; "grozi$"
  matches "grozi" but not the past "grozil");
- "a|b" is either word ("slaat|sloeg"); alternatives are single words;
- " ... " between parts allows any words in between, in order ("man ... slaat" matches
  "mijn man slaat me soms");
- Arabic: a leading و or ف and the article (ال, وال, بال, فال, كال, لل) are ignored;
- when keywords of one entity compete, the one with more words wins ("man ... slaat" over
  "slaat"), then the one that matched more letters, then the earliest in the message.

The Rasa component is bot/keyword_entities.py; this module is plain Python so tests and
translators' tools can use it on any interpreter.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

GAP = "..."
WHOLE_WORD_BELOW = 4
WHOLE_WORD_MARK = "$"
ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف")
# Letters NFKD does not split into a base letter and an accent, apostrophe variants, the
# Arabic stretching stroke (tatweel: "الحقـــوني"), Persian-keyboard forms of Arabic letters,
# and the letters people type for one another at a word's end (ى/ي, ة/ه), as Arabic search does.
UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "l", "ı": "i", "İ": "i", "ø": "o", "’": "'", "ʼ": "'", "`": "'",
                              "\u0640": None, "ی": "ي", "ک": "ك", "ى": "ي", "ة": "ه"})
WORD = re.compile(r"\w+(?:'\w+)*")
DRAWN_OUT = re.compile(r"(\w)\1{2,}")  # "helppp", "jaaa", "عتقونيييي": one letter


def normalise(text: str) -> str:
    """Lower case without accents or drawn-out letters; the same for keywords and messages."""
    text = text.translate(UNDECOMPOSED)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return DRAWN_OUT.sub(r"\1", "".join(c for c in decomposed if not unicodedata.combining(c)))


def word_forms(word: str) -> Tuple[str, ...]:
    """A message word and the forms it has without Arabic clitics."""
    forms = [word]
    for prefix in ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            forms.append(word[len(prefix):])
    return tuple(forms)


def matched_letters(alternatives: Tuple[str, ...], forms: Tuple[str, ...]) -> int:
    """Letters of the longest alternative that matches the word, 0 when none does."""
    best = 0
    for keyword_word in alternatives:
        if keyword_word.endswith(WHOLE_WORD_MARK):
            keyword_word = keyword_word[:-1]
            hit = keyword_word in forms
        elif len(keyword_word) < WHOLE_WORD_BELOW:
            hit = keyword_word in forms
        else:
            hit = any(form.startswith(keyword_word) for form in forms)
        if hit:
            best = max(best, len(keyword_word))
    return best


Slot = Tuple[str, ...]  # one keyword word: its alternatives ("slaat|sloeg"), "$" kept on whole words


@dataclass(frozen=True)
class Match:
    starts: Tuple[int, ...]  # the word each part starts at
    end: int  # one past the last matched word
    letters: int


def slots(part: str) -> Tuple[Slot, ...]:
    found: List[Slot] = []
    for token in part.split():
        alternatives = [(WORD.findall(normalise(a)), a.endswith(WHOLE_WORD_MARK)) for a in token.split("|")]
        alternatives = [(words, whole) for words, whole in alternatives if words]
        if len(alternatives) == 1:
            words, whole = alternatives[0]
            found += [(word,) for word in words[:-1]] + [(words[-1] + WHOLE_WORD_MARK * whole,)]
        elif alternatives:
            found.append(tuple("".join(words) + WHOLE_WORD_MARK * whole for words, whole in alternatives))
    return tuple(found)


@dataclass(frozen=True)
class Keyword:
    entity: str
    value: str
    parts: Tuple[Tuple[Slot, ...], ...]  # parts separated by " ... ", each a run of words

    @property
    def words(self) -> int:
        return sum(len(part) for part in self.parts)

    @classmethod
    def parse(cls, entity: str, value: str, text: str) -> Optional["Keyword"]:
        parts = tuple(p for p in (slots(part) for part in text.split(GAP)) if p)
        return cls(entity, value, parts) if parts else None

    def possible(self, index: FrozenSet[str]) -> bool:
        """Whether every word of the keyword occurs somewhere in a message (see word_index):
        a cheap test that rules out almost every keyword before the ordered search."""
        return all(any(a.rstrip(WHOLE_WORD_MARK) in index for a in slot) for part in self.parts for slot in part)

    def find(self, words: List[Tuple[str, ...]]) -> Optional[Tuple[int, int, int]]:
        """The first match in a message: word span (first, last+1) and the letters matched."""
        for match in self.matches(words):
            return match.starts[0], match.end, match.letters
        return None

    def matches(self, words: List[Tuple[str, ...]]) -> Iterator["Match"]:
        """Every match in a message, by the word it starts at."""
        for first in range(len(words)):
            position, starts, letters = first, [], 0
            for part in self.parts:
                found = self._find_part(part, words, position, anchored=not starts)
                if found is None:
                    break
                starts.append(found)
                letters += sum(matched_letters(slot, words[found + i]) for i, slot in enumerate(part))
                position = found + len(part)
            else:
                yield Match(tuple(starts), position, letters)

    @staticmethod
    def _find_part(part: Tuple[Slot, ...], words: List[Tuple[str, ...]], position: int, anchored: bool) -> Optional[int]:
        last_start = position if anchored else len(words) - len(part)
        for start in range(position, last_start + 1):
            if start + len(part) <= len(words) and all(
                matched_letters(slot, words[start + i]) for i, slot in enumerate(part)
            ):
                return start
        return None


class KeywordIndex:
    """Keywords by one word each of them needs, so a message tries only the keywords its own
    words can start: thousands of keywords cost about as much as a few dozen."""

    def __init__(self, keywords: Iterable[Keyword]) -> None:
        self.keywords = list(keywords)
        self._by_word: Dict[str, List[int]] = {}
        for position, keyword in enumerate(self.keywords):
            # Any word of a keyword would do; a long one is the rarest in messages.
            anchor = max((slot for part in keyword.parts for slot in part),
                         key=lambda slot: min(len(a.rstrip(WHOLE_WORD_MARK)) for a in slot))
            for alternative in anchor:
                self._by_word.setdefault(alternative.rstrip(WHOLE_WORD_MARK), []).append(position)

    def candidates(self, index: FrozenSet[str]) -> List[int]:
        """Positions, in list order, of the keywords whose every word occurs in the message."""
        positions = sorted({p for form in index for p in self._by_word.get(form, ())})
        return [p for p in positions if self.keywords[p].possible(index)]


def keywords_from_tables(tables: Iterable[Tuple[str, Iterable[str]]]) -> List[Keyword]:
    """Keywords from lookup tables named `<entity>=<value>`; other tables are not ours."""
    keywords = []
    for name, elements in tables:
        if "=" not in name:
            continue
        entity, value = (s.strip() for s in name.split("=", 1))
        keywords += [k for k in (Keyword.parse(entity, value, e) for e in elements) if k]
    return keywords


def message_words(text: str) -> List[Tuple[str, ...]]:
    """The words of a message as keywords see them, each with its forms."""
    return [word_forms(w) for w in WORD.findall(normalise(text))]


def word_index(words: List[Tuple[str, ...]]) -> FrozenSet[str]:
    """Every form of every word, and each form's starts of four or more letters: a keyword
    word is in it exactly when it matches some word of the message."""
    return frozenset(form[:length] for word in words for form in word
                     for length in [len(form), *range(WHOLE_WORD_BELOW, len(form))])


def extract(text: str, keywords: "Iterable[Keyword] | KeywordIndex") -> List[Dict[str, Any]]:
    """One entity per entity type: the best keyword match in the text."""
    keywords = keywords if isinstance(keywords, KeywordIndex) else KeywordIndex(keywords)
    spans = [(m.start(), m.end()) for m in WORD.finditer(normalise(text))]
    words = message_words(text)
    index = word_index(words)
    best: Dict[str, Tuple[Tuple[int, int, int], Keyword, Tuple[int, int, int]]] = {}
    for keyword in (keywords.keywords[p] for p in keywords.candidates(index)):
        found = keyword.find(words)
        if found is None:
            continue
        rank = (keyword.words, found[2], -found[0])
        current = best.get(keyword.entity)
        if current is None or rank > current[0]:
            best[keyword.entity] = (rank, keyword, found)
    entities = []
    for entity, (_, keyword, (first, end, _)) in sorted(best.items()):
        # Offsets index the normalised text; NFKD keeps most scripts' lengths, so they are a pointer, not a promise.
        entities.append({
            "entity": entity,
            "value": keyword.value,
            "start": spans[first][0],
            "end": spans[end - 1][1],
        })
    return entities


# "[mijn zus](who:someone_close)": the text, the entity and (after a colon) the value.
ANNOTATION = re.compile(r"\[([^\]]*)\]\(([^):]*)(?::([^)]*))?\)")


def _nlu_items(path: Path, kind: str) -> List[Tuple[str, List[str]]]:
    import yaml

    items = yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []
    return [(item[kind], [line.strip()[2:] for line in item["examples"].splitlines() if line.strip()])
            for item in items if kind in item]


def lookup_tables(path: Path) -> List[Tuple[str, List[str]]]:
    """The lookup tables of a Rasa NLU file, for tools and tests that run without Rasa."""
    return _nlu_items(path, "lookup")


def intent_examples(path: Path) -> List[Tuple[str, str]]:
    """(intent, text without entity marks) for every example of a Rasa NLU file."""
    return [(intent, ANNOTATION.sub(r"\1", line)) for intent, lines in _nlu_items(path, "intent") for line in lines]
