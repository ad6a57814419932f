"""Every safety rule of route(), one table row each."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pytest

from helplines import Answers, Referral, route

from frozen_times import SATURDAY_NIGHT, TUESDAY_MORNING


@dataclass
class Case:
    name: str
    answers: Answers
    primary: str
    emergency: Optional[str] = None
    also: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    why: tuple[str, ...] = ()  # fragments of the primary's "why"
    not_anywhere: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


CASES = [
    Case("danger now in NL: 112 first", Answers(danger_now=True, where="nl"), "veilig_thuis", emergency="emergency_112"),
    Case("danger now on Bonaire: 911 first", Answers(danger_now=True, where="bonaire"), "veilig_thuis", emergency="emergency_911_bes"),
    Case("danger now on Sint Eustatius: 911", Answers(danger_now=True, where="sint_eustatius"), "veilig_thuis", emergency="emergency_911_bes"),
    Case("danger now on Saba: 911", Answers(danger_now=True, where="saba"), "veilig_thuis", emergency="emergency_911_bes"),
    Case("danger unknown: 112 in doubt", Answers(topic="partner_violence"), "veilig_thuis", emergency="emergency_112"),
    Case("no danger: no emergency number", Answers(danger_now=False, topic="partner_violence"), "veilig_thuis"),
    Case(
        "suicidal thoughts: 113 shown with the referral",
        Answers(danger_now=False, topic="partner_violence", suicidal_thoughts=True),
        "veilig_thuis",
        also=("zelfmoordpreventie_113",),
    ),
    Case("topic suicidal thoughts: 113 first", Answers(danger_now=False, topic="suicidal_thoughts"), "zelfmoordpreventie_113"),
    Case(
        "sexual violence within 7 days: CSG first, with why the first days matter",
        Answers(danger_now=False, topic="sexual_violence", recent=True),
        "centrum_seksueel_geweld",
        why=("7 dagen", "eerste dagen zijn belangrijk", "sporen"),
    ),
    Case(
        "sexual violence within 7 days wins over a wish to report",
        Answers(danger_now=False, topic="sexual_violence", recent=True, wish="report"),
        "centrum_seksueel_geweld",
        alternatives=("politie",),
    ),
    Case(
        "older sexual violence: CSG still helps",
        Answers(danger_now=False, topic="sexual_violence", recent=False),
        "centrum_seksueel_geweld",
    ),
    Case(
        "child or young person: De Kindertelefoon with Veilig Thuis alongside",
        Answers(danger_now=False, young=True),
        "kindertelefoon",
        also=("veilig_thuis",),
    ),
    Case(
        "young person after recent sexual violence: CSG first, Kindertelefoon alongside",
        Answers(danger_now=False, young=True, topic="sexual_violence", recent=True),
        "centrum_seksueel_geweld",
        also=("kindertelefoon", "veilig_thuis"),
    ),
    Case(
        "wish to report: police, or Veilig Thuis by phone",
        Answers(danger_now=False, wish="report", topic="partner_violence"),
        "politie",
        alternatives=("veilig_thuis",),
        why=("aangifte",),
    ),
    Case(
        "someone who uses violence and wants to stop: Veilig Thuis",
        Answers(danger_now=False, who="uses_violence"),
        "veilig_thuis",
        why=("geweld gebruiken en willen stoppen",),
    ),
    Case(
        "uses violence, partner violence: Veilig Thuis, not services for victims only",
        Answers(danger_now=False, who="uses_violence", topic="partner_violence"),
        "veilig_thuis",
        not_anywhere=("centrum_seksueel_geweld", "slachtofferhulp", "politie"),
    ),
    Case("shelter: through Veilig Thuis", Answers(danger_now=False, wish="shelter"), "veilig_thuis", why=("opvang",)),
    Case("shelter as topic", Answers(danger_now=False, topic="shelter"), "veilig_thuis", not_anywhere=("vrouwenopvang",)),
    Case("nothing known: floor and 112", Answers(), "veilig_thuis", emergency="emergency_112"),
    Case("bystander: Veilig Thuis", Answers(danger_now=False, who="someone_close"), "veilig_thuis", why=("iemand anders",)),
    Case("professional: Veilig Thuis", Answers(danger_now=False, who="professional"), "veilig_thuis"),
    Case("online violence: SafetyNed", Answers(danger_now=False, topic="online_violence"), "safetyned"),
    Case("crime victim: Slachtofferhulp", Answers(danger_now=False, topic="crime_victim"), "slachtofferhulp"),
    Case(
        "human trafficking: CoMensha is unverified, so never shown",
        Answers(danger_now=False, topic="human_trafficking"),
        "slachtofferhulp",
        not_anywhere=("comensha",),
    ),
    Case(
        "forced marriage: the Knooppunt is unverified, so never shown",
        Answers(danger_now=False, topic="honour_violence", who="someone_close"),
        "veilig_thuis",
        alternatives=("politie", "meld_misdaad_anoniem"),
        not_anywhere=("knooppunt_huwelijksdwang",),
    ),
    Case(
        "islands without danger: Veilig Thuis with an honest note, 911 alongside",
        Answers(danger_now=False, where="bonaire"),
        "veilig_thuis",
        also=("emergency_911_bes",),
        why=("Europees Nederland", "Bonaire"),
    ),
    Case(
        "primary with unknown hours: an open 24/7 line is offered first",
        Answers(danger_now=False, topic="street_harassment"),
        "politie",
        alternatives=("veilig_thuis",),
    ),
    Case(
        "invalid answers are treated as unknown",
        Answers(who="alien", topic="weather", where="mars", wish="pizza", danger_now="yes", language=""),  # type: ignore[arg-type]
        "veilig_thuis",
        emergency="emergency_112",
    ),
]


def ids(referral: Referral) -> list[str]:
    return [r.service_id for r in referral.ordered()]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("now", [TUESDAY_MORNING, SATURDAY_NIGHT], ids=["tuesday", "saturday-night"])
def test_rule(case: Case, now, directory) -> None:
    referral = route(case.answers, now, directory)
    assert referral.primary.service_id == case.primary
    assert (referral.emergency.service_id if referral.emergency else None) == case.emergency
    if case.emergency:
        assert ids(referral)[0] == case.emergency
    for service_id in case.also:
        assert service_id in [r.service_id for r in referral.also]
    for service_id in case.alternatives:
        assert service_id in [r.service_id for r in referral.alternatives]
    for fragment in case.why:
        assert fragment in referral.primary.why
    for service_id in case.not_anywhere:
        assert service_id not in ids(referral)
    assert len(referral.alternatives) <= 2
    assert len(ids(referral)) == len(set(ids(referral))), "a service is shown only once"


def test_report_via_veilig_thuis_shows_only_the_phone(fresh_directory) -> None:
    """Their chat cannot take a report: when it is verified, it still is not offered for one."""
    with fresh_directory.session() as session:
        from helplines.models import ContactChannel

        chat = session.query(ContactChannel).filter_by(service_id="veilig_thuis", kind="chat").one()
        chat.status, chat.value, chat.url = "active", "Chat", "https://example.org/chat"
        chat.verified_on, chat.verified_by = TUESDAY_MORNING.date(), "test"
    referral = route(Answers(danger_now=False, wish="report"), TUESDAY_MORNING, fresh_directory)
    vt = next(r for r in referral.alternatives if r.service_id == "veilig_thuis")
    assert [c.kind for c in vt.channels] == ["phone"]
    assert "niet via de chat" in vt.why
    plain = route(Answers(danger_now=False), TUESDAY_MORNING, fresh_directory)
    assert {c.kind for c in plain.primary.channels} == {"phone", "chat"}
    assert "Via de chat krijg je alleen advies" in plain.primary.what_happens


def test_closed_primary_says_when_it_opens_and_offers_24_7(fresh_directory) -> None:
    from helplines.models import ContactChannel, Service, ServiceArea, ServiceAudience, ServiceText, ServiceTopic

    with fresh_directory.session() as session:
        service = Service(
            id="straat_chat", organization_id="politie", kind="helpline", status="active", priority=1,
            source_url="https://example.org", verified_on=TUESDAY_MORNING.date(), verified_by="test",
        )
        service.texts = [ServiceText(language="nl", name="Straatchat")]
        service.topics = [ServiceTopic(topic="street_harassment")]
        service.audiences = [ServiceAudience(audience="victim")]
        service.areas = [ServiceArea(area="nl")]
        service.channels = [
            ContactChannel(
                kind="chat", status="active", value="Straatchat", url="https://example.org/chat",
                opening_hours="Mo-Fr 09:00-17:00; PH off", source_url="https://example.org",
                verified_on=TUESDAY_MORNING.date(), verified_by="test",
            )
        ]
        session.add(service)
    answers = Answers(danger_now=False, topic="street_harassment")
    open_referral = route(answers, TUESDAY_MORNING, fresh_directory)
    assert open_referral.primary.service_id == "straat_chat"
    assert open_referral.primary.channels[0].open_now

    closed = route(answers, SATURDAY_NIGHT, fresh_directory)
    assert closed.primary.service_id == "straat_chat"
    channel = closed.primary.channels[0]
    assert not channel.open_now
    assert channel.availability == "Nu gesloten. Open maandag 30 november om 09:00"
    first_alternative = closed.alternatives[0]
    assert first_alternative.service_id == "veilig_thuis"
    assert first_alternative.why.startswith("Straatchat is nu dicht. Veilig Thuis is dag en nacht bereikbaar.")
    assert first_alternative.channels[0].open_now
