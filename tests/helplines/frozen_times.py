"""Frozen moments for the tests (imported by the test modules next to this file)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KRALENDIJK = ZoneInfo("America/Kralendijk")
#: A Tuesday morning in November: everything with office hours is open.
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM)
#: A Saturday night: office hours are closed.
SATURDAY_NIGHT = datetime(2026, 11, 28, 23, 0, tzinfo=AMSTERDAM)
