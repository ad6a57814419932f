"""What routing hands to every channel: plain dataclasses, ready to render or serialise."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional


@dataclass(frozen=True)
class ChannelView:
    """One way to make contact, with what a person needs to decide: open, free, anonymous."""

    kind: str
    label: str
    value: str
    href: Optional[str]
    open_now: bool
    availability: str
    next_open: Optional[datetime]
    free: Optional[bool]
    anonymous: Optional[bool]
    on_phone_bill: Optional[bool]
    takes_report: Optional[bool]


@dataclass(frozen=True)
class Recommendation:
    service_id: str
    name: str
    why: str
    what_happens: str
    channels: list[ChannelView]
    alert: Optional[str] = None

    @property
    def open_now(self) -> bool:
        return any(channel.open_now for channel in self.channels)


@dataclass
class Referral:
    """One recommendation first; the emergency number before it when there may be danger."""

    primary: Recommendation
    emergency: Optional[Recommendation] = None
    alternatives: list[Recommendation] = field(default_factory=list)
    also: list[Recommendation] = field(default_factory=list)
    summary_nl: str = ""

    def ordered(self) -> list[Recommendation]:
        """Display order: emergency, the one recommendation, what to show alongside, alternatives."""
        first = [self.emergency] if self.emergency is not None else []
        return [*first, self.primary, *self.also, *self.alternatives]
