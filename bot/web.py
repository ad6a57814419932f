"""The website chat: serves the page and passes messages to the Rasa REST channel.

The page talks only to this server (same origin, strict Content-Security-Policy), so
the browser never reaches Rasa directly and no asset comes from elsewhere. When Rasa
does not answer, the person still gets the emergency numbers.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bot.assistant import ask_rasa, emergency_reply
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


class ChatHandler(BaseHTTPRequestHandler):
    server_version = "Hulpwijzer"
    sys_version = ""
    rasa_url = "http://127.0.0.1:5005"
    rasa_timeout = 20.0

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
        name = "index.html" if path == "/" else path.removeprefix("/static/")
        file = (STATIC / name).resolve()
        if file.parent != STATIC or not file.is_file() or file.suffix not in CONTENT_TYPES:
            self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain; charset=utf-8")
            return
        self._send(HTTPStatus.OK, file.read_bytes(), CONTENT_TYPES[file.suffix])

    def do_POST(self) -> None:
        if self.path != "/api/message":
            self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain; charset=utf-8")
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(min(length, 16 * 1024)) or b"{}")
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


def make_server(host: str, port: int, rasa_url: str) -> ThreadingHTTPServer:
    handler = type("BoundChatHandler", (ChatHandler,), {"rasa_url": rasa_url.rstrip("/")})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description="Hulpwijzer web chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    server = make_server(args.host, args.port, args.rasa_url)
    logger.info("web chat on http://%s:%d/", args.host, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
