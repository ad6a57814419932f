"""Properties that hold for any answers at any moment (hypothesis)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helplines import TOPICS, WHERE, WHO, WISHES, Answers, route

UNVERIFIED = {"comensha", "knooppunt_huwelijksdwang"}
maybe_bool = st.sampled_from([None, True, False])


def maybe(values: tuple[str, ...]) -> st.SearchStrategy:
    return st.one_of(st.none(), st.sampled_from(values), st.text(max_size=8))


answers = st.builds(
    Answers,
    who=maybe(WHO),
    young=maybe_bool,
    danger_now=maybe_bool,
    topic=maybe(TOPICS),
    recent=maybe_bool,
    where=maybe(WHERE),
    wish=maybe(WISHES),
    language=st.sampled_from(["nl", "en", "ar", "tr", "pl", "pap", "uk", "zz", "", "nl-BE"]),
    suicidal_thoughts=maybe_bool,
)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(timezone.utc)
)


@pytest.fixture(scope="module")
def snapshot(directory):  # type: ignore[no-untyped-def]
    return directory.snapshot()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers, now=moments)
def test_never_an_empty_referral(snapshot, answers: Answers, now: datetime) -> None:
    referral = route(answers, now, snapshot)
    assert referral.primary is not None and referral.primary.channels
    assert all(c.value and c.href for c in referral.primary.channels)
    assert referral.primary.why and referral.summary_nl
    assert len(referral.alternatives) <= 2
    shown = [r.service_id for r in referral.ordered()]
    assert len(shown) == len(set(shown))
    assert not UNVERIFIED & set(shown)
    assert "vrouwenopvang" not in shown, "a shelter is reached through its intake line"
    text = " ".join(f"{r.why} {r.what_happens}" for r in referral.ordered()) + referral.summary_nl
    assert "ruzie" not in text.lower()
    if answers.danger_now is True or answers.danger_now is None:
        assert referral.emergency is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers, now=moments, where=st.sampled_from(WHERE))
def test_danger_puts_the_local_emergency_number_first(snapshot, answers: Answers, now: datetime, where: str) -> None:
    referral = route(Answers(**{**answers.__dict__, "danger_now": True, "where": where}), now, snapshot)
    first = referral.ordered()[0]
    assert first is referral.emergency
    assert first.channels[0].value == ("112" if where == "nl" else "911")
    assert first.channels[0].href == ("tel:112" if where == "nl" else "tel:911")
    assert first.channels[0].open_now


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers, now=moments)
def test_suicidal_thoughts_always_show_113(snapshot, answers: Answers, now: datetime) -> None:
    referral = route(Answers(**{**answers.__dict__, "suicidal_thoughts": True}), now, snapshot)
    shown = [c.value for r in referral.ordered() for c in r.channels]
    assert "0800-0113" in shown


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers, now=moments)
def test_primary_closed_means_an_open_line_is_offered(snapshot, answers: Answers, now: datetime) -> None:
    referral = route(answers, now, snapshot)
    if not referral.primary.open_now:
        others = [*referral.also, *referral.alternatives]
        if referral.emergency is not None:
            others.append(referral.emergency)
        assert any(r.open_now for r in others)


def test_time_must_be_timezone_aware(snapshot) -> None:
    with pytest.raises(ValueError):
        route(Answers(), datetime(2026, 1, 1), snapshot)


def test_any_offset_gives_the_same_referral(snapshot) -> None:
    moment = datetime(2026, 11, 28, 22, 0, tzinfo=timezone.utc)
    other = moment.astimezone(timezone(timedelta(hours=-4)))
    assert route(Answers(topic="stalking"), moment, snapshot) == route(Answers(topic="stalking"), other, snapshot)
