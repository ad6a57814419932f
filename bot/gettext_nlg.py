"""Rasa NLG that answers in the person's language from the gettext catalogs.

Runs inside the Rasa server (Python 3.10; `nlg:` in endpoints.yml). Domain responses hold
the Dutch source text; this translates text and button titles through locale/*/hulpwijzer.mo.
It lives in the Rasa process on purpose: no extra server that could fail, and on any
translation problem the Dutch response (with its 112 and 0800-2000) still goes out.
"""
from __future__ import annotations

import gettext
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.languages import choose

logger = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
UNTRANSLATED_PAYLOAD_PREFIX = "/change_language"  # language names stay in their own language
DANGER_RESPONSE = "utter_danger"
# What may follow the danger question inside the form: the next question, or the referral.
FOLLOWS_DANGER_QUESTION = ("utter_ask_", "utter_safety_line")


def said_danger_this_turn(tracker: DialogueStateTracker) -> bool:
    """True when the person's latest message answered "yes" to "Ben je nu in gevaar?"."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, SlotSet) and event.key == "danger_now" and event.value == "yes":
            return True
    return False


@lru_cache(maxsize=16)
def _gettext(language: str) -> Callable[[str], str]:
    return gettext.translation("hulpwijzer", localedir=str(LOCALE_DIR), languages=[language], fallback=True).gettext


def translate_response(response: Dict[Text, Any], language: str) -> Dict[Text, Any]:
    translate = _gettext(language)  # not `_`: Babel would extract the subscripts below as messages
    translated = dict(response)
    if translated.get("text"):
        translated["text"] = translate(translated["text"])
    if translated.get("buttons"):
        translated["buttons"] = [
            button if str(button.get("payload", "")).startswith(UNTRANSLATED_PAYLOAD_PREFIX)
            else {**button, "title": translate(button["title"])}
            for button in translated["buttons"]
        ]
    return translated


class GettextNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None, **kwargs: Any) -> None:
        super().__init__(domain.responses)

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if not response:
            return response
        latest = tracker.latest_message
        language = choose(tracker.get_slot("language"), latest.metadata if latest else None)
        translated = self._translated(response, language)
        if utter_action.startswith(FOLLOWS_DANGER_QUESTION) and said_danger_this_turn(tracker):
            # Safety rule in code: "yes, I am in danger" is answered with 112 before anything else.
            # The form goes straight on to its next question, so no rule could say it first.
            danger = self._translated(await super().generate(DANGER_RESPONSE, tracker, output_channel), language)
            translated = {**translated, "text": danger["text"] + "\n\n" + translated["text"]}
        return translated

    @staticmethod
    def _translated(response: Dict[Text, Any], language: str) -> Dict[Text, Any]:
        try:
            return translate_response(response, language)
        except Exception:
            logger.exception("translation failed; answering in Dutch")
            return response
