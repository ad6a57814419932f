"""The web chat server: page safety, input checks, and numbers when the assistant is down."""
from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from bot.stack import Stack, free_port, post_json
from bot.web import DEFAULT_EXIT_URL, make_server
from tests.conftest import WebChat, all_text


def serve(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


class FakeRasa(BaseHTTPRequestHandler):
    """Stands in for the Rasa REST channel; answers with what the test put in `replies`."""

    replies: list = []
    received: list = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.received.append((self.path, body))
        data = json.dumps(FakeRasa.replies).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_rasa() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    FakeRasa.replies, FakeRasa.received = [], []
    serve(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def web_for(rasa_url: str) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, rasa_url)
    serve(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def web(fake_rasa: str) -> Iterator[str]:
    yield from web_for(fake_rasa)


@pytest.fixture
def web_without_rasa() -> Iterator[str]:
    yield from web_for(f"http://127.0.0.1:{free_port()}")


def test_messages_pass_through_to_the_rest_channel(web: str) -> None:
    FakeRasa.replies = [{"recipient_id": "x", "text": "Over wie gaat het?",
                         "buttons": [{"title": "Over mij", "payload": "/inform"}]}]
    chat = WebChat(web)
    replies = chat.say("hoi")
    assert replies == [{"text": "Over wie gaat het?", "buttons": [{"title": "Over mij", "payload": "/inform"}]}]
    assert FakeRasa.received == [("/webhooks/rest/webhook",
                                  {"sender": chat.sender, "message": "hoi", "metadata": {"language": "nl"}})]


@pytest.mark.parametrize(("asked", "sent"), [("ar", "ar"), ("en-GB", "en"), ("xx", "nl"), (None, "nl")])
def test_the_page_language_reaches_the_assistant(web: str, asked: str | None, sent: str) -> None:
    FakeRasa.replies = [{"text": "..."}]
    post_json(f"{web}/api/message", {"sender": "b" * 32, "message": "hoi", "language": asked})
    assert FakeRasa.received[-1][1]["metadata"] == {"language": sent}


def test_assistant_down_still_gives_the_emergency_numbers(web_without_rasa: str) -> None:
    text = all_text(WebChat(web_without_rasa).say("hij staat voor de deur"))
    assert "112" in text and "0800-2000" in text and "911" in text


def test_an_empty_answer_is_never_shown_as_silence(web: str) -> None:
    FakeRasa.replies = []
    text = all_text(WebChat(web).say("hallo"))
    assert "112" in text and "0800-2000" in text


@pytest.mark.parametrize("sender", ["", "1234", "../../etc/passwd", "A" * 32, "+31612345678"])
def test_only_random_conversation_ids_are_accepted(web: str, sender: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as error:
        post_json(f"{web}/api/message", {"sender": sender, "message": "hoi"})
    assert error.value.code == 400
    assert FakeRasa.received == []


def test_page_and_assets_are_local_with_a_strict_policy(web: str) -> None:
    with urllib.request.urlopen(f"{web}/") as response:
        page = response.read().decode()
        csp = response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    # The one address elsewhere is where quick exit leads: a link the person follows, not a load.
    page = page.replace(DEFAULT_EXIT_URL, "")
    assert "http://" not in page and "https://" not in page
    assert "112" in page
    for asset in ["/static/chat.js", "/static/chat.css"]:
        with urllib.request.urlopen(f"{web}{asset}") as response:
            body = response.read().decode()
        assert "http://" not in body and "https://" not in body
        assert "localStorage" not in body and "document.cookie" not in body


def test_files_outside_the_static_folder_are_not_served(web: str) -> None:
    for path in ["/static/../web.py", "/static/%2e%2e/web.py", "/etc/passwd"]:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{web}{path}")
        assert error.value.code == 404


def test_the_stack_refuses_a_port_that_is_in_use() -> None:
    """Otherwise an old server would answer the new stack's readiness checks."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        stack = Stack(web_port=busy.getsockname()[1], rasa_port=free_port(), action_port=free_port())
        with pytest.raises(RuntimeError, match="HULPWIJZER_WEB_PORT"):
            stack.start()
        assert stack.processes == {}
