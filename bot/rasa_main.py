"""Rasa's own command line (`rasa run ...`), with what people wrote kept out of its log.

Runs in the Rasa environment: `.venv-rasa/bin/python -m bot.rasa_main run --model ...`.
Rasa 3.6 logs the message text when a turn fails or times out (`rest.message.received.failure`,
`text=...`), and at debug level much more. Its structlog output reaches the standard logging
module as one JSON object per line; every record is scrubbed before any handler sees it, so
no log file can hold what a person typed, whichever handlers Rasa or coloredlogs install.
"""
from __future__ import annotations

import json
import logging
from typing import Any

# The fields Rasa's own anonymizer would rewrite (rasa/utils/log_utils.py), plus what a REST
# request carries: all of them may hold what the person wrote or what the bot answered.
PRIVATE_FIELDS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message", "metadata", "tracker", "events",
})
REMOVED = "[removed]"


def without_private_fields(line: str) -> str:
    """The JSON log line with every private field's value replaced; any other line unchanged."""
    try:
        entry = json.loads(line)
    except ValueError:
        return line
    if not isinstance(entry, dict) or not PRIVATE_FIELDS & entry.keys():
        return line
    return json.dumps({key: REMOVED if key in PRIVATE_FIELDS else value for key, value in entry.items()},
                      ensure_ascii=False)


def keep_message_text_out_of_logs() -> None:
    """Scrub every log record as it is made (a record factory outlives any handler set-up)."""
    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if isinstance(record.msg, str) and record.msg.startswith("{"):
            record.msg = without_private_fields(record.msg)
        return record

    logging.setLogRecordFactory(scrubbed_record)


def main() -> None:
    keep_message_text_out_of_logs()
    from rasa.__main__ import main as rasa_command_line

    rasa_command_line()


if __name__ == "__main__":
    main()
