"""The package boundary: plain Python, the interface the conversation layer calls."""
from __future__ import annotations

import inspect
import subprocess
import sys

import helplines
from helplines.database import ROOT


def test_no_rasa_import() -> None:
    code = "import sys, helplines, helplines.routing, helplines.seed; print(sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    for path in (ROOT / "helplines").rglob("*.py"):
        assert "import rasa" not in path.read_text() and "from rasa" not in path.read_text()


def test_public_interface() -> None:
    assert list(inspect.signature(helplines.route).parameters) == ["answers", "now", "directory"]
    assert list(inspect.signature(helplines.open_directory).parameters)[0] == "database_url"
    fields = [f for f in helplines.Answers.__dataclass_fields__]
    assert fields[:8] == ["who", "young", "danger_now", "topic", "recent", "where", "wish", "language"]
    assert helplines.Answers().language == "nl"
    assert len(helplines.TOPICS) == 12 and helplines.WHERE == ("nl", "bonaire", "sint_eustatius", "saba")
