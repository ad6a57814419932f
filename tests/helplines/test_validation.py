"""Field checks staff meet: numbers that can really be dialled, web addresses, hours, languages."""
from __future__ import annotations

import copy

import pytest
import yaml

from helplines import models as m
from helplines.seed import DEFAULT_SEED, SeedError, parse_seed
from helplines.validation import (
    FieldErrors,
    check_language,
    check_no_address,
    check_opening_hours,
    check_phone,
    check_url,
    language_code,
)


@pytest.mark.parametrize(
    "number",
    [
        "112",            # emergency, European Netherlands
        "113",            # suicide prevention: phonenumbers' own data does not know it
        "911",            # emergency, Bonaire, Sint Eustatius, Saba
        "0800-2000",      # Veilig Thuis
        "0800-0113",
        "0900-8844",      # police, shared-cost 0900
        "0900-0101",
        "020 123 4567",   # a landline
        "06-12345678",    # a mobile (WhatsApp)
        "+31 20 123 4567",
        "0031 20 123 4567",
        "+599 715 1234",  # Bonaire
        "+599 318 1234",  # Sint Eustatius
        "+599 416 1234",  # Saba
        "715 1234",       # Bonaire, dialled on the island
    ],
)
def test_numbers_people_can_dial_are_accepted(number: str) -> None:
    assert check_phone(number) is None


@pytest.mark.parametrize(
    "number, says",
    [
        ("123456789", "not a phone number"),         # 9 digits of garbage
        ("0800-20001234", "not a working"),          # too long for a 0800 number
        ("020-1234", "not a working"),               # too short
        ("115", "not a short number we know"),       # a short number nobody checked
        ("1234", "not a short number we know"),
        ("0800-HELP", "Use only digits"),
        ("+32 2 123 45 67", "not a working"),        # Belgium
        ("+599 9 123 4567", "not a working"),        # Curaçao is not the Caribbean Netherlands
        ("+1 212 555 0100", "Netherlands"),          # New York
        ("", "Enter the number"),
    ],
)
def test_numbers_that_would_not_reach_a_helpline_are_refused(number: str, says: str) -> None:
    message = check_phone(number)
    assert message is not None and says in message


@pytest.mark.parametrize(
    "url, allow_file, ok",
    [
        ("https://113.nl", False, True),
        ("https://www.veiligthuis.nl/chat?x=1", False, True),
        ("http://safetyned.org/", False, True),
        ("113.nl", False, False),
        ("javascript:alert(1)", False, False),
        ("https://localhost/", False, False),
        ("https://user:secret@example.org/", False, False),
        ("https://exa mple.org/", False, False),
        ("file:///work/shared/domain-notes.md", False, False),
        ("file:///work/shared/domain-notes.md", True, True),   # a source document we read
        ("file:///", True, False),
    ],
)
def test_web_addresses(url: str, allow_file: bool, ok: bool) -> None:
    assert (check_url(url, allow_file=allow_file) is None) is ok


def test_opening_hours_are_checked_with_their_time_zone_and_holidays() -> None:
    assert check_opening_hours("Mo-Fr 09:00-17:00; PH off", "Europe/Amsterdam", "nl") is None
    assert check_opening_hours("24/7", "America/Kralendijk", "bonaire") is None
    assert "Mo-Fr 09:00-17:00" in check_opening_hours("weekdays 9 to 5", "Europe/Amsterdam", "nl")
    assert "PH at the start" in check_opening_hours("Mo-Fr 09:00-17:00, PH off", "Europe/Amsterdam", "nl")
    assert "time zone" in check_opening_hours("24/7", "Europe/Amsterdamm", "nl")
    assert "holiday calendar" in check_opening_hours("24/7", "Europe/Amsterdam", "curacao")


@pytest.mark.parametrize(
    "code, stored",
    [("nl", "nl"), ("EN", "en"), ("ar", "ar"), ("pap", "pap"), ("tr", "tr"), ("nl-NL", "nl_NL")],
)
def test_language_codes_babel_knows(code: str, stored: str) -> None:
    assert check_language(code) is None
    assert language_code(code) == stored


@pytest.mark.parametrize("code", ["xx", "dutch", "", "und", "root", "nl NL", "zz_ZZ"])
def test_language_codes_babel_does_not_know(code: str) -> None:
    assert check_language(code)
    with pytest.raises(ValueError):
        language_code(code)


def test_a_postcode_in_a_shelter_text_is_an_address() -> None:
    assert check_no_address("Kom naar Dorpsstraat 1, 6511 AB Nijmegen")
    assert check_no_address("Een veilige plek om te wonen. Het adres is geheim.") is None


def test_field_errors_keep_every_field() -> None:
    refused = FieldErrors({"value": "bad number", "url": "bad address"})
    assert refused.errors == {"value": "bad number", "url": "bad address"}
    assert isinstance(refused, m.DirectoryError)
    assert "value: bad number" in str(refused)


# --- languages in the seed -------------------------------------------------------------------

@pytest.fixture(scope="module")
def document() -> dict:
    with open(DEFAULT_SEED, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _with_languages(document: dict, languages: object) -> dict:
    changed = copy.deepcopy(document)
    next(s for s in changed["services"] if s["id"] == "veilig_thuis")["languages"] = languages
    return changed


def test_seed_languages_are_loaded_in_babel_spelling(document) -> None:
    _, services = parse_seed(_with_languages(document, ["nl", "EN", "nl", "pap"]))
    veilig_thuis = next(s for s in services if s.id == "veilig_thuis")
    assert [row.language for row in veilig_thuis.languages] == ["nl", "en", "pap"]


@pytest.mark.parametrize("languages, says", [(["nl", "klingon"], "klingon"), ("nl, en", "must be a list")])
def test_seed_refuses_unknown_languages(document, languages, says) -> None:
    with pytest.raises(SeedError, match=says):
        parse_seed(_with_languages(document, languages))


def test_seeded_services_claim_no_languages_our_sources_do_not_give(document) -> None:
    """Our sources say nothing about languages per service, so none are invented."""
    _, services = parse_seed(document)
    assert all(not s.languages for s in services)


def test_the_model_refuses_an_unknown_language_whatever_tool_writes() -> None:
    with pytest.raises(m.DirectoryError):
        m.ServiceLanguage(language="xx")
