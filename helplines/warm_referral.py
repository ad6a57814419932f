"""The words of a warm referral: why this service, what happens, when it is open, and a
short Dutch summary the person can read aloud, show or paste, so nobody tells their story twice.

All sentences are simple Dutch msgids (B1) that gettext can translate. Services pick their
"what happens" sentences by code (`STATEMENTS`), so the wording stays honest and reviewed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Mapping, Optional, Sequence, Union

from helplines.availability import availability, describe
from helplines.i18n import N_, base_language, language_name_nl, translator
from helplines.referral import ChannelView, Recommendation

if TYPE_CHECKING:
    from helplines.answers import Answers
    from helplines.directory import ChannelRecord, ServiceRecord

#: "What happens when you contact them", by code. `{name}` is the service, `{intake}` the
#: service that does a shelter's intake.
STATEMENTS: Mapping[str, str] = {
    "emergency_dispatch": N_("Je krijgt direct de meldkamer. Zeg waar je bent. Zij sturen politie of ambulance."),
    "advice_first": N_("Je praat eerst met een medewerker. Je krijgt advies. Dat is nog geen melding."),
    "melding_is_a_separate_step": N_(
        "Een melding is een officiële stap. Dat is meer dan advies. "
        "Dat bespreek je eerst samen met de medewerker. Komt er een melding? Dan vertelt {name} wat er daarna gebeurt."
    ),
    "chat_is_advice_only": N_("Via de chat krijg je alleen advies. Een melding kan alleen via de telefoon."),
    "routes_to_nearest_centre": N_("Je komt bij het centrum bij jou in de buurt."),
    "acute_care_within_7_days": N_(
        "Was het in de laatste 7 dagen? Dan kun je snel medische hulp krijgen. "
        "Ook kunnen sporen dan bewaard worden. Langer geleden? Ook dan kun je bellen."
    ),
    "police_only_if_you_want": N_("De politie komt er alleen bij als jij dat wilt."),
    "aangifte_explained": N_(
        "Bij aangifte vertel je de politie wat er is gebeurd. Dat is een officiële stap. "
        "Dan kan de politie het onderzoeken."
    ),
    "protective_measures_possible": N_(
        "Ben je bang voor de ander? Vraag dan of je adres geheim kan blijven. Soms kan aangifte ook anoniem."
    ),
    "support_after_crime": N_(
        "Je krijgt steun na een misdrijf. Bijvoorbeeld praktische hulp, hulp bij juridische vragen of een gesprek."
    ),
    "not_a_report": N_("Dit is geen aangifte. Aangifte doe je bij de politie."),
    "online_help_website": N_(
        "Op de website lees je wat je kunt doen. Bijvoorbeeld bij een tracker, spyware of een gehackt account."
    ),
    "shelter_through_intake": N_(
        "Een opvang is een veilige plek om te wonen. Je komt er via {intake}. Het adres van de opvang is geheim."
    ),
    "suicide_prevention_talk": N_("Je praat met iemand die naar je luistert. Je hoeft je naam niet te zeggen."),
    "talk_to_someone": N_("Je praat met iemand die naar je luistert. Samen kijk je wat je kunt doen."),
    "anonymous_tip": N_("Je vertelt wat je weet. Je hoeft je naam niet te zeggen. Dit is geen aangifte."),
}

#: Statements that only make sense when a channel of this kind is shown.
STATEMENT_NEEDS_CHANNEL: Mapping[str, str] = {"chat_is_advice_only": "chat"}
#: Statements that already say you need not give your name.
STATEMENTS_ON_ANONYMITY = frozenset({"suicide_prevention_talk", "anonymous_tip"})

#: Why a service is recommended, by reason code.
REASONS: Mapping[str, str] = {
    "emergency_danger": N_("Je bent nu in gevaar. Bel eerst {number}."),
    "emergency_doubt": N_("Ben je nu in gevaar? Bel dan eerst {number}."),
    "emergency_where_unknown": N_("Ben je op Bonaire, Sint Eustatius of Saba? Bel dan 911."),
    "emergency_on_island": N_("Op {place} bel je 911 bij gevaar."),
    "topic": N_("{name} helpt bij {topic}."),
    "matches": N_("{name} past bij wat je vertelt."),
    "someone_close": N_("{name} helpt ook als je je zorgen maakt om iemand anders."),
    "uses_violence": N_("{name} helpt ook mensen die geweld gebruiken en willen stoppen."),
    "professional": N_("{name} geeft ook advies aan professionals."),
    "young": N_("{name} is er voor kinderen en jongeren."),
    "alongside_young": N_("{name} kan ook helpen als het thuis niet veilig is."),
    "acute_sexual_violence": N_(
        "Het is minder dan 7 dagen geleden. De eerste dagen zijn belangrijk. "
        "Vooral de eerste 3 dagen. Dan helpt medische zorg het best. En sporen kunnen dan nog bewaard worden."
    ),
    "report": N_("Je wilt aangifte doen. Dat doe je bij de politie."),
    "report_by_phone": N_(
        "Je kunt ook een melding doen bij {name}. Dat kan via de telefoon, niet via de chat."
    ),
    "shelter": N_("Je zoekt een veilige plek. {name} kan opvang voor je regelen."),
    "suicide": N_("Denk je aan zelfdoding? Praat erover met {name}. Dag en nacht."),
    "closed_alternative": N_("{other} is nu dicht. {name} is dag en nacht bereikbaar."),
    "unknown_hours_alternative": N_("Is {other} nu niet bereikbaar? {name} is dag en nacht bereikbaar."),
    "floor": N_("Weet je niet waar je moet beginnen? Begin dan bij {name}."),
    "outside_coverage": N_("{name} is er voor Europees Nederland. Misschien werkt het nummer niet vanaf {place}."),
}

#: Topics in the words of the person's language, for "why".
TOPIC_NAMES: Mapping[str, str] = {
    "partner_violence": N_("geweld door een partner of ex-partner"),
    "domestic_violence": N_("huiselijk geweld"),
    "sexual_violence": N_("seksueel geweld"),
    "stalking": N_("stalking"),
    "online_violence": N_("online en digitaal geweld"),
    "honour_violence": N_("eergerelateerd geweld en huwelijksdwang"),
    "human_trafficking": N_("mensenhandel en uitbuiting"),
    "child_abuse": N_("kindermishandeling"),
    "street_harassment": N_("straatintimidatie"),
    "suicidal_thoughts": N_("gedachten aan zelfdoding"),
    "crime_victim": N_("hulp na een misdrijf"),
    "shelter": N_("een veilige plek om te wonen"),
}

PLACE_NAMES: Mapping[str, str] = {
    "nl": N_("Nederland"),
    "bonaire": "Bonaire",
    "sint_eustatius": "Sint Eustatius",
    "saba": "Saba",
}

CHANNEL_LABELS: Mapping[str, str] = {
    "phone": N_("Bellen"),
    "chat": N_("Chatten"),
    "whatsapp": "WhatsApp",
    "website": N_("Website"),
    "email": N_("E-mail"),
    "text_relay": N_("Teksttelefoon"),
}

_FREE = N_("Bellen is gratis.")
_ANONYMOUS = N_("Je hoeft je naam niet te zeggen.")
_NOT_ON_BILL = N_("Het nummer {number} staat niet op je telefoonrekening.")
_ON_BILL = N_("Let op: het nummer {number} staat op je telefoonrekening.")

Reason = tuple[str, Mapping[str, Union[str, "ServiceRecord"]]]


@dataclass(frozen=True)
class Context:
    """What every recommendation of one referral shares."""

    language: str
    now: datetime
    local_zone: str
    resolve: Callable[[Optional[str]], Optional["ServiceRecord"]]


def _fill(template: str, params: Mapping[str, object], language: str) -> str:
    values = {key: value if isinstance(value, str) else value.name(language) for key, value in params.items()}
    return template.format(**values)


def _href(channel: "ChannelRecord") -> Optional[str]:
    if channel.url:
        return channel.url
    if channel.kind in ("phone", "text_relay"):
        return "tel:" + re.sub(r"[^0-9+]", "", channel.value)
    if channel.kind == "email":
        return "mailto:" + channel.value
    return None


def channel_view(channel: "ChannelRecord", context: Context) -> ChannelView:
    _ = translator(context.language)
    state = availability(channel.opening_hours, channel.timezone, channel.holiday_calendar, context.now)
    return ChannelView(
        kind=channel.kind,
        label=_(CHANNEL_LABELS[channel.kind]) if channel.kind in CHANNEL_LABELS else channel.kind,
        value=channel.value,
        href=_href(channel),
        open_now=state.open_now,
        availability=describe(state, context.now, context.local_zone, context.language),
        next_open=state.next_open,
        free=channel.free,
        anonymous=channel.anonymous,
        on_phone_bill=channel.on_phone_bill,
        takes_report=channel.takes_report,
    )


def _what_happens(
    service: "ServiceRecord", channels: Sequence["ChannelRecord"], context: Context, extra_statements: Sequence[str]
) -> str:
    _ = translator(context.language)
    intake = context.resolve(service.intake_via) or service
    params = {"name": service.name(context.language), "intake": intake.name(context.language)}
    codes = dict.fromkeys((*extra_statements, *service.statements))
    kinds = {c.kind for c in channels}
    sentences = [
        _(STATEMENTS[code]).format(**params)
        for code in codes
        if code in STATEMENTS and STATEMENT_NEEDS_CHANNEL.get(code, None) in (None, *kinds)
    ]
    phones = [c for c in channels if c.kind == "phone"]
    if any(c.free for c in phones):
        sentences.append(_(_FREE))
    if any(c.anonymous for c in channels) and not STATEMENTS_ON_ANONYMITY.intersection(codes):
        sentences.append(_(_ANONYMOUS))
    for channel in phones:
        if channel.on_phone_bill is False:
            sentences.append(_(_NOT_ON_BILL).format(number=channel.value))
        elif channel.on_phone_bill is True:
            sentences.append(_(_ON_BILL).format(number=channel.value))
    return " ".join(sentences)


def recommend(
    service: "ServiceRecord",
    reasons: Sequence[Reason],
    context: Context,
    channel_filter: Optional[Callable[["ChannelRecord"], bool]] = None,
    extra_statements: Sequence[str] = (),
) -> Recommendation:
    """One service as a warm referral: reasons, honest expectations, channels open first."""
    _ = translator(context.language)
    shown = [c for c in service.channels if channel_filter is None or channel_filter(c)] or list(service.channels)
    seen: set[str] = set()
    parts = []
    for code, params in reasons:
        if code not in seen:
            seen.add(code)
            parts.append(_fill(_(REASONS[code]), params, context.language))
    views = [channel_view(c, context) for c in shown]
    views.sort(key=lambda view: not view.open_now)
    return Recommendation(
        service_id=service.id,
        name=service.name(context.language),
        why=" ".join(parts),
        what_happens=_what_happens(service, shown, context, extra_statements),
        channels=views,
        alert=service.alert(context.language),
    )


def topic_name(topic: str, language: str) -> str:
    return translator(language)(TOPIC_NAMES[topic])


def place_name(place: str, language: str) -> str:
    return translator(language)(PLACE_NAMES[place])


# The summary is for the helpline worker, so it is always Dutch (msgids are Dutch).
_SUMMARY_TOPIC: Mapping[str, str] = {
    "partner_violence": N_("Ik bel over geweld door een partner of ex-partner."),
    "domestic_violence": N_("Ik bel over huiselijk geweld."),
    "sexual_violence": N_("Ik bel over seksueel geweld."),
    "stalking": N_("Ik bel over stalking."),
    "online_violence": N_("Ik bel over online geweld."),
    "honour_violence": N_("Ik bel over eergerelateerd geweld of huwelijksdwang."),
    "human_trafficking": N_("Ik bel over mensenhandel of uitbuiting."),
    "child_abuse": N_("Ik bel over kindermishandeling."),
    "street_harassment": N_("Ik bel over straatintimidatie."),
    "suicidal_thoughts": N_("Ik bel omdat ik denk aan zelfdoding."),
    "crime_victim": N_("Ik bel over een misdrijf dat mij is overkomen."),
    "shelter": N_("Ik bel omdat ik een veilige plek zoek om te wonen."),
}
_SUMMARY_NO_TOPIC = N_("Ik bel omdat ik hulp zoek.")
_SUMMARY_WHO: Mapping[str, str] = {
    "victim": N_("Het gaat om mijzelf."),
    "someone_close": N_("Het gaat om iemand in mijn omgeving."),
    "uses_violence": N_("Ik gebruik zelf geweld en ik wil stoppen."),
    "professional": N_("Ik bel als professional, over iemand anders."),
}
_SUMMARY_YOUNG = N_("Ik ben een kind of jongere.")
_SUMMARY_RECENT = {
    True: N_("Het is in de laatste 7 dagen gebeurd."),
    False: N_("Het is langer dan 7 dagen geleden."),
}
_SUMMARY_DANGER = {True: N_("Er is nu gevaar."), False: N_("Er is nu geen direct gevaar.")}
_SUMMARY_SUICIDAL = N_("Ik heb ook gedachten aan zelfdoding.")
_SUMMARY_WISH: Mapping[str, str] = {
    "talk": N_("Ik wil eerst advies."),
    "report": N_("Ik wil een melding of aangifte doen."),
    "shelter": N_("Ik zoek een veilige plek om te wonen."),
    "information": N_("Ik wil eerst informatie."),
}
_SUMMARY_WHERE = N_("Ik ben op {place}.")
_SUMMARY_INTERPRETER = N_("Ik heb een tolk nodig: {language}.")


def summary_nl(answers: "Answers") -> str:
    """Only what the person chose to share, in simple Dutch, with an interpreter line if needed."""
    _ = translator("nl")
    lines = [_(_SUMMARY_TOPIC[answers.topic]) if answers.topic else _(_SUMMARY_NO_TOPIC)]
    if answers.who:
        lines.append(_(_SUMMARY_WHO[answers.who]))
    if answers.young:
        lines.append(_(_SUMMARY_YOUNG))
    if answers.recent is not None:
        lines.append(_(_SUMMARY_RECENT[answers.recent]))
    if answers.danger_now is not None:
        lines.append(_(_SUMMARY_DANGER[answers.danger_now]))
    if answers.suicidal_thoughts and answers.topic != "suicidal_thoughts":
        lines.append(_(_SUMMARY_SUICIDAL))
    if answers.wish and not (answers.wish == "shelter" and answers.topic == "shelter"):
        lines.append(_(_SUMMARY_WISH[answers.wish]))
    if answers.where and answers.where != "nl":
        lines.append(_(_SUMMARY_WHERE).format(place=PLACE_NAMES[answers.where]))
    if base_language(answers.language) != "nl":
        lines.append(_(_SUMMARY_INTERPRETER).format(language=language_name_nl(answers.language)))
    return " ".join(lines)
