"""The production profile with real Redis and nginx: two Rasa replicas share each conversation, keep nothing.

A few conversations only; the Rasa replicas load the test model once for the whole module.
"""
from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.production import LOCK_LIFETIME_SECONDS, ProductionStack
from bot.stack import RASA_PYTHON, ROOT, free_port, post_json
from helplines import Answers, open_directory, route
from tests.conftest import WebChat, all_text

pytestmark = pytest.mark.stack

IDLE_SECONDS = 3  # record_exp for the test; production keeps a silent conversation for 30 minutes


@pytest.fixture(scope="module")
def production(test_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    work = tmp_path_factory.mktemp("production")
    running = ProductionStack(
        model=test_model, work=work, log_dir=work / "logs", replicas=2, web_port=free_port(), action_port=free_port(),
        redis_port=free_port(), database_url=f"sqlite:///{work / 'helplines.sqlite3'}",
        env={"HULPWIJZER_TRACKER_IDLE_MINUTES": str(IDLE_SECONDS / 60)},
    )
    with running:
        yield running


def say_to_replica(production: ProductionStack, replica: int, sender: str, message: str) -> str:
    replies = post_json(f"{production.replica_url(replica)}/webhooks/rest/webhook",
                        {"sender": sender, "message": message, "metadata": {"language": "nl"}})
    return all_text(replies)


def everything_in_redis(production: ProductionStack) -> dict[str, str]:
    """Every key in every Redis database, with its value (Rasa stores strings; other types as a dump)."""
    redis = production.redis
    assert redis is not None
    stored: dict[str, str] = {}
    for database in map(str, range(16)):
        for key in redis.command("-n", database, "--scan").split():
            kind = redis.command("-n", database, "TYPE", key).strip()
            stored[f"{database}/{key}"] = redis.command("-n", database, "GET" if kind == "string" else "DUMP", key)
    return stored


def test_a_conversation_continues_when_each_message_reaches_the_other_replica(production: ProductionStack) -> None:
    sender = uuid.uuid4().hex
    turns = ["hallo", '/inform{"who":"someone_close"}', "/deny", '/inform{"topic":"stalking"}',
             '/inform{"where":"nl"}', '/inform{"wish":"talk"}']
    texts = [say_to_replica(production, number % 2, sender, turn) for number, turn in enumerate(turns)]
    # The referral needs every answer given before it, half of them to the other replica.
    answers = Answers(who="someone_close", danger_now=False, topic="stalking", where="nl", wish="talk")
    expected = route(answers, datetime.now(timezone.utc), open_directory(production.database_url))
    assert expected.primary.name in texts[-1]
    assert expected.summary_nl in texts[-1]


def test_only_the_web_chats_random_id_is_stored_and_nothing_outlives_the_silence(
        production: ProductionStack) -> None:
    chat = WebChat(production.web_url)  # through nginx, as a browser would
    secret = f"mijn ex volgt mij elke dag {uuid.uuid4().hex[:8]}"
    for message in ["hoi", '/inform{"who":"victim"}', secret]:
        payload = {"sender": chat.sender, "message": message, "language": "nl"}
        answer = post_json(f"{production.web_url}/api/message", payload)
        assert not answer["degraded"], "Rasa answered through the proxy"

    stored = everything_in_redis(production)
    assert stored, "the conversation is in Redis while it goes on"
    assert [key for key in stored if chat.sender in key], "the conversation is stored under the web chat's id"
    random_ids = [key for key in stored if re.fullmatch(r"\d+/hulpwijzer:(tracker|lock):[0-9a-f]{32}", key)]
    assert random_ids == list(stored), "every key is a random conversation id, nothing else"

    time.sleep(IDLE_SECONDS + 2)
    leftovers = everything_in_redis(production)
    assert not [key for key in leftovers if chat.sender in key]
    assert not [value for value in leftovers.values() if "volgt mij" in value]


def test_delete_this_conversation_keeps_nothing_said_before_it(production: ProductionStack) -> None:
    chat = WebChat(production.web_url)
    chat.say("hoi")
    chat.say("hij leest al mijn berichten")
    post_json(f"{production.web_url}/api/forget", {"sender": chat.sender})
    assert production.redis is not None
    stored = production.redis.command("GET", f"hulpwijzer:tracker:{chat.sender}")
    assert "leest al mijn berichten" not in stored
    said = [event for event in json.loads(stored)["events"] if event["event"] == "user"]
    assert all(event["text"] == "/restart_conversation" for event in said)


def test_redis_writes_nothing_to_disk(production: ProductionStack) -> None:
    assert production.redis is not None
    assert production.redis.command("CONFIG", "GET", "save").split("\n")[:2] == ["save", ""]
    assert production.redis.command("CONFIG", "GET", "appendonly").split("\n")[:2] == ["appendonly", "no"]
    assert not list((production.work / "redis").glob("*.rdb")) and not list((production.work / "redis").glob("*.aof"))


def test_a_person_is_answered_with_112_through_the_proxy(production: ProductionStack) -> None:
    replies: list[dict[str, Any]] = WebChat(production.web_url).say("hoi")
    assert "112" in all_text(replies)


HOLD_THE_LOCK = """
import asyncio, sys
from rasa.core.lock_store import LockStore
from rasa.core.utils import AvailableEndpoints

store = LockStore.create(AvailableEndpoints.read_endpoints("endpoints-prod.yml").lock_store)

async def hold() -> None:
    async with store.lock(sys.argv[1]):
        print("holding", flush=True)
        await asyncio.sleep(3600)

asyncio.run(hold())
"""


def test_a_message_waiting_behind_a_replica_that_died_mid_turn_is_answered(production: ProductionStack) -> None:
    """A replica killed while it serves a conversation leaves its ticket in Redis; the person's
    message, retried elsewhere, must be answered once that ticket lapses, and leave no lock behind."""
    sender = uuid.uuid4().hex
    env = production._environment()
    env["TICKET_LOCK_LIFETIME"] = str(LOCK_LIFETIME_SECONDS)
    dying = subprocess.Popen([str(RASA_PYTHON), "-c", HOLD_THE_LOCK, sender], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert dying.stdout is not None and dying.stdout.readline().strip() == "holding"
    finally:
        dying.kill()
        dying.wait()
    started = time.monotonic()
    replies = post_json(f"{production.rasa_url}/webhooks/rest/webhook",
                        {"sender": sender, "message": "hoi", "metadata": {"language": "nl"}}, timeout=60)
    assert "112" in all_text(replies)
    assert time.monotonic() - started < LOCK_LIFETIME_SECONDS + 5
    assert not [key for key in everything_in_redis(production) if sender in key and ":lock:" in key]
