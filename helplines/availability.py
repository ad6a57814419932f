"""Is a channel open now, and when does it open: OSM `opening_hours` in a named time zone.

`PH` (public holiday) is filled in from the `holidays` package per area, so Dutch holidays
and the islands' own holidays (Bonaire, Sint Eustatius, Saba) are exact and testable.
Unknown hours stay unknown: we never guess that a line is open.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Callable, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from babel.dates import format_date, format_time
from opening_hours import OpeningHours, ParserError, State

from helplines.i18n import N_, text_locale, translator
from helplines.vocabulary import HOLIDAY_CALENDARS

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PH_RULE = re.compile(r"^(\s*)PH\b(.*)$", re.DOTALL)
_PH_ANYWHERE = re.compile(r"\bPH\b")


class ScheduleError(ValueError):
    """An opening-hours expression or time zone we cannot evaluate safely."""


@dataclass(frozen=True)
class Availability:
    known: bool
    open_now: bool
    next_open: Optional[datetime] = None
    closes_at: Optional[datetime] = None

    @property
    def always_open(self) -> bool:
        return self.open_now and self.closes_at is None


UNKNOWN = Availability(known=False, open_now=False)


def _holiday_dates(calendar: str, years: tuple[int, ...]) -> list[date]:
    country, subdivision = HOLIDAY_CALENDARS[calendar]
    return sorted(holidays.country_holidays(country, subdiv=subdivision, years=years))


def expand_public_holidays(expression: str, calendar: str, years: tuple[int, ...]) -> str:
    """Replace a leading `PH` selector by the holiday dates of `calendar` in `years`."""
    rules = []
    for rule in expression.split(";"):
        match = _PH_RULE.match(rule)
        if match:
            dates = ",".join(
                f"{d.year} {_MONTHS[d.month - 1]} {d.day:02d}" for d in _holiday_dates(calendar, years)
            )
            rules.append(f"{match.group(1)}{dates}{match.group(2)}")
        elif _PH_ANYWHERE.search(rule):
            raise ScheduleError(f"write PH at the start of its own rule, e.g. 'Mo-Fr 09:00-17:00; PH off': {expression!r}")
        else:
            rules.append(rule)
    return ";".join(rules)


@lru_cache(maxsize=4096)
def _compiled(expression: str, timezone: str, calendar: str, year: int) -> OpeningHours:
    expanded = expand_public_holidays(expression, calendar, (year - 1, year, year + 1))
    try:
        return OpeningHours(expanded, timezone=ZoneInfo(timezone), auto_country=False, auto_timezone=False, max_interval_days=400)
    except (ParserError, SyntaxError, ValueError) as error:
        raise ScheduleError(f"not a valid opening_hours expression: {expression!r}") from error


def validate_schedule(expression: Optional[str], timezone: str, calendar: str = "nl") -> None:
    """Refuse hours the routing could not evaluate: checked when data is written."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ScheduleError(f"unknown time zone {timezone!r}") from error
    if calendar not in HOLIDAY_CALENDARS:
        raise ScheduleError(f"unknown holiday calendar {calendar!r}")
    if expression is not None:
        _compiled(expression, timezone, calendar, 2025)


def availability(expression: Optional[str], timezone: str, calendar: str, now: datetime) -> Availability:
    """Open now, and the next opening or closing, for a timezone-aware `now`."""
    if expression is None:
        return UNKNOWN
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    hours = _compiled(expression, timezone, calendar, local.year)
    change = hours.next_change(local)
    if change is not None and change.tzinfo is None:
        change = change.replace(tzinfo=zone)
    if hours.is_open(local):
        return Availability(known=True, open_now=True, closes_at=change)
    if hours.is_unknown(local):
        return UNKNOWN
    return Availability(known=True, open_now=False, next_open=change)


def open_intervals(
    expression: Optional[str], timezone: str, calendar: str, start: datetime, end: datetime
) -> Optional[list[tuple[datetime, datetime]]]:
    """When a channel is open between `start` and `end` (aware), in its own time zone.

    None when the hours are unknown; staff see the same week the routing will use.
    """
    if expression is None:
        return None
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    zone = ZoneInfo(timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    hours = _compiled(expression, timezone, calendar, local_start.year)
    found = []
    for begin, finish, state, _comment in hours.intervals(local_start, local_end):
        if state == State.OPEN:
            begin = begin if begin.tzinfo else begin.replace(tzinfo=zone)
            finish = (finish if finish.tzinfo else finish.replace(tzinfo=zone)) if finish else local_end
            found.append((begin, min(finish, local_end)))
    return found


_ALWAYS = N_("Nu open, dag en nacht")
_OPEN = N_("Nu open")
_OPEN_UNTIL = N_("Nu open, tot {time}")
_CLOSED_OPENS = N_("Nu gesloten. Open {day} om {time}")
_CLOSED = N_("Nu gesloten")
_UNKNOWN = N_("Openingstijden zijn bij ons niet bekend")
_TODAY = N_("vandaag")
_TOMORROW = N_("morgen")


def describe(state: Availability, now: datetime, local_zone: str, language: str) -> str:
    """Human words for `state`, with times in the person's own time zone and locale."""
    _: Callable[[str], str] = translator(language)
    locale = text_locale(language)
    zone = ZoneInfo(local_zone)
    if not state.known:
        return _(_UNKNOWN)
    if state.open_now:
        if state.closes_at is None:
            return _(_ALWAYS)
        closes = state.closes_at.astimezone(zone)
        if closes - now > timedelta(hours=24):
            return _(_OPEN)
        return _(_OPEN_UNTIL).format(time=format_time(closes, "short", locale=locale))
    if state.next_open is None:
        return _(_CLOSED)
    opens = state.next_open.astimezone(zone)
    today = now.astimezone(zone).date()
    if opens.date() == today:
        day = _(_TODAY)
    elif opens.date() == today + timedelta(days=1):
        day = _(_TOMORROW)
    else:
        day = format_date(opens, "EEEE d MMMM", locale=locale)
    return _(_CLOSED_OPENS).format(day=day, time=format_time(opens, "short", locale=locale))
