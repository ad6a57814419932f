"""Open now, frozen in time: the DST switch, Dutch public holidays, the islands' time zone."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from frozen_times import AMSTERDAM, KRALENDIJK
from helplines import Answers, route
from helplines.availability import availability, describe, expand_public_holidays
from helplines.models import ContactChannel

OFFICE = "Mo-Fr 09:00-17:00; PH off"
UTC = timezone.utc


def state_text(expression: str, now: datetime, zone: str = "Europe/Amsterdam", calendar: str = "nl",
               local_zone: str = "Europe/Amsterdam") -> tuple[bool, str]:
    state = availability(expression, zone, calendar, now)
    return state.open_now, describe(state, now, local_zone, "nl")


@pytest.mark.parametrize(
    "now, open_now, text",
    [
        # Spring forward: Sunday 29 March 2026, 02:00 CET becomes 03:00 CEST.
        (datetime(2026, 3, 27, 17, 0, tzinfo=UTC), False, "Nu gesloten. Open maandag 30 maart om 09:00"),
        (datetime(2026, 3, 30, 6, 30, tzinfo=UTC), False, "Nu gesloten. Open vandaag om 09:00"),
        (datetime(2026, 3, 30, 7, 30, tzinfo=UTC), True, "Nu open, tot 17:00"),  # 09:30 CEST, not 08:30 CET
        (datetime(2026, 3, 30, 15, 30, tzinfo=UTC), False, "Nu gesloten. Open morgen om 09:00"),  # 17:30 CEST
        # Fall back: Sunday 25 October 2026, 03:00 CEST becomes 02:00 CET.
        (datetime(2026, 10, 26, 7, 30, tzinfo=UTC), False, "Nu gesloten. Open vandaag om 09:00"),  # 08:30 CET
        (datetime(2026, 10, 26, 8, 30, tzinfo=UTC), True, "Nu open, tot 17:00"),
        # Public holidays (PH off): Koningsdag, Christmas, New Year across the year boundary.
        (datetime(2026, 4, 27, 10, 0, tzinfo=AMSTERDAM), False, "Nu gesloten. Open morgen om 09:00"),
        (datetime(2026, 12, 24, 10, 0, tzinfo=AMSTERDAM), True, "Nu open, tot 17:00"),
        (datetime(2026, 12, 25, 10, 0, tzinfo=AMSTERDAM), False, "Nu gesloten. Open maandag 28 december om 09:00"),
        (datetime(2026, 12, 31, 18, 0, tzinfo=AMSTERDAM), False, "Nu gesloten. Open maandag 4 januari om 09:00"),
    ],
)
def test_office_hours_in_amsterdam(now: datetime, open_now: bool, text: str) -> None:
    assert state_text(OFFICE, now) == (open_now, text)


def test_next_open_is_exact_across_the_dst_switch() -> None:
    state = availability(OFFICE, "Europe/Amsterdam", "nl", datetime(2026, 3, 27, 17, 0, tzinfo=UTC))
    assert state.next_open is not None
    assert state.next_open.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert state.next_open.utcoffset().total_seconds() == 2 * 3600


def test_a_24_7_line_is_open_in_the_missing_hour() -> None:
    state = availability("24/7", "Europe/Amsterdam", "nl", datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    assert state.always_open
    assert describe(state, datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "Europe/Amsterdam", "nl") == "Nu open, dag en nacht"


def test_islands_time_zone_and_holidays() -> None:
    hours = "Mo-Fr 08:00-16:00; PH off"
    # 12:30 UTC is 08:30 on Bonaire (UTC-4, no DST) and 13:30 in Amsterdam.
    assert availability(hours, "America/Kralendijk", "bonaire", datetime(2026, 11, 24, 12, 30, tzinfo=UTC)).open_now
    assert not availability(hours, "America/Kralendijk", "bonaire", datetime(2026, 11, 24, 11, 30, tzinfo=UTC)).open_now
    # Dia di Rincon (30 April) is a holiday on Bonaire, not in the European Netherlands.
    rincon = datetime(2026, 4, 30, 10, 0, tzinfo=KRALENDIJK)
    assert not availability(hours, "America/Kralendijk", "bonaire", rincon).open_now
    assert availability(hours, "America/Kralendijk", "nl", rincon).open_now
    # Saba Day (4 December) only on Saba.
    saba_day = datetime(2026, 12, 4, 10, 0, tzinfo=KRALENDIJK)
    assert not availability(hours, "America/Kralendijk", "saba", saba_day).open_now
    assert availability(hours, "America/Kralendijk", "sint_eustatius", saba_day).open_now


def test_times_are_shown_in_the_persons_time_zone() -> None:
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=AMSTERDAM)
    assert state_text(OFFICE, friday_evening, local_zone="America/Kralendijk") == (
        False,
        "Nu gesloten. Open maandag 30 november om 04:00",
    )


def test_unknown_hours_are_never_called_open() -> None:
    state = availability(None, "Europe/Amsterdam", "nl", datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM))
    assert not state.known and not state.open_now
    assert describe(state, datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM), "Europe/Amsterdam", "nl") == (
        "Openingstijden zijn bij ons niet bekend"
    )


def test_public_holidays_come_from_the_holidays_package() -> None:
    expanded = expand_public_holidays(OFFICE, "nl", (2026,))
    assert "2026 Apr 27" in expanded and "2026 Dec 25" in expanded and "PH" not in expanded


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        availability(OFFICE, "Europe/Amsterdam", "nl", datetime(2026, 11, 24, 10, 0))


@pytest.fixture
def chat_active(fresh_directory):  # type: ignore[no-untyped-def]
    """Veilig Thuis chat as staff would enable it once its address is verified."""
    with fresh_directory.session() as session:
        chat = session.query(ContactChannel).filter_by(service_id="veilig_thuis", kind="chat").one()
        chat.status, chat.value, chat.url = "active", "Chat", "https://example.org/chat"
        chat.verified_on, chat.verified_by = datetime(2026, 11, 22).date(), "test"
    return fresh_directory


@pytest.mark.parametrize(
    "now, chat_open, chat_text",
    [
        (datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM), True, "Nu open, tot 17:00"),
        (datetime(2026, 4, 27, 10, 0, tzinfo=AMSTERDAM), False, "Nu gesloten. Open morgen om 09:00"),  # Koningsdag
        (datetime(2026, 12, 25, 10, 0, tzinfo=AMSTERDAM), False, "Nu gesloten. Open maandag 28 december om 09:00"),
    ],
)
def test_referral_shows_chat_hours_and_open_phone_first(chat_active, now, chat_open, chat_text) -> None:
    referral = route(Answers(danger_now=False, topic="partner_violence"), now, chat_active)
    channels = {c.kind: c for c in referral.primary.channels}
    assert channels["chat"].open_now is chat_open and channels["chat"].availability == chat_text
    assert channels["phone"].open_now and channels["phone"].availability == "Nu open, dag en nacht"
    assert referral.primary.channels[0].open_now
