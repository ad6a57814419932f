"""The opening-hours preview staff see before they save: what the bot would say, and the week ahead.

Computed with the same code routing uses (`helplines.availability`), in the channel's own
time zone and holiday calendar, so the preview cannot disagree with the bot's next answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import holidays

from helplines.availability import ScheduleError, availability, describe, open_intervals, validate_schedule
from helplines.vocabulary import HOLIDAY_CALENDARS

DAYS_AHEAD = 7


@dataclass(frozen=True)
class Day:
    day: date
    holiday: Optional[str]
    hours: Optional[list[tuple[time, time]]]  # None: not known; []: closed all day


@dataclass(frozen=True)
class Preview:
    """`error` is set (and the rest empty) when the hours cannot be evaluated."""

    bot_says: str = ""
    open_now: Optional[bool] = None
    days: tuple[Day, ...] = ()
    error: Optional[str] = None


def preview(expression: Optional[str], timezone: str, calendar: str, now: datetime) -> Preview:
    """Open now (in the bot's Dutch words) and the next seven days, public holidays named."""
    expression = (expression or "").strip() or None
    try:
        validate_schedule(expression, timezone, calendar)
        state = availability(expression, timezone, calendar, now)
    except (ScheduleError, ValueError) as error:
        return Preview(error=str(error))
    zone = ZoneInfo(timezone)
    first = now.astimezone(zone).date()
    country, subdivision = HOLIDAY_CALENDARS[calendar]
    named = holidays.country_holidays(country, subdiv=subdivision, years=(first.year, first.year + 1))
    days = []
    for offset in range(DAYS_AHEAD):
        day = first + timedelta(days=offset)
        start = datetime.combine(day, time(0), zone)
        end = datetime.combine(day + timedelta(days=1), time(0), zone)
        intervals = open_intervals(expression, timezone, calendar, start, end)
        hours = None if intervals is None else [
            (begin.astimezone(zone).time(), time(23, 59) if finish >= end else finish.astimezone(zone).time())
            for begin, finish in intervals
        ]
        days.append(Day(day=day, holiday=named.get(day), hours=hours))
    return Preview(
        bot_says=describe(state, now, timezone, "nl"),
        open_now=state.open_now if state.known else None,
        days=tuple(days),
    )
