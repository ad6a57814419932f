"""The action that turns the person's answers into a referral from the helpline directory."""
from __future__ import annotations

import logging
import threading
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.render import render_referral
from bot.languages import choose
from helplines import Answers, Directory, open_directory, route

logger = logging.getLogger(__name__)

_directory: Optional[Directory] = None
_directory_lock = threading.Lock()


def shared_directory() -> Directory:
    """Open the directory once per action server; staff edits still show through `route`."""
    global _directory
    with _directory_lock:
        if _directory is None:
            _directory = open_directory()
        return _directory


# Slots that hold a code for a yes/no answer; "unknown" (a skipped question) means not told.
YES_NO_SLOTS = {
    "danger_now": {"yes": True, "no": False},
    "recent": {"last_7_days": True, "longer_ago": False},
}


def answers_from_tracker(tracker: Tracker) -> Answers:
    """Only what the person chose to share: each slot named like an `Answers` field, if set.

    The language is chosen as the Rasa NLG chooses it, so the referral and the domain
    responses around it are in one language.
    """
    shared = {f.name: tracker.get_slot(f.name) for f in fields(Answers)}
    for name, meaning in YES_NO_SLOTS.items():
        shared[name] = meaning.get(shared[name]) if isinstance(shared[name], str) else shared[name]
    shared["language"] = choose(tracker.get_slot("language"), (tracker.latest_message or {}).get("metadata"))
    return Answers(**{name: value for name, value in shared.items() if value is not None})


class ActionGiveReferral(Action):
    def name(self) -> Text:
        return "action_give_referral"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        answers = answers_from_tracker(tracker)
        try:
            referral = route(answers, datetime.now(timezone.utc), shared_directory())
        except Exception:
            # Log the kind of failure only: the tracker holds what the person wrote.
            logger.exception("routing failed")
            dispatcher.utter_message(response="utter_referral_unavailable")
            return []
        for message in render_referral(referral, answers.language):
            dispatcher.utter_message(**message)
        return []
