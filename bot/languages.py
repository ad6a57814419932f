"""Which language to answer in. Standard library only: imported by the Rasa server
(Python 3.10) and by the action server and channels (Python 3.11).

Order: the language the person asked for in the conversation (the `language` slot), then
the channel's language sent with each message (`metadata["language"]`: the web page's
choice, Telegram's language_code), then Dutch.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

SUPPORTED = ("nl", "en", "ar", "tr", "pl", "uk")
DEFAULT = "nl"
RIGHT_TO_LEFT = frozenset({"ar"})


def normalise(code: Any) -> Optional[str]:
    """'en-GB' -> 'en'; anything unsupported -> None."""
    if not isinstance(code, str):
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in SUPPORTED else None


def choose(slot_value: Any, metadata: Optional[Mapping[str, Any]]) -> str:
    return normalise(slot_value) or normalise((metadata or {}).get("language")) or DEFAULT
