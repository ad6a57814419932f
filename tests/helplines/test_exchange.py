"""Exchange formats: what staff export and import must give back the same directory.

Round trips go through the text a file would hold (YAML for the seed, JSON for HSDS), into
an empty database, and are compared twice: as a normalised dump of every table, and by the
referrals routing gives for a table of answers at two moments.
"""
from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
from typing import Any, Callable

import pytest
import yaml
from sqlalchemy import func, select

from helplines import Answers, route
from helplines import models as m
from helplines import seed
from helplines.directory import Directory
from helplines.hsds import ADDRESS_FIELDS, EXTENSION, HsdsError, export_hsds, import_hsds, weekly_schedules
from helplines.seed import DirectoryNotEmpty, SeedError, export_seed, import_seed_document
from helplines.vocabulary import TOPICS, WHERE, WHO, WISHES

from frozen_times import SATURDAY_NIGHT, TUESDAY_MORNING

CHECKED = dict(source_url="https://example.org/checked", verified_on=dt.date(2026, 11, 20), verified_by="test, by phone")


def enrich(directory: Directory) -> None:
    """Add what the seed lacks, so the round trip covers every field and channel kind."""
    with directory.session() as session:
        kinder = session.get(m.Service, "kindertelefoon")
        kinder.channels.append(m.ContactChannel(
            kind="chat", status="active", value="Chat", url="https://example.org/chat", position=5,
            opening_hours="Mo-Fr 14:00-20:00; PH off", timezone="Europe/Amsterdam", holiday_calendar="nl",
            free=True, anonymous=True, on_phone_bill=False, takes_report=False, **CHECKED,
        ))
        kinder.channels.append(m.ContactChannel(
            kind="text_relay", status="active", value="0800-0432", position=9,
            opening_hours="Mo-Fr 09:00-12:00,13:00-17:00; Sa 10:00-14:00; PH off", free=True, **CHECKED,
        ))
        slachtofferhulp = session.get(m.Service, "slachtofferhulp")
        slachtofferhulp.channels.append(m.ContactChannel(
            kind="website", status="active", value="example.org", url="https://example.org/", position=7, **CHECKED,
        ))
        slachtofferhulp.channels.append(m.ContactChannel(
            kind="email", status="inactive", value="help@example.org", position=8,
            opening_hours="Mo-Fr 09:00-17:00; 2026 Dec 31 09:00-13:00", source_url="https://example.org/mail",
        ))
        veilig_thuis = session.get(m.Service, "veilig_thuis")
        veilig_thuis.texts.append(m.ServiceText(language="tr", name="Veilig Thuis (Güvenli Ev)", description="Türkçe"))
        veilig_thuis.priority = 11
        veilig_thuis.languages = [m.ServiceLanguage(language=code) for code in ("nl", "en", "tr")]
        politie = session.get(m.Service, "politie")
        politie.status = "temporarily_closed"
        for text in politie.texts:
            text.alert = {"nl": "Tijdelijk niet bereikbaar.", "en": "Temporarily unavailable."}.get(text.language)


def dump(directory: Directory) -> dict[str, Any]:
    """Every fact routing or staff can see, without row ids, positions or timestamps."""

    def verified(entry: m.Verified) -> tuple:
        return entry.source_url, entry.source_note, entry.verified_on, entry.verified_by

    with directory.session() as session:
        organizations = {o.id: o.name for o in session.scalars(select(m.Organization))}
        services = {}
        for s in session.scalars(select(m.Service)):
            services[s.id] = {
                "organization": s.organization_id, "kind": s.kind, "status": s.status, "priority": s.priority,
                "intake_via": s.intake_via_id, "verified": verified(s),
                "texts": {t.language: (t.name, t.description, t.alert) for t in s.texts},
                "topics": {t.topic for t in s.topics},
                "audiences": {a.audience for a in s.audiences},
                "areas": {a.area for a in s.areas},
                "capabilities": {c.capability for c in s.capabilities},
                "statements": [x.statement for x in sorted(s.statements, key=lambda x: x.position)],
                "languages": {x.language for x in s.languages},
                "channels": [
                    (c.kind, c.status, c.value, c.url, c.opening_hours, c.timezone, c.holiday_calendar,
                     c.free, c.anonymous, c.on_phone_bill, c.takes_report, verified(c))
                    for c in sorted(s.channels, key=lambda c: (c.position, c.id))
                ],
            }
    return {"organizations": organizations, "services": services}


ANSWERS = [
    Answers(who=who, danger_now=danger, topic=topic, where=where, wish=wish)
    for who, danger, topic, where, wish in itertools.product(
        (None, *WHO), (None, False, True), (None, *TOPICS), (None, *WHERE), (None, *WISHES)
    )
    if who is None or (wish is None and where is None)
] + [
    Answers(young=True, danger_now=False, topic="child_abuse"),
    Answers(danger_now=False, topic="sexual_violence", recent=True, language="en"),
    Answers(danger_now=False, topic="partner_violence", suicidal_thoughts=True, language="tr"),
]


def referrals(directory: Directory, answers_table: list[Answers] = ANSWERS) -> list:
    return [route(answers, now, directory) for now in (TUESDAY_MORNING, SATURDAY_NIGHT) for answers in answers_table]


def via_yaml(session) -> dict[str, Any]:
    return yaml.safe_load(yaml.safe_dump(export_seed(session), sort_keys=False, allow_unicode=True, width=100))


def via_json(session) -> dict[str, Any]:
    return json.loads(json.dumps(export_hsds(session), ensure_ascii=False))


FORMATS: dict[str, tuple[Callable, Callable]] = {
    "seed": (via_yaml, import_seed_document),
    "hsds": (via_json, import_hsds),
}


@pytest.fixture
def rich_directory(fresh_directory: Directory) -> Directory:
    enrich(fresh_directory)
    return fresh_directory


@pytest.fixture(params=sorted(FORMATS))
def round_trip(request, rich_directory: Directory, empty_directory: Directory) -> tuple[Directory, Directory, dict, str]:
    export, load = FORMATS[request.param]
    with rich_directory.session() as session:
        document = export(session)
    with empty_directory.session() as session:
        count = load(session, document)
    assert count == len(dump(rich_directory)["services"])
    return rich_directory, empty_directory, document, request.param


def test_round_trip_gives_the_same_directory(round_trip) -> None:
    original, copy_, _, _ = round_trip
    before, after = dump(original), dump(copy_)
    assert after == before
    # the enrichment really went through, not only what the seed already had
    assert [c[0] for c in after["services"]["kindertelefoon"]["channels"]][-2:] == ["chat", "text_relay"]
    assert after["services"]["politie"]["status"] == "temporarily_closed"
    assert "tr" in after["services"]["veilig_thuis"]["texts"]
    assert after["services"]["veilig_thuis"]["languages"] == {"nl", "en", "tr"}


def test_round_trip_gives_the_same_referrals(round_trip) -> None:
    original, copy_, _, _ = round_trip
    assert len(ANSWERS) > 1000
    assert referrals(copy_) == referrals(original)


def test_round_trip_changes_what_routing_sees_when_the_data_differs(rich_directory, empty_directory) -> None:
    """The comparisons above would notice a lost fact: one changed status changes both."""
    with rich_directory.session() as session:
        document = via_yaml(session)
    next(s for s in document["services"] if s["id"] == "veilig_thuis")["status"] = "inactive"
    with empty_directory.session() as session:
        import_seed_document(session, document)
    assert dump(empty_directory) != dump(rich_directory)
    assert referrals(empty_directory, ANSWERS[:50]) != referrals(rich_directory, ANSWERS[:50])


def test_round_trip_of_the_round_trip_is_the_same_document(round_trip) -> None:
    _, copy_, document, fmt = round_trip
    with copy_.session() as session:
        assert FORMATS[fmt][0](session) == document


def test_hsds_export_has_the_standard_shape(rich_directory) -> None:
    with rich_directory.session() as session:
        document = via_json(session)
    assert {"organizations", "services", "phones", "schedules", "languages", "service_areas", "metadata"} <= set(document)
    organization_ids = {o["id"] for o in document["organizations"]}
    service_ids = {s["id"] for s in document["services"]}
    assert all(o["name"] and "description" in o for o in document["organizations"])
    for service in document["services"]:
        assert service["name"] and service["organization_id"] in organization_ids
        assert service["status"] in ("active", "inactive", "defunct", "temporarily closed")
        assert re.fullmatch(r"[0-9a-f-]{36}", service["id"])
    for table in ("phones", "schedules", "languages", "service_areas"):
        assert all(row["service_id"] in service_ids for row in document[table]), table
        assert len({row["id"] for row in document[table]}) == len(document[table]), table
    assert {s["id"]: s for s in document["services"]}  # ids unique
    assert len(service_ids) == len(document["services"])


def test_every_phone_carries_its_number(rich_directory) -> None:
    with rich_directory.session() as session:
        document = via_json(session)
        numbers = {
            c.value for c in session.scalars(select(m.ContactChannel))
            if c.kind in ("phone", "text_relay") and c.value
        }
    assert all(phone["number"] and phone["type"] in ("voice", "textphone") for phone in document["phones"])
    assert {phone["number"] for phone in document["phones"]} == numbers
    assert {"112", "911", "0800-2000", "113", "0800-0113"} <= numbers
    by_number = {p["number"]: p for p in document["phones"]}
    assert by_number["0800-2000"][EXTENSION]["free"] is True
    assert by_number["0800-2000"][EXTENSION]["anonymous"] is True
    assert by_number["0800-2000"][EXTENSION]["takes_report"] is True
    assert by_number["911"][EXTENSION]["timezone"] == "America/Kralendijk"
    assert by_number["911"][EXTENSION]["holidays"] == "bonaire"


def test_hsds_keeps_verification_and_languages_in_its_own_words(rich_directory) -> None:
    with rich_directory.session() as session:
        document = via_json(session)
    services = {s[EXTENSION]["id"]: s for s in document["services"]}
    assert services["veilig_thuis"]["assured_date"] == "2026-11-22"
    assert any(
        row["resource_id"] == services["veilig_thuis"]["id"] and row["last_action_type"] == "verified"
        and row["updated_by"].startswith("Hulpwijzer team")
        for row in document["metadata"]
    )
    assert "assured_date" not in services["comensha"]  # never checked: no date is made up
    spoken = {(row["code"], row["name"]) for row in document["languages"] if row["service_id"] == services["veilig_thuis"]["id"]}
    assert spoken == {("nl", "Dutch"), ("en", "English"), ("tr", "Turkish")}


def _keys(value: Any):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@pytest.mark.parametrize("export", [via_yaml, via_json], ids=["seed", "hsds"])
def test_no_address_anywhere(rich_directory, export) -> None:
    with rich_directory.session() as session:
        document = export(session)
    assert not set(_keys(document)) & ADDRESS_FIELDS
    text = json.dumps(document, default=str, ensure_ascii=False)
    assert not re.search(r"\b[1-9][0-9]{3} ?[A-Z]{2}\b", text)  # no Dutch postcode in any text
    shelter = next(s for s in document["services"] if (s.get(EXTENSION) or s)["id"] == "vrouwenopvang")
    if export is via_json:
        assert not [p for p in document["phones"] if p["service_id"] == shelter["id"]]
        assert shelter[EXTENSION]["channels"] == [] and shelter[EXTENSION]["intake_via"] == "veilig_thuis"
    else:
        assert "channels" not in shelter and shelter["intake_via"] == "veilig_thuis"


@pytest.mark.parametrize("where", ["top", "service", "phone"])
def test_hsds_import_refuses_any_location(rich_directory, empty_directory, where) -> None:
    with rich_directory.session() as session:
        document = via_json(session)
    shelter = next(s for s in document["services"] if s[EXTENSION]["id"] == "vrouwenopvang")
    if where == "top":
        document["locations"] = [{"id": "x", "name": "Opvang", "address_1": "Geheimstraat 1"}]
    elif where == "service":
        shelter["service_at_locations"] = [{"id": "y", "location_id": "x"}]
    else:
        document["phones"][0]["location_id"] = "x"
    with pytest.raises(HsdsError, match="no addresses"):
        with empty_directory.session() as session:
            import_hsds(session, document)
    assert empty_directory.is_empty()


def test_seed_import_refuses_an_address(rich_directory, empty_directory) -> None:
    with rich_directory.session() as session:
        document = via_yaml(session)
    next(s for s in document["services"] if s["id"] == "vrouwenopvang")["address"] = "Geheimstraat 1"
    with pytest.raises(SeedError, match="never store a shelter's address"):
        with empty_directory.session() as session:
            import_seed_document(session, document)
    assert empty_directory.is_empty()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_import_into_a_non_empty_directory_is_refused(rich_directory, fmt) -> None:
    export, load = FORMATS[fmt]
    with rich_directory.session() as session:
        document = export(session)
    before = dump(rich_directory)
    with pytest.raises(DirectoryNotEmpty, match="empty database"):
        with rich_directory.session() as session:
            load(session, document)
    assert dump(rich_directory) == before


def test_an_organization_alone_makes_the_directory_non_empty(empty_directory) -> None:
    with empty_directory.session() as session:
        session.add(m.Organization(id="veilig_thuis", name="Veilig Thuis"))
    with pytest.raises(DirectoryNotEmpty):
        with empty_directory.session() as session:
            import_seed_document(session, {"version": 1, "organizations": [], "services": []})


def test_unverified_entries_stay_unverified_and_are_never_recommended(round_trip) -> None:
    _, copy_, document, fmt = round_trip
    services = dump(copy_)["services"]
    assert services["comensha"]["status"] == "unverified"
    assert services["knooppunt_huwelijksdwang"]["status"] == "unverified"
    chat = [c for c in services["veilig_thuis"]["channels"] if c[0] == "chat"]
    assert chat and chat[0][1] == "unverified" and chat[0][2] is None
    if fmt == "hsds":
        hsds = {s[EXTENSION]["id"]: s for s in document["services"]}
        assert hsds["comensha"]["status"] == "inactive"  # HSDS has no 'unverified'; never 'active'
    for answers in (Answers(danger_now=False, topic="human_trafficking"), Answers(danger_now=False, topic="honour_violence")):
        shown = {r.service_id for r in route(answers, TUESDAY_MORNING, copy_).ordered()}
        assert not shown & {"comensha", "knooppunt_huwelijksdwang"}


def _plain_hsds() -> dict[str, Any]:
    """What another directory might send: HSDS without our extension."""
    return {
        "organizations": [{"id": "org-1", "name": "Hulplijn Voorbeeld", "description": ""}],
        "services": [{"id": "svc-1", "organization_id": "org-1", "name": "Hulplijn Voorbeeld", "status": "active",
                      "description": "Praat met iemand.", "assured_date": "2026-10-01"}],
        "phones": [{"id": "ph-1", "service_id": "svc-1", "number": "0800-1234", "type": "voice"}],
        "service_areas": [{"id": "sa-1", "service_id": "svc-1", "name": "Nederland (Europees deel)"}],
        "languages": [{"id": "la-1", "service_id": "svc-1", "name": "Papiamento", "code": "pap"}],
    }


def test_plain_hsds_without_a_source_is_refused(empty_directory) -> None:
    with pytest.raises(HsdsError, match="source"):
        with empty_directory.session() as session:
            import_hsds(session, _plain_hsds())
    assert empty_directory.is_empty()


def test_plain_hsds_from_a_named_feed_comes_in_unverified(empty_directory) -> None:
    document = _plain_hsds()
    document[EXTENSION] = {"source_url": "https://example.org/feed.json"}
    with empty_directory.session() as session:
        assert import_hsds(session, document) == 1
    services = dump(empty_directory)["services"]
    assert services["svc-1"]["status"] == "unverified"
    assert services["svc-1"]["areas"] == {"nl"}
    assert services["svc-1"]["languages"] == {"pap"}
    assert services["svc-1"]["channels"][0][:3] == ("phone", "unverified", "0800-1234")
    assert services["svc-1"]["verified"][0] == "https://example.org/feed.json"
    assert services["svc-1"]["channels"][0][4] is None  # hours unknown stay unknown
    shown = {r.service_id for r in route(Answers(danger_now=False), TUESDAY_MORNING, empty_directory).ordered()}
    assert "svc-1" not in shown


def test_hsds_status_cannot_make_an_entry_active_without_who_checked_it(rich_directory, empty_directory) -> None:
    with rich_directory.session() as session:
        document = via_json(session)
    service = next(s for s in document["services"] if s[EXTENSION]["id"] == "comensha")
    service["status"] = "active"
    del service[EXTENSION]["status"]
    with empty_directory.session() as session:
        import_hsds(session, document)
    assert dump(empty_directory)["services"]["comensha"]["status"] == "unverified"


@pytest.mark.parametrize("document", [{"organizations": []}, {"services": ["veilig_thuis"]}, {"services": [], "phones": {"id": "x"}}, []])
def test_hsds_import_refuses_a_malformed_document_clearly(empty_directory, document) -> None:
    with pytest.raises(HsdsError, match="services|phones|JSON object"):
        with empty_directory.session() as session:
            import_hsds(session, document)


def test_schedules_copy_simple_weekly_hours() -> None:
    rows = weekly_schedules("Mo-Fr 09:00-17:00; PH off", "Europe/Amsterdam", "nl")
    assert len(rows) == 1
    row = rows[0]
    assert (row["freq"], row["byday"], row["opens_at"], row["closes_at"]) == ("WEEKLY", "MO,TU,WE,TH,FR", "09:00", "17:00")
    assert row["timezone"] == 1 and "UTC+2 in summer" in row["description"]
    assert "closed on public holidays (nl)" in row["description"]
    assert row[EXTENSION] == {"opening_hours": "Mo-Fr 09:00-17:00; PH off", "timezone": "Europe/Amsterdam", "holidays": "nl"}

    split = weekly_schedules("Mo-Fr 09:00-12:00,13:00-17:00; Sa 10:00-14:00", "America/Kralendijk", "bonaire")
    assert [(r["byday"], r["opens_at"], r["closes_at"]) for r in split] == [
        ("MO,TU,WE,TH,FR", "09:00", "12:00"), ("MO,TU,WE,TH,FR", "13:00", "17:00"), ("SA", "10:00", "14:00"),
    ]
    assert all(r["timezone"] == -4 for r in split)
    always = weekly_schedules("24/7", "Europe/Amsterdam", "nl")
    assert always[0]["byday"] == "MO,TU,WE,TH,FR,SA,SU" and always[0]["opens_at"] == "00:00"


@pytest.mark.parametrize("hours", [
    None, "", "Mo-Fr 09:00-17:00; 2026 Dec 31 09:00-13:00", "Mo-Fr 09:00-17:00; Fr 09:00-12:00",
    "Mo-Fr 22:00-02:00", "PH 10:00-12:00", "Mo-Fr 09:00-17:00 \"op afspraak\"", "Dec Mo-Fr 09:00-17:00",
])
def test_schedules_give_nothing_rather_than_a_wrong_copy(hours) -> None:
    assert weekly_schedules(hours, "Europe/Amsterdam", "nl") == []


def test_hsds_schedules_are_only_for_active_phones(rich_directory) -> None:
    with rich_directory.session() as session:
        document = via_json(session)
    phones = {p["id"]: p for p in document["phones"]}
    assert document["schedules"]
    for row in document["schedules"]:
        phone = phones[row[EXTENSION]["phone_id"]]
        assert phone[EXTENSION]["status"] == "active"
        assert row[EXTENSION]["opening_hours"] == phone[EXTENSION]["opening_hours"]
    relay = [r for r in document["schedules"] if r["byday"] == "SA"]
    assert relay and relay[0]["opens_at"] == "10:00"


def test_exported_seed_passes_the_strict_loader_unchanged(rich_directory) -> None:
    with rich_directory.session() as session:
        document = via_yaml(session)
    organizations, services = seed.parse_seed(copy.deepcopy(document))
    assert len(services) == len(document["services"])
    with rich_directory.session() as session:
        assert len(services) == session.scalar(select(func.count()).select_from(m.Service))
