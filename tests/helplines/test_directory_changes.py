"""Data, not code: staff edits change routing on the next call, without a restart."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from frozen_times import TUESDAY_MORNING
from helplines import Answers, route
from helplines import models as m


def add_central_line(directory) -> None:  # type: ignore[no-untyped-def]
    with directory.session() as session:
        session.add(m.Organization(id="landelijke_hulplijn", name="Landelijke hulplijn"))
        service = m.Service(
            id="landelijke_hulplijn", organization_id="landelijke_hulplijn", kind="helpline", status="active",
            priority=1, source_url="https://example.org/bron", verified_on=TUESDAY_MORNING.date(), verified_by="test",
        )
        service.texts = [m.ServiceText(language="nl", name="Landelijke hulplijn geweld")]
        service.topics = [m.ServiceTopic(topic="stalking")]
        service.audiences = [m.ServiceAudience(audience="victim")]
        service.areas = [m.ServiceArea(area="nl")]
        service.channels = [
            m.ContactChannel(kind="phone", status="active", value="0800-0000", opening_hours="24/7",
                             source_url="https://example.org/bron", verified_on=TUESDAY_MORNING.date(), verified_by="test")
        ]
        session.add(service)


def test_a_new_service_changes_routing_without_code(fresh_directory) -> None:
    answers = Answers(danger_now=False, topic="stalking", who="victim")
    assert route(answers, TUESDAY_MORNING, fresh_directory).primary.service_id == "veilig_thuis"
    add_central_line(fresh_directory)
    referral = route(answers, TUESDAY_MORNING, fresh_directory)
    assert referral.primary.service_id == "landelijke_hulplijn"
    assert "Landelijke hulplijn geweld helpt bij stalking." in referral.primary.why
    assert "veilig_thuis" in [r.service_id for r in referral.alternatives]


def test_plain_sql_edits_show_up_too(fresh_directory) -> None:
    """Triggers raise the version, so even an edit outside the ORM is seen on the next route()."""
    answers = Answers(danger_now=False, topic="online_violence")
    assert route(answers, TUESDAY_MORNING, fresh_directory).primary.service_id == "safetyned"
    with fresh_directory.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE service SET status = 'temporarily_closed' WHERE id = 'safetyned'")
    assert route(answers, TUESDAY_MORNING, fresh_directory).primary.service_id != "safetyned"
    with fresh_directory.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE service SET status = 'active' WHERE id = 'safetyned'")
        connection.exec_driver_sql("UPDATE service_text SET alert = 'Let op: dit is een test.' WHERE service_id = 'safetyned' AND language = 'nl'")
    referral = route(answers, TUESDAY_MORNING, fresh_directory)
    assert referral.primary.service_id == "safetyned" and referral.primary.alert == "Let op: dit is een test."


def test_unverified_or_removed_safety_services_fall_back_to_code(fresh_directory) -> None:
    """Data cannot remove the emergency number or the floor."""
    with fresh_directory.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE service SET status = 'unverified' WHERE kind = 'emergency' OR id = 'veilig_thuis'")
    referral = route(Answers(where="saba", danger_now=True), TUESDAY_MORNING, fresh_directory)
    assert referral.emergency.channels[0].value == "911"
    assert referral.primary.channels[0].value == "0800-2000"
    referral = route(Answers(danger_now=True), TUESDAY_MORNING, fresh_directory)
    assert referral.emergency.channels[0].value == "112"


def test_snapshot_is_reused_until_something_changes(fresh_directory) -> None:
    first = fresh_directory.snapshot()
    assert fresh_directory.snapshot() is first
    add_central_line(fresh_directory)
    assert fresh_directory.snapshot() is not first


def test_shared_across_threads(fresh_directory) -> None:
    answers = [Answers(topic=t, danger_now=False) for t in ("stalking", "sexual_violence", "online_violence", None)] * 25

    def run(a: Answers) -> str:
        return route(a, TUESDAY_MORNING, fresh_directory).primary.service_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, answers))
    assert results == [run(a) for a in answers]


def test_database_outage_routes_on_the_last_snapshot(fresh_directory, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    expected = route(Answers(topic="stalking"), TUESDAY_MORNING, fresh_directory)

    def unreachable() -> int:
        raise OperationalError("SELECT version", {}, Exception("database is locked"))

    monkeypatch.setattr(fresh_directory, "version", unreachable)
    assert route(Answers(topic="stalking"), TUESDAY_MORNING, fresh_directory) == expected
