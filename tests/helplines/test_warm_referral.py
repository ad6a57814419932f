"""Warm referral words: honest, simple Dutch, extractable for translation, a summary to read aloud."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from frozen_times import TUESDAY_MORNING
from helplines import Answers, route
from helplines import availability as availability_module
from helplines import warm_referral as w
from helplines.i18n import language_name_nl, translator

PACKAGE = Path(w.__file__).resolve().parent


def all_msgids() -> list[str]:
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")])
    return [message for _file, _line, message, _comments, _context in found if isinstance(message, str)]


def test_pybabel_finds_every_sentence() -> None:
    msgids = set(all_msgids())
    for table in (w.STATEMENTS, w.REASONS, w.TOPIC_NAMES):
        assert set(table.values()) <= msgids
    assert availability_module._CLOSED_OPENS in msgids
    assert "Ik heb een tolk nodig: {language}." in msgids


def test_simple_dutch() -> None:
    """B1: on average at most 12 words a sentence; no sentence over 20; never 'ruzie'."""
    sentences = [s for m in all_msgids() for s in re.split(r"(?<=[.?!:])\s+", m) if s.strip()]
    lengths = [len(s.split()) for s in sentences]
    assert sum(lengths) / len(lengths) <= 12
    assert max(lengths) <= 20, max(sentences, key=lambda s: len(s.split()))
    assert not any("ruzie" in m.lower() for m in all_msgids())


def test_melding_and_aangifte_are_explained() -> None:
    texts = " ".join(w.STATEMENTS.values())
    assert "Bij aangifte vertel je de politie" in texts
    assert "Een melding is een officiële stap" in texts


@pytest.mark.parametrize(
    "answers, expected",
    [
        (
            Answers(topic="partner_violence", danger_now=False, wish="talk"),
            "Ik bel over geweld door een partner of ex-partner. Er is nu geen direct gevaar. Ik wil eerst advies.",
        ),
        (Answers(), "Ik bel omdat ik hulp zoek."),
        (
            Answers(topic="sexual_violence", recent=True, who="victim", language="ar"),
            "Ik bel over seksueel geweld. Het gaat om mijzelf. Het is in de laatste 7 dagen gebeurd. "
            "Ik heb een tolk nodig: Arabisch.",
        ),
        (
            Answers(who="someone_close", young=True, where="bonaire", language="pap", danger_now=True),
            "Ik bel omdat ik hulp zoek. Het gaat om iemand in mijn omgeving. Ik ben een kind of jongere. "
            "Er is nu gevaar. Ik ben op Bonaire. Ik heb een tolk nodig: Papiaments.",
        ),
        (Answers(who="uses_violence", language="en-GB"), "Ik bel omdat ik hulp zoek. Ik gebruik zelf geweld en ik wil stoppen. Ik heb een tolk nodig: Engels."),
    ],
)
def test_summary_holds_only_what_was_shared(directory, answers: Answers, expected: str) -> None:
    assert route(answers, TUESDAY_MORNING, directory).summary_nl == expected


def test_dutch_language_names() -> None:
    assert language_name_nl("tr") == "Turks"
    assert language_name_nl("ti") == "Tigrinya"
    assert language_name_nl("uk") == "Oekraïens"


def test_translator_falls_back_to_the_dutch_source() -> None:
    assert translator("xx")("Nu open, dag en nacht") == "Nu open, dag en nacht"


def test_names_follow_the_language(directory) -> None:
    referral = route(Answers(topic="crime_victim", danger_now=True, language="en"), TUESDAY_MORNING, directory)
    assert referral.emergency.name == "Emergency number 112"
    assert referral.primary.name.startswith("Victim Support Netherlands")
    assert route(Answers(language="de"), TUESDAY_MORNING, directory).primary.name == "Veilig Thuis"


def test_click_to_call_and_chat(directory) -> None:
    referral = route(Answers(danger_now=True, topic="suicidal_thoughts"), TUESDAY_MORNING, directory)
    assert referral.emergency.channels[0].href == "tel:112"
    hrefs = {c.value: c.href for c in referral.primary.channels}
    assert hrefs == {"0800-0113": "tel:08000113", "113.nl": "https://113.nl", "113": "tel:113"}
    phone = referral.primary.channels[0]
    assert (phone.free, phone.anonymous, phone.on_phone_bill) == (True, True, False)
    assert "staat niet op je telefoonrekening" in referral.primary.what_happens


def test_what_happens_is_honest_about_advice_and_report(directory) -> None:
    vt = route(Answers(danger_now=False), TUESDAY_MORNING, directory).primary
    assert "Dat is nog geen melding." in vt.what_happens
    assert "Bellen is gratis." in vt.what_happens
    csg = route(Answers(danger_now=False, topic="sexual_violence"), TUESDAY_MORNING, directory).primary
    assert "De politie komt er alleen bij als jij dat wilt." in csg.what_happens
    shelter = route(Answers(danger_now=False, wish="shelter"), TUESDAY_MORNING, directory).primary
    assert "Het adres van de opvang is geheim." in shelter.what_happens
    assert not re.search(r"\b[1-9][0-9]{3} ?[A-Z]{2}\b", shelter.what_happens + shelter.why)
