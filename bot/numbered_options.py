"""Buttons as numbered options, for messaging channels without buttons ("typ 1, 2 of 3").

Pure functions: the channel keeps the options of its last reply and maps a typed number
back to that button's payload, so the conversation is the same as with buttons.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Optional

NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def render(replies: list[dict[str, Any]], _: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """Texts to send, and the payloads of the numbered options (1-based in the text)."""
    texts: list[str] = []
    payloads: list[str] = []
    for reply in replies:
        lines = [reply["text"]] if reply.get("text") else []
        for button in reply.get("buttons") or []:
            payloads.append(str(button["payload"]))
            lines.append(f"{len(payloads)}. {button['title']}")
        if lines:
            texts.append("\n".join(lines))
    if payloads:
        texts[-1] += "\n" + _("Typ het nummer van je keuze. Of schrijf het in je eigen woorden.")
    return texts, payloads


def choose(text: str, payloads: list[str]) -> Optional[str]:
    """The payload of the option the person typed, or None when the message is not one of the numbers."""
    match = NUMBER.match(text)
    if not match:
        return None
    index = int(match.group(1)) - 1
    return payloads[index] if 0 <= index < len(payloads) else None
