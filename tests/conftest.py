"""Shared fixtures: a fresh helpline database, and the real stack on free loopback ports."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from babel.messages.pofile import read_po

from bot.stack import ROOT, Stack, free_port, post_json
from postgres_server import PostgresUnavailable, find_binaries, postgres_server


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """The servers read compiled catalogs; compile them as `make translations` does."""
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "compile", "-d", str(ROOT / "locale"),
                    "-D", "hulpwijzer"], check=True, capture_output=True)


@pytest.fixture(scope="session")
def test_model() -> Path:
    """The model `make test` trained: the one `make run` serves (config.yml trains in about two minutes)."""
    model = Path(os.environ.get("HULPWIJZER_TEST_MODEL", ROOT / "models/hulpwijzer.tar.gz"))
    if not model.is_absolute():
        model = ROOT / model
    assert model.exists(), f"no trained test model at {model}: run `make test` (it trains one)"
    return model


@pytest.fixture(scope="session")
def stack(test_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("stack")
    running = Stack(
        model=test_model,
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=free_port(),
        log_dir=work / "logs",
        env={"HULPWIJZER_DATABASE_URL": f"sqlite:///{work / 'helplines.sqlite3'}"},
    )
    with running:
        yield running


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server for this test run (production's database); skipped if not installed.

    `make test` installs Debian's server and sets HULPWIJZER_REQUIRE_POSTGRES=1: there a missing
    server fails the run instead of quietly skipping the PostgreSQL tests.
    """
    try:
        find_binaries()
    except PostgresUnavailable as error:
        if os.environ.get("HULPWIJZER_REQUIRE_POSTGRES") == "1":
            pytest.fail(str(error))
        pytest.skip(str(error))
    with postgres_server() as url:
        yield url


class WebChat:
    """One person in the web chat: a random conversation id, the page's language, messages over HTTP."""

    def __init__(self, base_url: str, language: str = "nl") -> None:
        self.base_url = base_url
        self.language = language
        self.sender = uuid.uuid4().hex

    def say(self, message: str) -> list[dict[str, Any]]:
        payload = {"sender": self.sender, "message": message, "language": self.language}
        return post_json(f"{self.base_url}/api/message", payload)["messages"]


def all_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def catalog(language: str) -> dict[str, str]:
    """Dutch source text -> its translation in `language`, from the committed catalog."""
    with (ROOT / "locale" / language / "LC_MESSAGES" / "hulpwijzer.po").open("rb") as file:
        return {m.id: m.string for m in read_po(file) if m.id}


def dutch_response(name: str) -> dict[str, Any]:
    """A Rasa response as domain.yml holds it: the Dutch source."""
    return yaml.safe_load((ROOT / "domain.yml").read_text())["responses"][name][0]
