"""Words for people: gettext catalogs with simple Dutch as the source language.

msgids are the Dutch text itself (B1: short sentences, plain words), so a missing
translation still shows correct Dutch. Catalogs live in `<repo>/locale/<lang>/LC_MESSAGES/
hulpwijzer.mo`; `pybabel extract` finds the `_()` and `N_()` marks in this package.
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path
from typing import Callable

from babel import Locale, UnknownLocaleError

DOMAIN = "hulpwijzer"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "nl"


def N_(message: str) -> str:
    """Mark a Dutch source text for extraction; translate it later with `translator()`."""
    return message


@lru_cache(maxsize=64)
def translator(language: str) -> Callable[[str], str]:
    """The gettext function for `language`; Dutch source text when no catalog exists."""
    translation = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language or SOURCE_LANGUAGE], fallback=True)
    return translation.gettext


@lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale:
    """A Babel locale for dates and times; Dutch when the code is unknown to Babel."""
    try:
        return Locale.parse((language or SOURCE_LANGUAGE).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(SOURCE_LANGUAGE)


@lru_cache(maxsize=64)
def has_catalog(language: str) -> bool:
    return gettext.find(DOMAIN, localedir=str(LOCALE_DIR), languages=[language or SOURCE_LANGUAGE]) is not None


def text_locale(language: str) -> Locale:
    """The locale for dates inside translated text: the user's when their catalog exists.

    Without a catalog the sentence falls back to Dutch, so its dates are Dutch too, never a mix.
    """
    if base_language(language) == SOURCE_LANGUAGE or not has_catalog(language):
        return babel_locale(SOURCE_LANGUAGE)
    return babel_locale(language)


def language_name_nl(language: str) -> str:
    """The name of a language in Dutch ("ar" -> "Arabisch"), for the helpline worker."""
    code = (language or SOURCE_LANGUAGE).replace("-", "_")
    names = Locale.parse(SOURCE_LANGUAGE).languages
    if code in names:
        return names[code]
    base = code.split("_")[0].lower()
    return names.get(base, language)


def base_language(language: str | None) -> str:
    return (language or SOURCE_LANGUAGE).replace("-", "_").split("_")[0].lower()
