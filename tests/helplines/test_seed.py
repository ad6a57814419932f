"""The seed: true facts with a source, no addresses, nothing unverified recommended."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from helplines import models as m
from helplines.directory import open_directory
from helplines.models import DirectoryError
from helplines.seed import DEFAULT_SEED, SeedError, parse_seed

#: Every phone number the project's sources give (task, domain notes, seed documents).
SOURCED_NUMBERS = {"112", "911", "0800-2000", "0800-0188", "0900-8844", "0900-0101", "0800-0113", "113", "0800-0432", "0800-7000"}
REQUIRED_SERVICES = {
    "emergency_112", "emergency_911_bes", "veilig_thuis", "centrum_seksueel_geweld", "politie", "slachtofferhulp",
    "safetyned", "vrouwenopvang", "zelfmoordpreventie_113", "kindertelefoon", "meld_misdaad_anoniem", "comensha",
    "knooppunt_huwelijksdwang",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_SEED.read_text(encoding="utf-8"))


def service(doc: dict[str, Any], service_id: str) -> dict[str, Any]:
    return next(s for s in doc["services"] if s["id"] == service_id)


def test_seed_covers_the_required_services(document) -> None:
    assert REQUIRED_SERVICES <= {s["id"] for s in document["services"]}


def test_every_number_comes_from_a_source(document) -> None:
    numbers = {c["value"] for s in document["services"] for c in s.get("channels") or [] if c["kind"] == "phone"}
    assert numbers <= SOURCED_NUMBERS


def test_every_fact_has_source_date_and_checker(document) -> None:
    _, services = parse_seed(document)
    for entry in services:
        assert entry.source_url
        if entry.status in ("active", "temporarily_closed"):
            assert isinstance(entry.verified_on, dt.date) and entry.verified_by
        for channel in entry.channels:
            assert channel.source_url
            if channel.status == "active":
                assert isinstance(channel.verified_on, dt.date) and channel.verified_by and channel.value


def test_names_in_dutch_and_english(document) -> None:
    for entry in document["services"]:
        assert entry["name"]["nl"] and entry["name"]["en"]


def test_veilig_thuis_facts(document) -> None:
    vt = service(document, "veilig_thuis")
    phone = next(c for c in vt["channels"] if c["kind"] == "phone")
    chat = next(c for c in vt["channels"] if c["kind"] == "chat")
    assert (phone["value"], phone["opening_hours"], phone["free"], phone["takes_report"]) == ("0800-2000", "24/7", True, True)
    assert chat["opening_hours"] != "24/7" and chat["takes_report"] is False
    assert {"victim", "someone_close", "uses_violence"} <= set(vt["audiences"])


def test_seed_loads_once(seeded_template) -> None:
    directory = open_directory(f"sqlite:///{seeded_template}")
    try:
        with directory.session() as session:
            count = session.scalar(select(func.count()).select_from(m.Service))
        assert count == len(yaml.safe_load(DEFAULT_SEED.read_text())["services"])
    finally:
        directory.dispose()


def _broken(document: dict[str, Any], service_id: str, change) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(document)
    change(service(doc, service_id))
    return doc


@pytest.mark.parametrize(
    "service_id, change, message",
    [
        ("vrouwenopvang", lambda s: s.update(address="Geheimstraat 1"), "shelter's address"),
        ("vrouwenopvang", lambda s: s.update(location={"city": "Nijmegen"}), "shelter's address"),
        ("vrouwenopvang", lambda s: s["description"].update(nl="Opvang op 6511 AB, kamer 3."), "address"),
        ("vrouwenopvang", lambda s: s.update(channels=[{"kind": "phone", "value": "0800-2000"}]), "no channel of its own"),
        ("vrouwenopvang", lambda s: s.pop("intake_via"), "intake_via"),
        ("veilig_thuis", lambda s: s.update(address="Straat 1"), "no addresses"),
        ("veilig_thuis", lambda s: s["channels"][0].pop("verification"), "source"),
        ("veilig_thuis", lambda s: s["channels"][0].update(verification={"source_url": ""}), "source"),
        ("veilig_thuis", lambda s: s["channels"][0].update(verification={"source_url": "https://x"}), "verified_on"),
        ("veilig_thuis", lambda s: s.pop("verification"), "source"),
        ("veilig_thuis", lambda s: s["channels"][0].update(value="call us"), "not a phone number"),
        ("veilig_thuis", lambda s: s.update(topics=["weather"]), "unknown topics"),
        ("veilig_thuis", lambda s: s.update(what_happens=["we_fix_everything"]), "unknown what_happens"),
        ("veilig_thuis", lambda s: s["channels"][0].update(opening_hours="sometimes"), "opening_hours"),
        ("veilig_thuis", lambda s: s["channels"][0].update(opening_hours="Mo-Fr 09:00-17:00, PH off"), "PH"),
        ("veilig_thuis", lambda s: s["channels"][0].update(timezone="Mars/Olympus"), "time zone"),
        ("veilig_thuis", lambda s: s["name"].pop("en"), "languages en"),
        ("veilig_thuis", lambda s: s.update(coverage=[]), "coverage"),
    ],
)
def test_seed_refuses(document, service_id, change, message) -> None:
    with pytest.raises(SeedError, match=message):
        parse_seed(_broken(document, service_id, change))


def test_staff_edits_are_checked_too(fresh_directory) -> None:
    """The same promises hold for writes that do not go through the seed."""
    with pytest.raises(DirectoryError, match="no contact channel of its own"):
        with fresh_directory.session() as session:
            shelter = session.get(m.Service, "vrouwenopvang")
            shelter.channels.append(m.ContactChannel(kind="phone", value="0800-2000", source_url="https://x"))
    with pytest.raises(DirectoryError, match="source_url"):
        with fresh_directory.session() as session:
            vt = session.get(m.Service, "veilig_thuis")
            vt.channels.append(m.ContactChannel(kind="phone", value="0800-1234", source_url=""))
    with pytest.raises(DirectoryError, match="verified"):
        with fresh_directory.session() as session:
            comensha = session.get(m.Service, "comensha")
            comensha.status = "active"
    assert not hasattr(m.Service, "address") and not hasattr(m.ContactChannel, "address")
