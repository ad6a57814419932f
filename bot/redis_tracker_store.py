"""Rasa's Redis tracker store for the production profile, keeping the in-memory store's privacy promises.

Runs inside each Rasa replica (Python 3.10). Every replica reads and writes the same
conversations, so a person's next message may be answered by any replica. Redis deletes a
conversation itself after `idle_minutes` of silence (`record_exp`), and Redis runs without
persistence (`save ""`, `appendonly no`), so nothing reaches disk. As in memory, "start over"
and "delete this conversation" keep nothing from before the restart: Rasa's own store would
merge the old events back in.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.expiring_tracker_store import ExpiringInMemoryTrackerStore


class ForgetfulRedisTrackerStore(RedisTrackerStore):
    """Redis keeps a conversation for `idle_minutes` after its last message, then deletes it."""

    _forget_before_restart = ExpiringInMemoryTrackerStore._forget_before_restart

    def __init__(self, domain: Any, host: str = "127.0.0.1", port: Any = 6379, idle_minutes: Any = 30,
                 **kwargs: Any) -> None:
        kwargs.pop("record_exp", None)
        record_exp = max(1, round(float(idle_minutes) * 60))  # Redis expires in whole seconds
        super().__init__(domain, host=host, port=int(port), record_exp=record_exp, **kwargs)

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        kept = self._forget_before_restart(tracker)
        if kept is tracker:
            await super().save(tracker, timeout)
            return
        # Overwrite instead of merging: the events before the restart must not come back.
        await self.stream_events(tracker)
        self.red.set(self.key_prefix + tracker.sender_id, self.serialise_tracker(kept),
                     ex=int(timeout or self.record_exp))
