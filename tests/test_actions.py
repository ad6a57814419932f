"""The referral action, run the way the Rasa SDK runs it, against a real directory."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.referral as referral_action
from actions.referral import ActionGiveReferral
from bot.stack import ROOT
from helplines import Answers, open_directory, route


@pytest.fixture
def directory_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'helplines.sqlite3'}"
    monkeypatch.setenv("HULPWIJZER_DATABASE_URL", url)
    monkeypatch.setattr(referral_action, "_directory", None)
    return url


def tracker_with(metadata: dict | None = None, **slots: object) -> Tracker:
    return Tracker(sender_id="a" * 32, slots=slots, latest_message={"metadata": metadata or {}}, events=[], paused=False,
                   followup_action=None, active_loop={}, latest_action_name="action_listen")


def run(**slots: object) -> list[dict]:
    dispatcher = CollectingDispatcher()
    events = ActionGiveReferral().run(dispatcher, tracker_with(**slots), domain={})
    assert events == []
    return dispatcher.messages


@pytest.mark.parametrize("who", ["victim", "someone_close", "uses_violence", "professional", None])
def test_referral_comes_from_the_directory(directory_url: str, who: str | None) -> None:
    text = "\n".join(m["text"] or "" for m in run(who=who))
    expected = route(Answers(who=who), datetime.now(timezone.utc), open_directory(directory_url))
    assert expected.primary.name in text
    assert expected.primary.why in text
    assert expected.primary.what_happens in text
    for channel in expected.primary.channels:
        assert channel.value in text and channel.availability in text
    assert text.endswith(expected.summary_nl)


def test_every_referral_ends_with_a_way_to_start_over(directory_url: str) -> None:
    last = run(who="victim")[-1]
    assert [b["payload"] for b in last["buttons"]] == ["/restart_conversation"]


def test_a_directory_failure_still_answers_with_the_numbers(
    directory_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database is gone")

    monkeypatch.setattr(referral_action, "route", broken)
    [message] = run(who="victim")
    assert message["response"] == "utter_referral_unavailable"
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    [variant] = domain["responses"]["utter_referral_unavailable"]
    assert "112" in variant["text"] and "0800-2000" in variant["text"]


def test_every_answer_the_tracker_holds_reaches_routing(directory_url: str) -> None:
    slots = {"who": "victim", "topic": "sexual_violence", "recent": True, "danger_now": False,
             "where": "nl", "wish": "talk", "language": "en", "young": False, "suicidal_thoughts": False}
    answers = referral_action.answers_from_tracker(tracker_with(**slots, unrelated="x"))
    assert answers == Answers(**slots)


@pytest.mark.parametrize(("slots", "expected"), [
    ({"danger_now": "yes", "recent": "last_7_days"}, {"danger_now": True, "recent": True}),
    ({"danger_now": "no", "recent": "longer_ago"}, {"danger_now": False, "recent": False}),
    ({"danger_now": "unknown", "who": "unknown", "where": "unknown"}, {}),
])
def test_slot_codes_become_answers_and_skipped_questions_stay_unknown(
    directory_url: str, slots: dict, expected: dict
) -> None:
    answers = referral_action.answers_from_tracker(tracker_with(**slots))
    assert route(answers, datetime.now(timezone.utc), open_directory(directory_url)) == route(
        Answers(**expected), datetime.now(timezone.utc), open_directory(directory_url))
    for name, value in expected.items():
        assert getattr(answers, name) == value


def test_sexual_violence_this_week_routes_to_csg_through_the_action(directory_url: str) -> None:
    text = "\n".join(m["text"] or "" for m in run(topic="sexual_violence", recent="last_7_days"))
    assert "Centrum Seksueel Geweld" in text and "0800-0188" in text


@pytest.mark.parametrize(("slot", "metadata", "expected"), [
    (None, {"language": "ar"}, "ar"),   # the channel's language
    ("en", {"language": "ar"}, "en"),   # what the person asked for wins
    (None, {}, "nl"),
    ("xx", {"language": "zz"}, "nl"),
])
def test_the_referral_language_follows_the_person_then_the_channel(
    directory_url: str, slot: str | None, metadata: dict, expected: str
) -> None:
    assert referral_action.answers_from_tracker(tracker_with(metadata, language=slot)).language == expected
