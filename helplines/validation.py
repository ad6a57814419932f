"""Checks on what staff type, each giving a plain-English message for the field it concerns.

A wrong number costs lives (in 2019 people dialled 113 before it worked), so a number must be
one that can be dialled in the Netherlands or the Caribbean Netherlands: `phonenumbers` says
whether it exists, and short numbers are listed here by hand because its data lags behind
(it does not know 113). Each `check_*` returns None when the value is fine, else the message.
"""
from __future__ import annotations

import re
from typing import Mapping, Optional
from urllib.parse import urlsplit

import phonenumbers
from babel import Locale, UnknownLocaleError

from helplines.availability import ScheduleError, validate_schedule
from helplines.models import DirectoryError

#: Short numbers people may dial, and where. Adding one is a code change on purpose.
SHORT_NUMBERS: Mapping[str, str] = {
    "112": "emergency number in the European Netherlands",
    "113": "113 Zelfmoordpreventie",
    "911": "emergency number on Bonaire, Sint Eustatius and Saba",
}
#: Regions `phonenumbers` may place a number in: the Netherlands and Bonaire, Sint Eustatius, Saba.
PHONE_REGIONS = ("NL", "BQ")
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9][0-9 \-().]*$")
_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
_DUTCH_POSTCODE = re.compile(r"\b[1-9][0-9]{3} ?[A-Za-z]{2}\b")


class FieldErrors(DirectoryError):
    """Every field that is wrong, with a message for staff; nothing was saved."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


def _digits(value: str) -> str:
    return re.sub(r"[ \-().]", "", value)


def check_phone(value: str) -> Optional[str]:
    """A number that works from the Netherlands or the Caribbean Netherlands.

    Accepted: Dutch numbers (0..., +31...), including 0800 (free) and 0900 service numbers;
    Bonaire, Sint Eustatius and Saba (+599 7..., +599 318..., +599 416..., or the 7 digits
    alone); the short numbers in `SHORT_NUMBERS`.
    """
    text = (value or "").strip()
    if not text:
        return "Enter the number people dial."
    if not _PHONE_CHARACTERS.match(text):
        return "Use only digits, spaces and hyphens (and + at the start), for example 0800-2000."
    digits = _digits(text)
    if digits in SHORT_NUMBERS:
        return None
    if len(digits) <= 5 and not digits.startswith(("0", "+")):
        return (f"{text} is not a short number we know ({', '.join(SHORT_NUMBERS)}). "
                "Ask a developer to add a new short number after checking that it works.")
    region = "NL" if digits.startswith(("0", "+")) else "BQ"
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return f"{text} is not a phone number."
    if not phonenumbers.is_valid_number(number):
        if region == "BQ":
            return (f"{text} is not a phone number. Dutch numbers start with 0 or +31 (0800-2000); "
                    "on Bonaire, Sint Eustatius and Saba write +599 and 7 digits (+599 715 1234).")
        return f"{text} is not a working Dutch or Caribbean Netherlands number: check the digits."
    if phonenumbers.region_code_for_number(number) not in PHONE_REGIONS:
        return f"{text} is not a number in the Netherlands or on Bonaire, Sint Eustatius or Saba."
    return None


def check_url(value: str, allow_file: bool = False) -> Optional[str]:
    """A web address people (or staff checking a source) can open: http(s) with a host name.

    `file:` is only for `source_url`, pointing at a document the team read.
    """
    text = (value or "").strip()
    if not text:
        return "Enter a web address."
    if any(c.isspace() for c in text):
        return "A web address has no spaces."
    try:
        parts = urlsplit(text)
    except ValueError:
        return f"{text} is not a web address."
    if allow_file and parts.scheme == "file":
        return None if parts.path and parts.path != "/" else "A file: source needs the path of the document."
    if parts.scheme not in ("https", "http"):
        return "Start the web address with https:// (for example https://113.nl)."
    host = parts.hostname or ""
    if "@" in parts.netloc:
        return "A web address with a user name or password in it is not allowed."
    if "." not in host or host.startswith(".") or host.endswith("."):
        return f"{text} has no valid host name (for example 113.nl)."
    try:
        parts.port
    except ValueError:
        return f"{text} has an invalid port."
    return None


def check_opening_hours(value: str, timezone: str, calendar: str) -> Optional[str]:
    """OSM `opening_hours` that the routing can evaluate in `timezone` with `calendar`'s holidays."""
    try:
        validate_schedule(value, timezone, calendar)
    except ScheduleError as error:
        if str(error).startswith("not a valid"):
            return f"{error}. Write it like 'Mo-Fr 09:00-17:00; PH off', '24/7' or 'Mo-Su 18:00-23:00'."
        return f"{error}."
    return None


def language_code(code: str) -> str:
    """The code as stored: Babel's spelling (`EN` -> `en`, `nl-NL` -> `nl_NL`). ValueError if unknown."""
    text = (code or "").strip()
    if not _LANGUAGE_CODE.match(text):
        raise ValueError(f"{code!r} is not a language code; use a short code such as nl, en, ar or pap.")
    try:
        locale = Locale.parse(text.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as error:
        raise ValueError(f"{code!r} is not a language we know; use a code such as nl, en, ar or pap.") from error
    if locale.language != text.split("-")[0].split("_")[0].lower():
        raise ValueError(f"{code!r} is not a language code; use a short code such as nl, en, ar or pap.")
    return str(locale)


def check_language(code: str) -> Optional[str]:
    """None when Babel knows the language (nl, en, ar, pap, nl_NL, ...), else why not."""
    try:
        language_code(code)
    except ValueError as error:
        return str(error)
    return None


def check_no_address(text: str) -> Optional[str]:
    """A shelter's texts must never hold its address; a postcode gives one away."""
    if text and _DUTCH_POSTCODE.search(text):
        return "This looks like it holds an address (a postcode). Never store where a shelter is."
    return None
