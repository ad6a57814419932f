"""What a person typed never reaches Rasa's log, even when Rasa logs a failed turn (runs in the Rasa venv)."""
from __future__ import annotations

import subprocess
import textwrap

from bot.stack import RASA_PYTHON, ROOT, base_environment


# Rasa's start-up (rasa/__main__.py) sets logging up in these steps, then logs as the REST channel does.
LOG_A_FAILED_TURN = textwrap.dedent(
    """
    import sys
    if sys.argv[1] == "scrubbed":
        from bot.rasa_main import keep_message_text_out_of_logs
        keep_message_text_out_of_logs()
    import rasa.utils.io
    import structlog
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(None)
    rasa.utils.io.configure_colored_logging(None)
    configure_structlog(None)
    structlog.get_logger("rasa.core.channels.rest").error(
        "rest.message.received.failure", text="hij staat voor de deur, kerkstraat 12")
    """
)


def rasa_log(mode: str) -> str:
    result = subprocess.run([str(RASA_PYTHON), "-c", LOG_A_FAILED_TURN, mode], cwd=ROOT, env=base_environment(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def test_a_failed_turn_is_logged_without_the_message() -> None:
    log = rasa_log("scrubbed")
    assert "rest.message.received.failure" in log
    assert "kerkstraat" not in log


def test_without_the_scrubbing_rasa_would_log_the_message() -> None:
    """Guards the test above: Rasa 3.6 really does write the text, so the scrubbing is what removes it."""
    assert "kerkstraat" in rasa_log("plain")
