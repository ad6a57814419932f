"""A local stand-in for the Telegram Bot API, for tests: there is no internet here.

It answers the methods the bridge uses the way api.telegram.org does (JSON `{"ok": true,
"result": ...}`), records every call, and delivers updates to the bridge's webhook with
the secret token header, as Telegram does.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Hulpwijzer", "username": "hulpwijzer_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


class TelegramStandIn:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._lock = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def start(self) -> "TelegramStandIn":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                prefix = f"/bot{standin.token}/"
                if not self.path.startswith(prefix):
                    self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                params = standin.parse(raw, self.headers.get("Content-Type", ""))
                method = self.path[len(prefix):]
                result = standin.answer(method, params)
                if result is None:
                    self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                else:
                    self._answer(200, {"ok": True, "result": result})

            do_GET = do_POST

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    @staticmethod
    def parse(raw: bytes, content_type: str) -> dict[str, Any]:
        if content_type.startswith("application/json"):
            return json.loads(raw or b"{}")
        params: dict[str, Any] = {}
        for key, value in urllib.parse.parse_qsl(raw.decode()):
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        with self._lock:
            self.calls.append((method, params))
            self._lock.notify_all()
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            message = {"message_id": next(self._ids), "date": int(time.time()), "from": BOT_USER,
                       "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": str(params.get("text", ""))}
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        if method in {"setMyCommands", "setWebhook", "deleteWebhook", "answerCallbackQuery", "deleteMessages",
                      "deleteMessage"}:
            return True
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return None

    # What Telegram sends: updates, posted to the bridge's webhook.
    def new_message_id(self) -> int:
        return next(self._ids)

    def user_message(self, chat_id: int, text: str, language_code: str = "nl") -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "X", "language_code": language_code}
        message: dict[str, Any] = {"message_id": self.new_message_id(), "date": int(time.time()), "from": user,
                                   "chat": {"id": chat_id, "type": "private"}, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def button_press(self, chat_id: int, message: dict[str, Any], data: str,
                     language_code: str = "nl") -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "X", "language_code": language_code}
        query = {"id": str(next(self._ids)), "from": user, "chat_instance": "1", "data": data, "message": message}
        return {"update_id": next(self._update_ids), "callback_query": query}

    def wait_for(self, method: str, count: int, timeout: float = 60) -> list[dict[str, Any]]:
        """The parameters of the first `count` calls of `method`, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [p for m, p in self.calls if m == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{method} called {len(found)} times, expected {count}")
                self._lock.wait(remaining)


def post_update(webhook_url: str, update: dict[str, Any], secret: Optional[str]) -> int:
    """Deliver one update as Telegram does; returns the HTTP status the bridge answered."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(webhook_url, data=json.dumps(update).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
