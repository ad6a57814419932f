"""Every seeded service: how a person reaches it, or why it is never shown."""
from __future__ import annotations

import pytest
import yaml

from frozen_times import SATURDAY_NIGHT, TUESDAY_MORNING
from helplines import Answers, route
from helplines.seed import DEFAULT_SEED

#: service id -> (answers, where it must appear, its first number or address)
ROUTES = {
    "emergency_112": (Answers(danger_now=True, where="nl"), "emergency", "112"),
    "emergency_911_bes": (Answers(danger_now=True, where="sint_eustatius"), "emergency", "911"),
    "veilig_thuis": (Answers(danger_now=False, topic="domestic_violence"), "primary", "0800-2000"),
    "centrum_seksueel_geweld": (Answers(danger_now=False, topic="sexual_violence", recent=True), "primary", "0800-0188"),
    "politie": (Answers(danger_now=False, wish="report"), "primary", "0900-8844"),
    "slachtofferhulp": (Answers(danger_now=False, topic="crime_victim"), "primary", "0900-0101"),
    "safetyned": (Answers(danger_now=False, topic="online_violence"), "primary", "safetyned.org"),
    "zelfmoordpreventie_113": (Answers(danger_now=False, topic="suicidal_thoughts"), "primary", "0800-0113"),
    "kindertelefoon": (Answers(danger_now=False, young=True), "primary", "0800-0432"),
    "meld_misdaad_anoniem": (Answers(danger_now=False, topic="child_abuse", who="someone_close"), "alternatives", "0800-7000"),
}
#: Reached only through another service.
THROUGH = {"vrouwenopvang": (Answers(danger_now=False, wish="shelter"), "veilig_thuis")}
#: Stored but never recommended (contact details not in our sources).
NEVER = {"comensha": "human_trafficking", "knooppunt_huwelijksdwang": "honour_violence"}


def test_the_table_covers_every_seeded_service() -> None:
    seeded = {s["id"] for s in yaml.safe_load(DEFAULT_SEED.read_text())["services"]}
    assert seeded == set(ROUTES) | set(THROUGH) | set(NEVER)


@pytest.mark.parametrize("service_id", sorted(ROUTES))
@pytest.mark.parametrize("now", [TUESDAY_MORNING, SATURDAY_NIGHT], ids=["tuesday", "saturday-night"])
def test_reachable(directory, service_id: str, now) -> None:
    answers, slot, value = ROUTES[service_id]
    referral = route(answers, now, directory)
    found = getattr(referral, slot)
    recommendations = found if isinstance(found, list) else [found]
    match = next(r for r in recommendations if r.service_id == service_id)
    assert value in [c.value for c in match.channels]
    assert match.why and match.what_happens


@pytest.mark.parametrize("service_id", sorted(THROUGH))
def test_reached_through_intake(directory, service_id: str) -> None:
    answers, intake = THROUGH[service_id]
    referral = route(answers, TUESDAY_MORNING, directory)
    assert referral.primary.service_id == intake
    assert service_id not in [r.service_id for r in referral.ordered()]


@pytest.mark.parametrize("service_id", sorted(NEVER))
@pytest.mark.parametrize("who", [None, "victim", "someone_close", "professional"])
def test_unverified_never_recommended(directory, service_id: str, who) -> None:
    referral = route(Answers(topic=NEVER[service_id], who=who, danger_now=False), TUESDAY_MORNING, directory)
    assert service_id not in [r.service_id for r in referral.ordered()]
