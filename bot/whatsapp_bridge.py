"""WhatsApp channel: the WhatsApp Business Cloud API webhook, with the same conversation.

Unlike Rasa's Twilio channel, nothing here puts a phone number in the tracker: the sender
is replaced by a keyed hash before Rasa sees it, and the number itself lives only in
memory for as long as it takes to send the reply. Every request must carry a valid
X-Hub-Signature-256 (HMAC-SHA256 of the body with the app secret); others are refused.
Buttons become numbered options, because a plain WhatsApp text has none.

Run: WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN and
WHATSAPP_PHONE_NUMBER_ID set, then `python -m bot.whatsapp_bridge`. Without them it does
not start, and says so.
"""
from __future__ import annotations

import argparse
import gettext
import hashlib
import hmac
import json
import logging
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

from bot.assistant import LOCALE, ask_rasa, emergency_reply
from bot.languages import DEFAULT, normalise
from bot.numbered_options import choose, render

logger = logging.getLogger("hulpwijzer.whatsapp")

DEFAULT_API = "https://graph.facebook.com/v21.0"
MAX_BODY_BYTES = 256 * 1024
PRIVACY_WORDS = {"privacy", "prywatność", "gizlilik", "конфіденційність", "الخصوصية"}


def translator(language: str) -> Callable[[str], str]:
    return gettext.translation("hulpwijzer", localedir=LOCALE, languages=[language], fallback=True).gettext


def conversation_id(wa_id: str, secret: bytes) -> str:
    """What Rasa sees instead of the phone number: a keyed hash, not reversible without the secret."""
    return hmac.new(secret, f"whatsapp:{wa_id}".encode(), hashlib.sha256).hexdigest()[:32]


def signature_is_valid(body: bytes, header: Optional[str], app_secret: bytes) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


@dataclass
class WhatsAppSettings:
    access_token: str
    app_secret: bytes
    verify_token: str
    phone_number_id: str
    secret: bytes
    api_base_url: str = DEFAULT_API
    rasa_url: str = "http://127.0.0.1:5005"
    port: int = 8081

    @classmethod
    def from_environment(cls, env: Optional[dict[str, str]] = None) -> Optional["WhatsAppSettings"]:
        """None unless all four WhatsApp settings are there: the channel then does not start."""
        env = dict(os.environ if env is None else env)
        names = ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_PHONE_NUMBER_ID")
        if not all(env.get(name) for name in names):
            return None
        secret = env.get("HULPWIJZER_CHANNEL_SECRET", "").encode()
        if not secret:
            logger.warning("HULPWIJZER_CHANNEL_SECRET is not set: using a random one, so conversations "
                           "do not survive a restart of this bridge")
            secret = secrets.token_bytes(32)
        return cls(access_token=env["WHATSAPP_ACCESS_TOKEN"], app_secret=env["WHATSAPP_APP_SECRET"].encode(),
                   verify_token=env["WHATSAPP_VERIFY_TOKEN"], phone_number_id=env["WHATSAPP_PHONE_NUMBER_ID"],
                   secret=secret, api_base_url=env.get("WHATSAPP_API_BASE_URL", DEFAULT_API).rstrip("/"),
                   rasa_url=env.get("HULPWIJZER_RASA_URL", cls.rasa_url).rstrip("/"),
                   port=int(env.get("WHATSAPP_PORT", cls.port)))


@dataclass
class Conversation:
    """What the bridge remembers of one conversation, in memory, for at most the idle time."""

    language: str = DEFAULT
    options: list[str] = field(default_factory=list)
    last_seen: float = field(default_factory=time.monotonic)
    told_privacy: bool = False


class WhatsAppBridge:
    IDLE_SECONDS = 30 * 60

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self._conversations: dict[str, Conversation] = {}
        self._seen_message_ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def conversation(self, key: str) -> Conversation:
        now = time.monotonic()
        with self._lock:
            for old in [k for k, c in self._conversations.items() if now - c.last_seen > self.IDLE_SECONDS]:
                del self._conversations[old]
            conversation = self._conversations.setdefault(key, Conversation())
            conversation.last_seen = now
            return conversation

    def first_time(self, message_id: str) -> bool:
        """WhatsApp may deliver a message twice; answer it once."""
        with self._lock:
            if message_id in self._seen_message_ids:
                return False
            self._seen_message_ids[message_id] = None
            while len(self._seen_message_ids) > 10_000:
                self._seen_message_ids.popitem(last=False)
            return True

    def handle_payload(self, payload: dict[str, Any]) -> None:
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                for message in (change.get("value") or {}).get("messages") or []:
                    if isinstance(message, dict) and message.get("from") and self.first_time(str(message.get("id"))):
                        self.handle_message(str(message["from"]), message)

    def handle_message(self, wa_id: str, message: dict[str, Any]) -> None:
        key = conversation_id(wa_id, self.settings.secret)
        conversation = self.conversation(key)
        _ = translator(conversation.language)
        text = self.text_of(message)
        if text is None:
            self.send(wa_id, ["\n".join([
                _("Ik kan alleen tekst lezen. Typ je bericht, alsjeblieft."),
                _("Ben je nu in gevaar? Bel 112. Op Bonaire, Sint Eustatius en Saba: bel 911."),
                _("Wil je praten of advies? Bel Veilig Thuis: 0800-2000. Dat is gratis, dag en nacht.")])])
            return
        if text.strip().lower() in PRIVACY_WORDS:
            self.send(wa_id, [privacy_note(_)])
            return
        payload = choose(text, conversation.options) or text
        language = self.language_chosen(payload) or conversation.language
        conversation.language = language
        _ = translator(language)
        replies = ask_rasa(self.settings.rasa_url, key, payload, language, timeout=20) or emergency_reply(language)
        texts, conversation.options = render(replies, _)
        if not conversation.told_privacy:
            conversation.told_privacy = True
            texts[-1] += "\n" + _("Typ privacy om te lezen wat WhatsApp bewaart.")
        self.send(wa_id, texts)

    @staticmethod
    def text_of(message: dict[str, Any]) -> Optional[str]:
        if message.get("type") == "text":
            return str((message.get("text") or {}).get("body") or "")[:2000] or None
        if message.get("type") == "interactive":
            reply = (message.get("interactive") or {})
            chosen = reply.get("button_reply") or reply.get("list_reply") or {}
            return str(chosen.get("id") or chosen.get("title") or "") or None
        return None

    @staticmethod
    def language_chosen(payload: str) -> Optional[str]:
        """A language button's payload, '/change_language{"language":"en"}', also sets our texts' language."""
        if not payload.startswith("/change_language{"):
            return None
        try:
            return normalise(json.loads(payload.removeprefix("/change_language")).get("language"))
        except ValueError:
            return None

    def send(self, wa_id: str, texts: list[str]) -> None:
        url = f"{self.settings.api_base_url}/{urllib.parse.quote(self.settings.phone_number_id)}/messages"
        for text in texts:
            body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id,
                    "type": "text", "text": {"preview_url": False, "body": text[:4096]}}
            request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
                "Authorization": f"Bearer {self.settings.access_token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=20):
                    pass
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                logger.warning("could not send a WhatsApp message: %s", type(error).__name__)

    def make_server(self, host: str = "127.0.0.1", port: Optional[int] = None) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((host, self.settings.port if port is None else port), self._handler())
        server.daemon_threads = True
        return server

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        bridge = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "Hulpwijzer"
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:
                """The query string holds the verify token; log only method and path."""
                logger.info("%s %s", self.command, self.path.split("?")[0])

            def _answer(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path == "/healthz":
                    self._answer(HTTPStatus.OK, b"ok")
                    return
                params = urllib.parse.parse_qs(query)
                token = (params.get("hub.verify_token") or [""])[0]
                if (path == "/whatsapp" and (params.get("hub.mode") or [""])[0] == "subscribe"
                        and hmac.compare_digest(token.encode(), bridge.settings.verify_token.encode())):
                    self._answer(HTTPStatus.OK, (params.get("hub.challenge") or [""])[0].encode())
                else:
                    self._answer(HTTPStatus.FORBIDDEN)

            def do_POST(self) -> None:
                if self.path.split("?")[0] != "/whatsapp":
                    self._answer(HTTPStatus.NOT_FOUND)
                    return
                length = int(self.headers.get("Content-Length", "0") or 0)
                if length > MAX_BODY_BYTES:
                    self._answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
                    return
                body = self.rfile.read(length)
                if not signature_is_valid(body, self.headers.get("X-Hub-Signature-256"), bridge.settings.app_secret):
                    logger.warning("refused a request with a missing or wrong signature")
                    self._answer(HTTPStatus.UNAUTHORIZED)
                    return
                try:
                    payload = json.loads(body)
                except ValueError:
                    self._answer(HTTPStatus.BAD_REQUEST)
                    return
                # Answer WhatsApp at once (it retries slow webhooks); the reply goes out on its own.
                self._answer(HTTPStatus.OK)
                threading.Thread(target=bridge.handle_payload, args=(payload,), daemon=True).start()

        return Handler


def privacy_note(_: Callable[[str], str]) -> str:
    return "\n".join([
        _("Hulpwijzer bewaart je berichten niet en weet niet wie je bent."),
        _("WhatsApp zelf bewaart dit gesprek op je telefoon. WhatsApp weet ook dat je dit nummer hebt gebruikt."),
        _("Haal de chat zelf weg in WhatsApp. Dan ziet niemand op je telefoon dat je hier was."),
        _("Ben je nu in gevaar? Bel 112. Op Bonaire, Sint Eustatius en Saba: bel 911."),
    ])


def main() -> int:
    argparse.ArgumentParser(description="Hulpwijzer on WhatsApp (settings come from the environment)").parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = WhatsAppSettings.from_environment()
    if settings is None:
        print("WhatsApp: WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN and "
              "WHATSAPP_PHONE_NUMBER_ID are not all set, so the WhatsApp channel does not start.")
        return 0
    server = WhatsAppBridge(settings).make_server()
    logger.info("WhatsApp webhook on http://127.0.0.1:%d/whatsapp", settings.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
