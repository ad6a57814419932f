"""Debian's Chromium driven by Playwright, shared by every browser test (no browser download)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from playwright import sync_api as playwright_api

from bot.stack import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "results" / "browser"
# As the machine notes say: without these, Chromium tries to reach Google's servers at start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it"
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
