"""route(): the one right helpline for a few anonymous answers.

Two layers. The directory decides *who* fits (topics, audiences, coverage, priority are data,
so staff change routing without code). The safety rules here decide what data cannot undo:
the emergency number first when there may be danger, CSG first after recent sexual violence,
the police for a report, Veilig Thuis for people who use violence, De Kindertelefoon beside
Veilig Thuis for young people, 113 beside everything when someone thinks about suicide, an
open 24/7 line when the first choice is closed, and never an empty referral.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Optional, Union

from helplines import safety
from helplines.answers import Answers
from helplines.availability import availability
from helplines.directory import ChannelRecord, Directory, ServiceRecord, Snapshot
from helplines.referral import Recommendation, Referral
from helplines.vocabulary import ISLANDS, TIME_ZONES, WHO
from helplines.warm_referral import Context, Reason, place_name, recommend, summary_nl, topic_name

MAX_ALTERNATIVES = 2
ChannelFilter = Optional[Callable[[ChannelRecord], bool]]


@dataclass
class _Pick:
    service: ServiceRecord
    reasons: list[Reason]
    channel_filter: ChannelFilter = None
    extra_statements: tuple[str, ...] = ()


@dataclass
class _Plan:
    emergency: Optional[_Pick] = None
    primary: Optional[_Pick] = None
    also: list[_Pick] = field(default_factory=list)
    alternatives: list[_Pick] = field(default_factory=list)

    def used(self) -> set[str]:
        picks = [self.emergency, self.primary, *self.also, *self.alternatives]
        return {p.service.id for p in picks if p is not None}


def _first(services: list[ServiceRecord]) -> Optional[ServiceRecord]:
    return services[0] if services else None


def _takes_report_by_phone(channel: ChannelRecord) -> bool:
    return channel.kind == "phone" and channel.takes_report is True


class _Router:
    def __init__(self, answers: Answers, now: datetime, snapshot: Snapshot) -> None:
        self.a = answers
        self.now = now
        self.snap = snapshot
        self.area = answers.where or "nl"
        self.context = Context(answers.language, now, TIME_ZONES[self.area], snapshot.get)
        local = [
            s for s in snapshot.recommendable
            if s.kind == "helpline" and self.area in s.areas and self._eligible(s)
        ]
        self.ranked = sorted(local, key=self._rank)

    def _eligible(self, service: ServiceRecord) -> bool:
        audiences = service.audiences
        if audiences and audiences <= {"young"} and self.a.young is not True:
            return False
        serves_who = audiences & set(WHO)
        return not (self.a.who and serves_who and self.a.who not in serves_who)

    def _rank(self, service: ServiceRecord) -> tuple[int, int, int, int, str]:
        return (
            -(self.a.topic in service.topics),
            -(self.a.who in service.audiences),
            -(bool(self.a.young) and "young" in service.audiences),
            service.priority,
            service.id,
        )

    def matches(self) -> list[ServiceRecord]:
        if self.a.topic:
            return [s for s in self.ranked if self.a.topic in s.topics]
        return self.ranked

    def capable(self, capability: str) -> Optional[ServiceRecord]:
        return _first(self.snap.with_capability(capability, self.area))

    def fit_reasons(self, service: ServiceRecord) -> list[Reason]:
        reasons: list[Reason] = []
        if self.a.topic and self.a.topic in service.topics:
            reasons.append(("topic", {"name": service, "topic": topic_name(self.a.topic, self.a.language)}))
        if self.a.who in ("someone_close", "uses_violence", "professional") and self.a.who in service.audiences:
            reasons.append((self.a.who, {"name": service}))
        if self.a.young and "young" in service.audiences:
            reasons.append(("young", {"name": service}))
        return reasons

    def floor(self) -> _Pick:
        local = self.capable("floor")
        if local is not None:
            return _Pick(local, [("floor", {"name": local})])
        service = _first(self.snap.with_capability("floor")) or safety.FLOOR
        reasons: list[Reason] = [("floor", {"name": service})]
        if self.area not in service.areas:
            reasons.append(("outside_coverage", {"name": service, "place": place_name(self.area, self.a.language)}))
        return _Pick(service, reasons)

    # Safety rules, in order of precedence.

    def emergency(self) -> Optional[_Pick]:
        if self.a.danger_now is False:
            return None
        service = self.capable("emergency") or safety.fallback_emergency(self.area)
        number = service.channels[0].value
        reasons: list[Reason] = [("emergency_danger" if self.a.danger_now else "emergency_doubt", {"number": number})]
        if self.a.where is None:
            reasons.append(("emergency_where_unknown", {}))
        return _Pick(service, reasons)

    def primary(self) -> _Pick:
        a = self.a
        if a.topic == "sexual_violence" and a.recent is True:
            csg = self.capable("acute_sexual_violence_care")
            if csg is not None:
                return _Pick(csg, [("acute_sexual_violence", {}), *self.fit_reasons(csg)])
        if a.wish == "report":
            police = self.capable("official_report")
            if police is not None:
                return _Pick(police, [("report", {}), *self.fit_reasons(police)])
        if a.wish == "shelter" or a.topic == "shelter":
            shelter = _first(
                sorted(
                    (s for s in self.snap.recommendable if s.kind == "shelter" and self.area in s.areas),
                    key=lambda s: (s.priority, s.id),
                )
            )
            intake = self.snap.get(shelter.intake_via) if shelter else None
            if intake is None or not intake.recommendable:
                intake = self.capable("shelter_intake")
            if intake is not None:
                extra = shelter.statements if shelter else ()
                return _Pick(intake, [("shelter", {"name": intake})], extra_statements=extra)
        if a.who == "uses_violence":
            helpers = [s for s in self.matches() if "uses_violence" in s.audiences]
            helpers = helpers or [s for s in self.ranked if "uses_violence" in s.audiences]
            service = _first(helpers) or self.floor().service
            return _Pick(service, [("uses_violence", {"name": service}), *self.fit_reasons(service)])
        if a.young is True and a.topic != "suicidal_thoughts":
            children = self.capable("children_line")
            if children is not None:
                return _Pick(children, self.fit_reasons(children) or [("young", {"name": children})])
        matches = self.matches()
        if not matches:
            return self.floor()
        service = matches[0]
        reasons = self.fit_reasons(service)
        if not reasons:
            reasons = [("floor" if "floor" in service.capabilities else "matches", {"name": service})]
        return _Pick(service, reasons)

    def report_routes(self, plan: _Plan) -> None:
        """A wish to report: the police, or Veilig Thuis by phone (their chat cannot take one)."""
        if self.a.wish != "report":
            return
        assert plan.primary is not None
        police = self.capable("official_report")
        if police is not None and police.id not in plan.used():
            plan.alternatives.append(_Pick(police, [("report", {}), *self.fit_reasons(police)]))
        floor = self.floor().service
        if floor.id not in plan.used() and any(_takes_report_by_phone(c) for c in floor.channels):
            plan.alternatives.append(_Pick(floor, [("report_by_phone", {"name": floor})], _takes_report_by_phone))

    def alongside(self, plan: _Plan) -> None:
        """What is shown beside the primary, whatever the data says."""
        used = plan.used()
        if self.a.suicidal_thoughts or self.a.topic == "suicidal_thoughts":
            service = self.capable("suicide_prevention") or _first(self.snap.with_capability("suicide_prevention"))
            service = service or safety.SUICIDE_PREVENTION
            if service.id not in used:
                plan.also.append(_Pick(service, [("suicide", {"name": service})]))
        if self.a.young is True:
            children = self.capable("children_line")
            if children is not None and children.id not in plan.used():
                plan.also.append(_Pick(children, [("young", {"name": children})]))
            floor = self.floor().service
            if floor.id not in plan.used():
                plan.also.append(_Pick(floor, [("alongside_young", {"name": floor})]))
        if plan.emergency is None and self.area in ISLANDS and not self.ranked:
            service = self.capable("emergency") or safety.fallback_emergency(self.area)
            plan.also.append(
                _Pick(service, [("emergency_on_island", {"place": place_name(self.area, self.a.language)})])
            )

    def fill_alternatives(self, plan: _Plan) -> None:
        if not self.a.topic:
            return
        for service in self.matches():
            if len(plan.alternatives) >= MAX_ALTERNATIVES:
                return
            if service.id not in plan.used():
                plan.alternatives.append(_Pick(service, self.fit_reasons(service)))

    def open_alternative(self, plan: _Plan) -> None:
        """If the primary is closed (or its hours unknown), offer a line that is open day and night."""
        assert plan.primary is not None
        primary = plan.primary
        states = [
            availability(c.opening_hours, c.timezone, c.holiday_calendar, self.now)
            for c in primary.service.channels
            if primary.channel_filter is None or primary.channel_filter(c)
        ]
        if any(s.open_now for s in states):
            return
        code = "closed_alternative" if states and all(s.known for s in states) else "unknown_hours_alternative"

        def always_open(pick: _Pick) -> bool:
            return any(
                availability(c.opening_hours, c.timezone, c.holiday_calendar, self.now).always_open
                for c in pick.service.channels
                if pick.channel_filter is None or pick.channel_filter(c)
            )

        for index, pick in enumerate(plan.alternatives):
            if always_open(pick):
                plan.alternatives.insert(0, plan.alternatives.pop(index))
                pick.reasons.insert(0, (code, {"other": primary.service, "name": pick.service}))
                return
        for pick in plan.also:
            if "floor" in pick.service.capabilities and always_open(pick):
                pick.reasons.insert(0, (code, {"other": primary.service, "name": pick.service}))
                return
        used = plan.used()
        for candidate in [*self.matches(), self.floor().service, *self.ranked]:
            pick = _Pick(candidate, [])
            if candidate.id not in used and always_open(pick):
                pick.reasons = [(code, {"other": primary.service, "name": candidate}), *self.fit_reasons(candidate)]
                plan.alternatives.insert(0, pick)
                del plan.alternatives[MAX_ALTERNATIVES:]
                return

    def referral(self) -> Referral:
        plan = _Plan()
        plan.emergency = self.emergency()
        plan.primary = self.primary()
        self.report_routes(plan)
        self.alongside(plan)
        self.fill_alternatives(plan)
        self.open_alternative(plan)
        del plan.alternatives[MAX_ALTERNATIVES:]

        def build(pick: _Pick) -> Recommendation:
            return recommend(pick.service, pick.reasons, self.context, pick.channel_filter, pick.extra_statements)

        return Referral(
            emergency=build(plan.emergency) if plan.emergency else None,
            primary=build(plan.primary),
            alternatives=[build(p) for p in plan.alternatives],
            also=[build(p) for p in plan.also],
            summary_nl=summary_nl(self.a),
        )


def route(answers: Answers, now: datetime, directory: Union[Directory, Snapshot]) -> Referral:
    """Recommend one helpline (at most two alternatives) for `answers` at time `now` (timezone-aware)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("route() needs a timezone-aware now")
    snapshot = directory.snapshot() if isinstance(directory, Directory) else directory
    return _Router(answers.cleaned(), now, snapshot).referral()
