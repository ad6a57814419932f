"""Rasa's Redis lock store for the production profile, made safe for a replica that dies mid-turn.

Runs inside each Rasa replica (Python 3.10). Rasa serves the messages of one conversation one at a
time through a ticket queue in Redis; a ticket lapses after TICKET_LOCK_LIFETIME seconds so that a
dead replica's turn cannot block the conversation for ever. Three things in Rasa 3.6's own store
lose a person's message exactly when a replica dies:

- The message nginx retries on another replica waits behind the dead replica's ticket. Its own
  ticket was issued a moment later, so both lapse in the same poll; the queue is then empty,
  "now serving" falls back to 0, and the message waits until the proxy gives up (no answer).
- A message whose lock vanished (lapsed, or removed by a turn finishing on another replica)
  raises LockError, and the REST channel answers with nothing.
- Every change is read-modify-write without a transaction, so two replicas issuing tickets for
  one conversation at the same moment can overwrite each other's ticket.

Here a message whose ticket lapsed takes a new one and keeps waiting, every change to a queue is
one Redis transaction, and a queue key expires with its last ticket so nothing is left behind.
"""
from __future__ import annotations

import asyncio
import json
import math
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class RecoveringRedisLockStore(RedisLockStore):
    """Ticket queues in Redis that survive a replica dying while it holds or waits for a turn."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, "host": endpoint_config.url or "localhost", **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], Any]) -> Any:
        """Apply `change` to the conversation's queue (created if missing) as one transaction."""
        key = self.key_prefix + conversation_id
        outcome: list[Any] = []

        def transaction(pipe: Any) -> None:
            stored = pipe.get(key)
            lock = (TicketLock.from_dict(json.loads(stored)) if stored
                    else TicketLock(conversation_id))
            outcome[:] = [change(lock)]
            lock.remove_expired_tickets()
            pipe.multi()
            if lock.tickets:
                lasts = max(ticket.expires for ticket in lock.tickets) - time.time()
                pipe.set(key, lock.dumps(), ex=max(1, math.ceil(lasts) + 1))
            else:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return outcome[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))

    def save_lock(self, lock: TicketLock) -> None:
        self._change(lock.conversation_id, lambda stored: setattr(stored, "tickets", lock.tickets))

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: None)  # lapsed tickets go on every change

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give up the ticket; the queue's key goes with its last ticket, in the same transaction."""
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Wait for this conversation's turn, queueing again if the ticket lapsed while waiting."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is not None:
                    lock.remove_expired_tickets()
                if lock is None or all(queued.number != ticket for queued in lock.tickets):
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    continue
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)
