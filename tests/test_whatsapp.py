"""The WhatsApp channel: signed webhooks, numbered options, hashed senders, against the real assistant."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.numbered_options import choose, render
from bot.stack import ROOT, Stack, free_port
from bot.whatsapp_bridge import signature_is_valid
from tests.conftest import dutch_response

APP_SECRET = "app-secret-for-tests"
ACCESS_TOKEN = "access-token-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
PHONE_NUMBER_ID = "109000000000001"


def test_buttons_become_numbered_options_and_a_typed_number_picks_one() -> None:
    replies = [{"text": "Over wie gaat het?", "buttons": [{"title": "Over mij", "payload": "/a"},
                                                            {"title": "Over iemand die ik ken", "payload": "/b"}]}]
    texts, payloads = render(replies, lambda s: s)
    assert texts[0].startswith("Over wie gaat het?\n1. Over mij\n2. Over iemand die ik ken")
    assert choose("2", payloads) == "/b" and choose(" 1. ", payloads) == "/a"
    assert choose("3", payloads) is None and choose("mijn zus, 2 jaar", payloads) is None


def test_only_a_body_signed_with_the_app_secret_is_accepted() -> None:
    body = b'{"entry": []}'
    good = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert signature_is_valid(body, good, APP_SECRET.encode())
    assert not signature_is_valid(body + b" ", good, APP_SECRET.encode())
    assert not signature_is_valid(body, good, b"another secret")
    assert not signature_is_valid(body, None, APP_SECRET.encode())


def test_without_settings_the_bridge_does_not_start_and_says_so() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHATSAPP_")}
    done = subprocess.run([sys.executable, "-m", "bot.whatsapp_bridge"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "WHATSAPP_ACCESS_TOKEN" in done.stdout


class GraphStandIn:
    """Stands in for the WhatsApp Cloud API's messages endpoint; records what the bridge sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.refused = 0
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                ok = (self.path == f"/v21.0/{PHONE_NUMBER_ID}/messages"
                      and self.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}")
                if ok:
                    standin.sent.append(body)
                else:
                    standin.refused += 1
                data = json.dumps({"messages": [{"id": "wamid.x"}]} if ok else {"error": {}}).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v21.0"

    def to(self, wa_id: str) -> list[str]:
        return [m["text"]["body"] for m in list(self.sent) if m["to"] == wa_id]


@pytest.fixture(scope="module")
def whatsapp(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GraphStandIn, str, Path]]:
    graph = GraphStandIn()
    port = free_port()
    logs = tmp_path_factory.mktemp("whatsapp")
    bridge = Stack(rasa_port=stack.rasa_port, log_dir=logs, env={
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_BASE_URL": graph.base_url, "WHATSAPP_PORT": str(port),
        "HULPWIJZER_CHANNEL_SECRET": "test-channel-secret"})
    bridge.start_whatsapp()
    try:
        yield graph, f"http://127.0.0.1:{port}", logs
    finally:
        bridge.stop()
        graph.server.shutdown()


MESSAGE_IDS = itertools.count(1)


def webhook_body(wa_id: str, text: str) -> bytes:
    message = {"from": wa_id, "id": f"wamid.test{next(MESSAGE_IDS)}", "timestamp": str(int(time.time())),
               "type": "text", "text": {"body": text}}
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID},
             "contacts": [{"profile": {"name": "X"}, "wa_id": wa_id}], "messages": [message]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}).encode()


def post(url: str, body: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    request = urllib.request.Request(f"{url}/whatsapp", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WhatsAppChat:
    def __init__(self, graph: GraphStandIn, url: str, wa_id: str) -> None:
        self.graph, self.url, self.wa_id = graph, url, wa_id

    def say(self, text: str) -> str:
        before = len(self.graph.to(self.wa_id))
        body = webhook_body(self.wa_id, text)
        assert post(self.url, body, sign(body)) == 200
        deadline = time.monotonic() + 60
        while len(self.graph.to(self.wa_id)) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        settled = -1
        while settled != len(self.graph.to(self.wa_id)):
            settled = len(self.graph.to(self.wa_id))
            time.sleep(0.5)
        return "\n".join(self.graph.to(self.wa_id)[before:])


def number_of(text: str, title: str) -> str:
    match = re.search(rf"^(\d+)\. {re.escape(title)}$", text, re.MULTILINE)
    assert match, f"no numbered option {title!r} in {text!r}"
    return match.group(1)


@pytest.mark.stack
def test_the_webhook_handshake_needs_the_verify_token(whatsapp) -> None:
    _, url, _ = whatsapp
    query = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="
    with urllib.request.urlopen(f"{url}/whatsapp?{query}{VERIFY_TOKEN}", timeout=10) as response:
        assert response.read() == b"1158201444"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{url}/whatsapp?{query}wrong", timeout=10)
    assert refused.value.code == 403


@pytest.mark.stack
def test_badly_signed_or_unsigned_messages_are_refused_and_get_no_answer(whatsapp) -> None:
    graph, url, _ = whatsapp
    body = webhook_body("31600000001", "hoi")
    assert post(url, body, sign(body, "not the app secret")) == 401
    assert post(url, body, None) == 401
    time.sleep(1)
    assert graph.to("31600000001") == []


@pytest.mark.stack
def test_typing_numbers_in_whatsapp_reaches_a_referral(whatsapp) -> None:
    graph, url, _ = whatsapp
    chat = WhatsAppChat(graph, url, "31600000002")
    greeting = chat.say("hoi")
    assert "112" in greeting and "privacy" in greeting
    danger = chat.say(number_of(greeting, "Over mij"))
    assert dutch_response("utter_ask_danger_now")["text"] in danger
    topic = chat.say(number_of(danger, "Nee"))
    where = chat.say(number_of(topic, "Iemand volgt of bespiedt mij"))
    wish = chat.say(number_of(where, "In Nederland"))
    referral = chat.say(number_of(wish, "Eerst praten of advies"))
    assert "Je hoeft je verhaal niet opnieuw te vertellen" in referral and "0800-2000" in referral


@pytest.mark.stack
def test_danger_typed_in_whatsapp_gets_112_first(whatsapp) -> None:
    graph, url, _ = whatsapp
    chat = WhatsAppChat(graph, url, "31600000003")
    chat.say("hoi")
    assert chat.say("hij staat nu voor de deur met een mes").startswith("Bel nu 112")


@pytest.mark.stack
def test_the_privacy_note_says_what_whatsapp_keeps(whatsapp) -> None:
    graph, url, _ = whatsapp
    note = WhatsAppChat(graph, url, "31600000004").say("privacy")
    assert "WhatsApp" in note and "112" in note


@pytest.mark.stack
def test_the_phone_number_reaches_no_log_of_any_process(whatsapp, stack: Stack) -> None:
    graph, url, logs = whatsapp
    wa_id = "31612398765"
    WhatsAppChat(graph, url, wa_id).say("ik maak me zorgen om mijn zus")
    for log in list(logs.glob("*.log")) + list(stack.log_dir.glob("*.log")):
        assert wa_id not in log.read_text(errors="replace"), log.name
