"""The website chat: serves the page and passes messages to the Rasa REST channel.

The page's own texts come from the gettext catalogs (/api/texts), so translators keep
them beside the assistant's. Quick exit leads to a neutral site (HULPWIJZER_EXIT_URL).

The page talks only to this server (same origin, strict Content-Security-Policy), so
the browser never reaches Rasa directly and no asset comes from elsewhere. When Rasa
does not answer, the person still gets the emergency numbers.
"""
from __future__ import annotations

import argparse
import gettext
import html
import json
import logging
import os
import re
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bot.assistant import LOCALE, ask_rasa, emergency_reply
from bot.languages import DEFAULT, normalise

logger = logging.getLogger("hulpwijzer.web")

STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Conversation ids are random and made by the page; anything else is refused.
SENDER_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_MESSAGE_CHARS = 2000
# Where quick exit goes: a neutral public site. Operators may choose another.
DEFAULT_EXIT_URL = "https://www.knmi.nl/nederland-nu/weer"


def page_texts(language: str) -> dict[str, str]:
    """The page's own words in the person's language (the chat itself comes from Rasa)."""
    _ = gettext.translation("hulpwijzer", localedir=LOCALE, languages=[language], fallback=True).gettext
    return {
        "exit": _("Snel weg"),
        "exit_hint": _("of druk 3 keer op Shift"),
        "emergency": _("Ben je nu in gevaar? Bel 112. Op Bonaire, Sint Eustatius en Saba: bel 911."),
        "intro": _("Hier praat je met een programma. Niet met een mens en niet met een hulplijn. Je blijft anoniem."),
        "forget": _("Wis dit gesprek"),
        "forgotten": _("Dit gesprek is gewist. Je kunt opnieuw beginnen."),
        "log_label": _("Gesprek"),
        "message_label": _("Jouw bericht"),
        "placeholder": _("Typ je bericht"),
        "send": _("Verstuur"),
        "privacy_title": _("Wat gebeurt er met je berichten?"),
        "privacy": " ".join([
            _("Hulpwijzer bewaart je berichten niet op schijf."),
            _("Na 30 minuten stilte is het gesprek weg."),
            _("Deze pagina gebruikt geen cookies."),
            _("Met de knop Wis dit gesprek haal je het gesprek meteen weg."),
            _("Met Snel weg ga je meteen naar een andere website."),
        ]),
        "unreachable": emergency_reply(language)[0]["text"],
    }


class ChatHandler(BaseHTTPRequestHandler):
    server_version = "Hulpwijzer"
    sys_version = ""
    rasa_url = "http://127.0.0.1:5005"
    rasa_timeout = 20.0
    exit_url = DEFAULT_EXIT_URL

    def log_message(self, format: str, *args: Any) -> None:
        """No client addresses, no message text: only method, path and status."""
        logger.info("%s %s", self.command, self.path.split("?")[0])

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/healthz":
            self._send_json(HTTPStatus.OK, {"ok": True})
            return
        if path == "/api/texts":
            query = urllib.parse.parse_qs(self.path.partition("?")[2])
            language = normalise((query.get("language") or [DEFAULT])[0]) or DEFAULT
            self._send_json(HTTPStatus.OK, page_texts(language))
            return
        if path == "/":
            page = (STATIC / "index.html").read_text(encoding="utf-8")
            page = page.replace("{{EXIT_URL}}", html.escape(self.exit_url, quote=True))
            self._send(HTTPStatus.OK, page.encode(), CONTENT_TYPES[".html"])
            return
        name = path.removeprefix("/static/")
        file = (STATIC / name).resolve()
        if file.parent != STATIC or not file.is_file() or file.suffix not in CONTENT_TYPES:
            self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain; charset=utf-8")
            return
        self._send(HTTPStatus.OK, file.read_bytes(), CONTENT_TYPES[file.suffix])

    def _read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(min(length, 16 * 1024)) or b"{}")
        if not isinstance(body, dict):
            raise ValueError("not an object")
        return body

    def do_POST(self) -> None:
        if self.path == "/api/forget":
            self.forget()
            return
        if self.path != "/api/message":
            self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain; charset=utf-8")
            return
        try:
            body = self._read_json()
            sender, message = str(body.get("sender", "")), str(body.get("message", ""))[:MAX_MESSAGE_CHARS]
            language = normalise(body.get("language")) or DEFAULT
        except (ValueError, AttributeError):
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": "bad request"})
            return
        if not SENDER_ID.match(sender) or not message.strip():
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": "bad request"})
            return
        replies = ask_rasa(self.rasa_url, sender, message, language, self.rasa_timeout)
        self._send_json(HTTPStatus.OK, {"messages": replies or emergency_reply(language),
                                        "degraded": not replies})


    def forget(self) -> None:
        """"Delete this conversation" and quick exit: a restart empties the conversation in Rasa."""
        try:
            sender = str(self._read_json().get("sender", ""))
        except (ValueError, AttributeError):
            sender = ""
        if not SENDER_ID.match(sender):
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": "bad request"})
            return
        ask_rasa(self.rasa_url, sender, "/restart_conversation", DEFAULT, self.rasa_timeout)
        self._send_json(HTTPStatus.OK, {"ok": True})


def make_server(host: str, port: int, rasa_url: str, exit_url: str = DEFAULT_EXIT_URL) -> ThreadingHTTPServer:
    if urllib.parse.urlparse(exit_url).scheme not in ("http", "https"):
        raise ValueError(f"the quick-exit address must be a web address, not {exit_url!r}")
    handler = type("BoundChatHandler", (ChatHandler,), {"rasa_url": rasa_url.rstrip("/"), "exit_url": exit_url})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description="Hulpwijzer web chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    parser.add_argument("--exit-url", default=os.environ.get("HULPWIJZER_EXIT_URL", DEFAULT_EXIT_URL))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    server = make_server(args.host, args.port, args.rasa_url, args.exit_url)
    logger.info("web chat on http://%s:%d/", args.host, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
