"""What a first message about danger or suicide also told, kept so it is not asked again.

Such a message never fills a question's slot through the domain's mappings: during the
questions an active form would otherwise swallow it before the rules "danger comes first"
and "113 at once" can answer. Before the questions start there is no form to swallow
anything, so this custom slot mapping (run by Rasa's action_extract_slots after every
message) keeps the topic and the danger. The rules still answer first; the questions that
follow skip what the person already said.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

SAFETY_INTENTS = ("danger_now", "suicidal_thoughts")


class ActionExtractFromFirstMessage(Action):
    def name(self) -> Text:
        return "action_extract_from_first_message"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if tracker.active_loop_name or tracker.get_intent_of_latest_message() not in SAFETY_INTENTS:
            return []
        events = []
        if tracker.get_intent_of_latest_message() == "danger_now" and tracker.get_slot("danger_now") is None:
            events.append(SlotSet("danger_now", "yes"))
        for slot in ("topic", "recent"):
            value = next(tracker.get_latest_entity_values(slot), None)
            if value is not None and tracker.get_slot(slot) is None:
                events.append(SlotSet(slot, value))
        return events
