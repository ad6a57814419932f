"""The Telegram channel: python-telegram-bot against a local stand-in for the Bot API, and the real assistant."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from bot.stack import ROOT, Stack, free_port
from bot.telegram_bridge import CALLBACK_DATA_LIMIT, CallbackPayloads, ChatMessages, conversation_id
from tests.conftest import catalog, dutch_response
from tests.telegram_standin import TelegramStandIn, post_update

TOKEN = "123456:TEST-token-for-the-stand-in"
WEBHOOK_SECRET = "webhook-secret-0123456789"


def domain_payloads() -> list[str]:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
    return [b["payload"].replace("{{", "{").replace("}}", "}")
            for variants in responses.values() for v in variants for b in v.get("buttons", [])]


def test_every_button_of_the_assistant_fits_telegrams_callback_data_and_comes_back_unchanged() -> None:
    payloads = CallbackPayloads()
    for payload in domain_payloads() + ['/inform{"topic":"sexual_violence","recent":"last_7_days","where":"saba"}']:
        data = payloads.data_for(payload)
        assert len(data.encode()) <= CALLBACK_DATA_LIMIT
        assert payloads.payload_for(data) == payload


def test_the_chat_id_becomes_a_keyed_hash() -> None:
    chat_id = 5550001234
    first = conversation_id(chat_id, b"secret one")
    assert first == conversation_id(chat_id, b"secret one")
    assert first != conversation_id(chat_id, b"secret two"), "without the secret the id cannot be recomputed"
    assert first != conversation_id(chat_id + 1, b"secret one")
    assert str(chat_id) not in first and len(first) == 32


def test_wis_only_deletes_what_telegram_still_allows_and_then_forgets_the_chat() -> None:
    messages = ChatMessages()
    now = time.time()
    messages.add("chat", 1, at=now - 49 * 3600)
    messages.add("chat", 2, at=now - 47 * 3600)
    messages.add("chat", 3, at=now)
    assert messages.take_deletable("chat", now=now) == [2, 3]
    assert messages.take_deletable("chat", now=now) == []


def test_without_a_token_the_bridge_does_not_start_and_says_so() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "bot.telegram_bridge"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    assert "TELEGRAM_BOT_TOKEN" in done.stdout


class TelegramChat:
    """One person in Telegram: updates go to the bridge's webhook, replies arrive at the stand-in."""

    def __init__(self, standin: TelegramStandIn, webhook_url: str, chat_id: int, language: str = "nl") -> None:
        self.standin, self.webhook_url, self.chat_id, self.language = standin, webhook_url, chat_id, language
        self.sent_ids: list[int] = []

    def _mine(self) -> list[dict[str, Any]]:
        return [p for m, p in list(self.standin.calls) if m == "sendMessage" and int(p["chat_id"]) == self.chat_id]

    def _deliver(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self._mine())
        assert post_update(self.webhook_url, update, WEBHOOK_SECRET) == 200
        deadline = time.monotonic() + 60
        while len(self._mine()) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        settled = -1
        while settled != len(self._mine()):  # the replies of one turn arrive one after another
            settled = len(self._mine())
            time.sleep(0.5)
        return self._mine()[before:]

    def say(self, text: str) -> list[dict[str, Any]]:
        update = self.standin.user_message(self.chat_id, text, self.language)
        self.sent_ids.append(update["message"]["message_id"])
        return self._deliver(update)

    def press(self, replies: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
        for reply in replies:
            for row in (reply.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == title:
                        message = {"message_id": 1, "date": int(time.time()), "text": reply["text"],
                                   "chat": {"id": self.chat_id, "type": "private"}}
                        return self._deliver(self.standin.button_press(self.chat_id, message,
                                                                       button["callback_data"], self.language))
        raise AssertionError(f"no button {title!r} in {replies}")


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


@pytest.fixture(scope="module")
def telegram(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TelegramStandIn, str, Path]]:
    standin = TelegramStandIn(TOKEN).start()
    port = free_port()
    logs = tmp_path_factory.mktemp("telegram")
    bridge = Stack(rasa_port=stack.rasa_port, log_dir=logs, env={
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": standin.base_url,
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_WEBHOOK_PORT": str(port), "HULPWIJZER_CHANNEL_SECRET": "test-channel-secret"})
    bridge.start_telegram()
    try:
        yield standin, f"http://127.0.0.1:{port}/telegram", logs
    finally:
        bridge.stop()
        standin.stop()


@pytest.mark.stack
def test_the_bridge_registers_its_webhook_with_the_secret_and_its_commands(telegram) -> None:
    standin, webhook_url, _ = telegram
    webhook = standin.wait_for("setWebhook", 1)[0]
    assert webhook["url"] == webhook_url and webhook["secret_token"] == WEBHOOK_SECRET
    commands = {c["command"] for c in standin.wait_for("setMyCommands", 1)[0]["commands"]}
    assert commands >= {"start", "stop", "taal", "wis", "privacy"}


@pytest.mark.stack
def test_a_telegram_conversation_with_buttons_reaches_a_referral(telegram) -> None:
    standin, webhook_url, _ = telegram
    chat = TelegramChat(standin, webhook_url, chat_id=5550000001)
    greeting = chat.say("/start")
    assert "112" in text_of(greeting) and "geen mens" in text_of(greeting)
    danger = chat.press(greeting, "Over mij")
    assert text_of(danger) == dutch_response("utter_ask_danger_now")["text"]
    topic = chat.press(danger, "Nee")
    where = chat.press(topic, "Iemand volgt of bespiedt mij")
    wish = chat.press(where, "In Nederland")
    referral = text_of(chat.press(wish, "Eerst praten of advies"))
    assert "Je hoeft je verhaal niet opnieuw te vertellen" in referral
    assert "112" in referral and "0800-2000" in referral


@pytest.mark.stack
def test_telegrams_language_code_sets_the_language(telegram) -> None:
    standin, webhook_url, _ = telegram
    chat = TelegramChat(standin, webhook_url, chat_id=5550000002, language="ar")
    greeting = text_of(chat.say("/start"))
    assert catalog("ar")[dutch_response("utter_greet")["text"]] in greeting


@pytest.mark.stack
def test_danger_typed_in_telegram_gets_112_first(telegram) -> None:
    standin, webhook_url, _ = telegram
    chat = TelegramChat(standin, webhook_url, chat_id=5550000003)
    chat.say("/start")
    assert text_of(chat.say("hij staat nu voor de deur met een mes")).startswith("Bel nu 112")


@pytest.mark.stack
def test_wis_deletes_the_persons_and_the_bots_messages(telegram) -> None:
    standin, webhook_url, _ = telegram
    chat = TelegramChat(standin, webhook_url, chat_id=5550000004)
    first = chat.say("/start")
    second = chat.press(first, "Over iemand die ik ken")
    before = len(standin.wait_for("deleteMessages", 0))
    note = text_of(chat.say("/wis"))
    assert "gewist" in note and "112" in note
    deleted = [p for p in standin.wait_for("deleteMessages", before + 1)[before:]
               if int(p["chat_id"]) == chat.chat_id]
    deleted_ids = {i for p in deleted for i in p["message_ids"]}
    assert set(chat.sent_ids) <= deleted_ids, "the person's own messages, /wis included"
    assert len(deleted_ids) >= len(chat.sent_ids) + len(first) + len(second)
    again = chat.say("hoi")
    assert "Over wie gaat het?" in text_of(again), "the conversation starts afresh"


@pytest.mark.stack
def test_privacy_note_says_what_telegram_keeps(telegram) -> None:
    standin, webhook_url, _ = telegram
    note = text_of(TelegramChat(standin, webhook_url, chat_id=5550000005).say("/privacy"))
    assert "Telegram" in note and "/wis" in note and "112" in note


@pytest.mark.stack
def test_an_update_without_the_webhook_secret_is_refused(telegram) -> None:
    standin, webhook_url, _ = telegram
    update = standin.user_message(5550000006, "hoi")
    assert post_update(webhook_url, update, "wrong secret") == 403
    assert post_update(webhook_url, update, None) == 403
    time.sleep(1)
    assert not [p for m, p in standin.calls if m == "sendMessage" and int(p["chat_id"]) == 5550000006]


@pytest.mark.stack
def test_the_telegram_chat_id_reaches_no_log_of_any_process(telegram, stack: Stack) -> None:
    standin, webhook_url, bridge_logs = telegram
    chat_id = 5550987654321
    TelegramChat(standin, webhook_url, chat_id=chat_id).say("ik maak me zorgen om mijn zus")
    logs = list(bridge_logs.glob("*.log")) + list(stack.log_dir.glob("*.log"))
    assert logs
    for log in logs:
        assert str(chat_id) not in log.read_text(errors="replace"), log.name
