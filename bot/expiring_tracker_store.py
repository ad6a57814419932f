"""An in-memory tracker store that forgets a conversation after a stretch of silence,
and everything said before the person started over.

Runs inside the Rasa server (Python 3.10). Rasa's own InMemoryTrackerStore keeps every
conversation until the process stops; people writing about violence should not have
their words kept for longer than the conversation needs. Nothing is written to disk.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.events import Restarted
from rasa.shared.core.trackers import DialogueStateTracker


class ExpiringInMemoryTrackerStore(InMemoryTrackerStore):
    """Deletes conversations that have been idle for `idle_minutes` (default 30)."""

    def __init__(
        self,
        domain: Any,
        event_broker: Any = None,
        idle_minutes: Any = 30,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)
        super().__init__(domain, event_broker, **kwargs)
        self.idle_seconds = float(idle_minutes) * 60
        self._clock = clock
        self._last_seen: Dict[Text, float] = {}

    def _forget_idle(self) -> None:
        cutoff = self._clock() - self.idle_seconds
        for sender_id in [s for s, seen in self._last_seen.items() if seen < cutoff]:
            self.store.pop(sender_id, None)
            del self._last_seen[sender_id]

    def _forget_before_restart(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """"Start over" and "delete this conversation" end in a restart: keep nothing from before it."""
        events = list(tracker.events)
        restarts = [i for i, event in enumerate(events) if isinstance(event, Restarted)]
        if not restarts or restarts[-1] == 0:
            return tracker
        return DialogueStateTracker.from_events(tracker.sender_id, events[restarts[-1]:], slots=self.domain.slots,
                                                max_event_history=tracker._max_event_history)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._forget_idle()
        await super().save(self._forget_before_restart(tracker))
        self._last_seen[tracker.sender_id] = self._clock()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self._forget_idle()
        return await super().retrieve(sender_id)

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self._forget_idle()
        return await super().retrieve_full_tracker(sender_id)

    async def keys(self) -> Iterable[Text]:
        self._forget_idle()
        return await super().keys()
