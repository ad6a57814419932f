"""Safety nets in code that no data edit can remove: the emergency numbers and the floor.

Routing prefers the directory's own entries; these are used only when the data lacks them
(deleted, unverified, closed). Facts and sources are the same as in the seed: emergency
numbers 112 and 911 and Veilig Thuis 0800-2000 (24/7, free) from the project domain notes
and UN Women NL (2025), actiepunten 30-31.
"""
from __future__ import annotations

from types import MappingProxyType

from helplines.directory import ChannelRecord, ServiceRecord
from helplines.vocabulary import AUDIENCES, ISLANDS

_EVERYONE = frozenset(AUDIENCES)


def _phone(number: str, zone: str, calendar: str, **flags: bool) -> ChannelRecord:
    return ChannelRecord(kind="phone", value=number, url=None, opening_hours="24/7", timezone=zone,
                         holiday_calendar=calendar, **flags)


def _service(id: str, kind: str, names: dict[str, str], areas: frozenset[str], capabilities: frozenset[str],
             statements: tuple[str, ...], channel: ChannelRecord) -> ServiceRecord:
    return ServiceRecord(
        id=id, kind=kind, status="active", priority=0, names=MappingProxyType(names), alerts=MappingProxyType({}),
        topics=frozenset(), audiences=_EVERYONE, areas=areas, capabilities=capabilities, statements=statements,
        channels=(channel,),
    )


EMERGENCY_NL = _service(
    "emergency_112", "emergency", {"nl": "Alarmnummer 112", "en": "Emergency number 112"},
    frozenset({"nl"}), frozenset({"emergency"}), ("emergency_dispatch",),
    _phone("112", "Europe/Amsterdam", "nl"),
)
EMERGENCY_ISLANDS = _service(
    "emergency_911_bes", "emergency",
    {"nl": "Alarmnummer 911 (Bonaire, Sint Eustatius, Saba)", "en": "Emergency number 911 (Bonaire, Sint Eustatius, Saba)"},
    frozenset(ISLANDS), frozenset({"emergency"}), ("emergency_dispatch",),
    _phone("911", "America/Kralendijk", "bonaire"),
)
FLOOR = _service(
    "veilig_thuis", "helpline", {"nl": "Veilig Thuis", "en": "Veilig Thuis (Safe at Home)"},
    frozenset({"nl"}), frozenset({"floor", "shelter_intake"}), ("advice_first",),
    _phone("0800-2000", "Europe/Amsterdam", "nl", free=True, anonymous=True, takes_report=True),
)


def fallback_emergency(area: str) -> ServiceRecord:
    return EMERGENCY_ISLANDS if area in ISLANDS else EMERGENCY_NL
SUICIDE_PREVENTION = _service(
    "zelfmoordpreventie_113", "helpline", {"nl": "113 Zelfmoordpreventie", "en": "113 Suicide Prevention"},
    frozenset({"nl"}), frozenset({"suicide_prevention"}), ("suicide_prevention_talk",),
    _phone("0800-0113", "Europe/Amsterdam", "nl", free=True, anonymous=True, on_phone_bill=False),
)
