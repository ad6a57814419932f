"""The Rasa-side tracker store forgets a conversation after silence (runs in the Rasa venv)."""
from __future__ import annotations

import subprocess
import textwrap

from bot.stack import RASA_PYTHON, ROOT, base_environment


CHECK = textwrap.dedent(
    """
    import asyncio
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from bot.expiring_tracker_store import ExpiringInMemoryTrackerStore

    now = [0.0]
    store = ExpiringInMemoryTrackerStore(Domain.empty(), idle_minutes="30", clock=lambda: now[0])

    async def main():
        tracker = DialogueStateTracker("quiet", slots=[])
        tracker.update(UserUttered("ik word bedreigd"))
        await store.save(tracker)
        talking = DialogueStateTracker("talking", slots=[])
        await store.save(talking)
        now[0] = 29 * 60
        assert await store.retrieve("quiet") is not None, "kept while the conversation is live"
        await store.save(talking)
        now[0] = 31 * 60
        assert await store.retrieve("quiet") is None, "forgotten after 30 minutes of silence"
        assert "ik word bedreigd" not in repr(store.store)
        assert list(await store.keys()) == ["talking"]
        print("ok")

    asyncio.run(main())
    """
)


def test_a_silent_conversation_is_deleted_and_a_live_one_kept() -> None:
    result = subprocess.run([str(RASA_PYTHON), "-c", CHECK], cwd=ROOT, env=base_environment(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


FORGET_ON_RESTART = textwrap.dedent(
    """
    import asyncio
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, Restarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from bot.expiring_tracker_store import ExpiringInMemoryTrackerStore

    store = ExpiringInMemoryTrackerStore(Domain.empty(), idle_minutes="30")

    async def main():
        tracker = DialogueStateTracker("person", slots=[])
        tracker.update(UserUttered("mijn man slaat me"))
        tracker.update(Restarted())
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        assert "mijn man slaat me" not in repr(store.store), "nothing said before the restart is kept"
        kept = await store.retrieve("person")
        assert kept is not None and kept.latest_action_name == "action_listen"
        print("ok")

    asyncio.run(main())
    """
)


def test_starting_over_or_deleting_the_conversation_removes_what_was_said_from_the_store() -> None:
    result = subprocess.run([str(RASA_PYTHON), "-c", FORGET_ON_RESTART], cwd=ROOT, env=base_environment(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
