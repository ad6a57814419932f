"""Translators' keyword lists (data/nlu/<language>_topics.yml) and the rules that match them."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from bot.keyword_matching import ANNOTATION, KeywordIndex, extract, intent_examples, keywords_from_tables, lookup_tables, normalise

ROOT = Path(__file__).resolve().parents[1]
NLU = ROOT / "data" / "nlu"
LANGUAGES = ("nl", "en", "ar", "tr", "pl", "uk")
HELD_OUT = yaml.safe_load((ROOT / "tests" / "data" / "free_text_topics.yml").read_text(encoding="utf-8"))


def found(text: str, *lines: str, entity: str = "topic") -> Dict[str, str]:
    keywords = keywords_from_tables([(f"{entity}={i}", [line]) for i, line in enumerate(lines)])
    return {e["entity"]: e["value"] for e in extract(text, keywords)}


def tables(language: str, file: str = "{language}_topics.yml") -> List[Tuple[str, List[str]]]:
    return lookup_tables(NLU / file.format(language=language))


@functools.lru_cache(maxsize=None)
def keywords(language: str) -> KeywordIndex:
    """Built once per language, as the Rasa component builds it once per model."""
    return KeywordIndex(keywords_from_tables(tables(language)))


def training_texts() -> List[str]:
    return [text for path in NLU.glob("*.yml") for _, text in intent_examples(path)]


def test_case_and_accents_do_not_count() -> None:
    assert found("Hij heeft me ZGWAŁCIŁ, echt", "zgwalcil") == {"topic": "0"}
    assert found("İstismar", "istismar") == {"topic": "0"}


def test_arabic_stretching_and_persian_keyboard_letters_do_not_count() -> None:
    assert found("الحقـــوني", "الحقوني") == {"topic": "0"}
    assert found("یضربنی", "يضربني") == {"topic": "0"}


def test_long_keyword_words_match_the_start_of_a_word_short_ones_only_whole() -> None:
    assert found("hij volgt me overal", "volg") == {"topic": "0"}
    assert found("mijn exman", "ex") == {}
    assert found("mijn ex belt steeds", "ex") == {"topic": "0"}


def test_a_word_marked_whole_does_not_match_a_longer_word() -> None:
    assert found("on mi grozi nozem", "grozi$ mi") == {}, "the words keep their order"
    assert found("on grozi mi nozem", "grozi$ mi") == {"topic": "0"}
    assert found("on grozil mi nozem", "grozi$ mi") == {}, "the past tense is a longer word"
    assert found("on grozil mi nozem", "grozi$|grozil mi") == {"topic": "0"}
    assert found("GROZI nożem", "grozi$ nozem") == {"topic": "0"}


def test_alternatives_and_gaps() -> None:
    assert found("mijn man sloeg me gisteren", "man ... slaat|sloeg") == {"topic": "0"}
    assert found("sloeg mijn man", "man ... slaat|sloeg") == {}, "the parts keep their order"
    assert found("geen loon", "geen geld|loon") == {"topic": "0"}


def test_more_words_win_over_fewer() -> None:
    assert found("mijn vader slaat mijn moeder", "slaat", "vader ... slaat") == {"topic": "1"}


def test_arabic_clitics_and_article_are_ignored() -> None:
    assert found("عنف بالبيت", "بيت") == {"topic": "0"}


def test_other_lookup_tables_are_not_keywords() -> None:
    assert keywords_from_tables([("cities", ["Amsterdam"])]) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_keywords_for_every_topic_and_time(language: str) -> None:
    named = {name for name, _ in tables(language)}
    assert {f"topic={t}" for t in HELD_OUT[language]["topics"]} <= named
    assert {"recent=last_7_days", "recent=longer_ago"} <= named


@pytest.mark.parametrize("path", sorted(NLU.glob("*.yml")), ids=lambda p: p.name)
def test_keyword_lines_are_short(path: Path) -> None:
    """Rasa takes a table's first line for a possible file name; a long one crashes training."""
    long = [line for _, lines in lookup_tables(path) for line in lines if len(line.encode()) > 180]
    assert not long, f"split these lines (at most 180 bytes): {long}"


@pytest.mark.parametrize("path", sorted(NLU.glob("*.yml")), ids=lambda p: p.name)
def test_every_line_of_a_list_is_an_item(path: Path) -> None:
    """Rasa skips a blank line inside a list with only a warning, and the lines after it still count."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    stray = [(item.get("lookup") or item.get("intent") or item.get("synonym"), line)
             for item in items for line in (item.get("examples") or "").splitlines() if not line.startswith("- ")]
    assert not stray


@pytest.mark.parametrize("language", LANGUAGES)
def test_phrases_marked_in_the_answers_are_recognised_by_the_keywords(language: str) -> None:
    """Keywords replace learned topic and time entities, so they must cover what the answers mark."""
    items = yaml.safe_load((NLU / f"{language}_answers.yml").read_text(encoding="utf-8"))["nlu"]
    missed = []
    for item in items:
        for line in item.get("examples", "").splitlines():
            line = line.strip()[2:]
            wanted = {entity: value for _, entity, value in ANNOTATION.findall(line) if entity in ("topic", "recent")}
            if wanted:
                got = {e["entity"]: e["value"] for e in extract(ANNOTATION.sub(r"\1", line), keywords(language))}
                missed += [(line, entity, got.get(entity)) for entity, value in wanted.items() if got.get(entity) != value]
    assert not missed


@pytest.mark.parametrize("language", LANGUAGES)
def test_unseen_first_messages_get_their_topic(language: str) -> None:
    kw = keywords(language)
    wrong = {topic: extract(case["text"], kw) for topic, case in HELD_OUT[language]["topics"].items()
             if {e["entity"]: e["value"] for e in extract(case["text"], kw)}.get("topic") != topic}
    assert not wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_short_answers_name_no_topic(language: str) -> None:
    answers = HELD_OUT[language]["answers"]
    assert not [a for a in answers.values() if extract(a, keywords(language))]


def test_unseen_phrases_are_not_in_the_training_data() -> None:
    seen = {normalise(t).strip() for t in training_texts()}
    phrases = [case["text"] for lang in HELD_OUT.values() for case in lang["topics"].values()]
    assert not [p for p in phrases if normalise(p).strip() in seen]


WHO_ANSWERS = [
    ("het gaat over mezelf", "victim"), ("iemand die ik ken", "someone_close"),
    ("it's about me", "victim"), ("someone I know", "someone_close"),
    ("عن نفسي", "victim"), ("عن صديقتي اللي بعرفها من زمان", "someone_close"),
    ("benim hakkımda", "victim"), ("tanıdığım biri", "someone_close"),
    ("o mnie", "victim"), ("o kimś, kogo znam", "someone_close"),
    ("про мене", "victim"), ("про жінку, яку я знаю", "someone_close"),
]
NOT_SOMEONE_I_KNOW = ["ktoś, kogo nie znam, mnie pobił", "людина, яку я не знаю", "tanımadığım biri",
                      "واحد ما بعرفه ضربني", "mijn vriend slaat mij", "hoi", "nee"]
# The one who hurts the writer is not who it is about: the writer is.
HURT_ME = ["my dad is violent and hits us", "my boss assaulted me at work", "mijn oom heeft me misbruikt",
           "mijn vriend slaat mij", "szef mnie nekal w pracy", "вітчим бив мене", "patronum beni taciz etti"]


@pytest.mark.parametrize("text,who", WHO_ANSWERS)
def test_who_it_is_about_is_recognised_in_every_language(text: str, who: str) -> None:
    assert {e["entity"]: e["value"] for e in extract(text, keywords_from_tables(tables("", "who_keywords.yml")))} \
        == {"who": who}


@pytest.mark.parametrize("text", NOT_SOMEONE_I_KNOW)
def test_a_stranger_or_a_boyfriend_is_not_someone_i_know(text: str) -> None:
    assert "someone_close" not in {e["value"] for e in extract(text, keywords_from_tables(tables("", "who_keywords.yml")))}


@pytest.mark.parametrize("text", HURT_ME)
def test_someone_who_hurts_me_makes_it_about_me(text: str) -> None:
    assert {e["entity"]: e["value"] for e in extract(text, keywords_from_tables(tables("", "who_keywords.yml")))} \
        == {"who": "victim"}
