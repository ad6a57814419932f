"""The fixed words of the directory: codes shared by data, routing and the conversation.

Codes are short English snake_case so that data, code and buttons agree; the text a person
reads comes from gettext (`i18n.py`) or from the per-language names in the seed.
"""
from __future__ import annotations

from typing import Final

TOPICS: Final = (
    "partner_violence",
    "domestic_violence",
    "sexual_violence",
    "stalking",
    "online_violence",
    "honour_violence",
    "human_trafficking",
    "child_abuse",
    "street_harassment",
    "suicidal_thoughts",
    "crime_victim",
    "shelter",
)

WHO: Final = ("victim", "someone_close", "uses_violence", "professional")

#: Audiences a service serves: everyone in WHO, plus children and young people.
AUDIENCES: Final = (*WHO, "young")

WHERE: Final = ("nl", "bonaire", "sint_eustatius", "saba")
ISLANDS: Final = ("bonaire", "sint_eustatius", "saba")

#: Coverage codes a service may list. Regions or municipalities can be added later as
#: "nl/<name>"; routing then needs a finer WHERE answer to match them.
AREAS: Final = WHERE

WISHES: Final = ("talk", "report", "shelter", "information")

CHANNEL_KINDS: Final = ("phone", "chat", "whatsapp", "website", "email", "text_relay")

SERVICE_KINDS: Final = ("helpline", "emergency", "shelter")

#: `unverified` is never recommended; `temporarily_closed` keeps its alert text but is not
#: recommended until it reopens; `inactive` is kept for history.
SERVICE_STATUSES: Final = ("active", "temporarily_closed", "inactive", "unverified")
CHANNEL_STATUSES: Final = ("active", "inactive", "unverified")

#: What the safety rules in `routing.py` look for. Data decides which service carries them.
CAPABILITIES: Final = (
    "emergency",  # the emergency number of its coverage areas
    "floor",  # the helpline that is always offered when nothing else fits
    "acute_sexual_violence_care",  # medical care and evidence within 7 days
    "children_line",  # for children and young people
    "suicide_prevention",
    "official_report",  # takes an official report (aangifte)
    "shelter_intake",  # arranges shelter; shelters are reached through it
)

TIME_ZONES: Final = {
    "nl": "Europe/Amsterdam",
    "bonaire": "America/Kralendijk",
    "sint_eustatius": "America/Kralendijk",
    "saba": "America/Kralendijk",
}

#: `holidays` calendars per area: (country, subdivision).
HOLIDAY_CALENDARS: Final = {
    "nl": ("NL", None),
    "bonaire": ("BQ", "BON"),
    "sint_eustatius": ("BQ", "STA"),
    "saba": ("BQ", "SAB"),
}
