"""An in-memory tracker store that forgets a conversation after a stretch of silence.

Runs inside the Rasa server (Python 3.10). Rasa's own InMemoryTrackerStore keeps every
conversation until the process stops; people writing about violence should not have
their words kept for longer than the conversation needs. Nothing is written to disk.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore
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

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._forget_idle()
        await super().save(tracker)
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
