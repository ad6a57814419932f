"""Talking to the assistant from a channel: one REST call to Rasa, never a reply without numbers.

Every channel (web page, Telegram, WhatsApp-style) sends the person's message here. When
Rasa does not answer, or answers nothing, the person still gets 112 and 0800-2000.
"""
from __future__ import annotations

import gettext
import json
import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import httpx

logger = logging.getLogger("hulpwijzer.assistant")

LOCALE = Path(__file__).resolve().parent.parent / "locale"
Reply = dict[str, Any]


def emergency_reply(language: str = "nl") -> list[Reply]:
    """What the person sees when the assistant cannot answer: never an error without numbers.

    Uses plain gettext rather than the directory package, so that nothing the assistant
    depends on can take this message down with it.
    """
    _ = gettext.translation("hulpwijzer", localedir=LOCALE, languages=[language], fallback=True).gettext
    return [{"text": _("Het lukt me nu niet om te antwoorden.") + "\n"
             + _("Ben je nu in gevaar? Bel 112. Op Bonaire, Sint Eustatius en Saba: bel 911.") + "\n"
             + _("Wil je praten of advies? Bel Veilig Thuis: 0800-2000. Dat is gratis, dag en nacht.")}]


def _request_body(sender: str, message: str, language: str) -> dict[str, Any]:
    """The channel's language travels as metadata; Rasa answers in it unless the person asked otherwise."""
    return {"sender": sender, "message": message, "metadata": {"language": language}}


def _keep(replies: Any) -> list[Reply]:
    return [{k: r[k] for k in ("text", "buttons", "custom") if k in r} for r in replies if isinstance(r, dict)]


def ask_rasa(rasa_url: str, sender: str, message: str, language: str, timeout: float) -> list[Reply]:
    """Rasa's replies; an empty list when Rasa cannot be reached (the caller shows emergency_reply)."""
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=json.dumps(_request_body(sender, message, language)).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return _keep(json.load(response))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        logger.warning("assistant unreachable: %s", type(error).__name__)
        return []


async def ask_rasa_async(client: httpx.AsyncClient, rasa_url: str, sender: str, message: str,
                         language: str) -> list[Reply]:
    """As ask_rasa, for channels that run on asyncio (Telegram)."""
    try:
        response = await client.post(f"{rasa_url}/webhooks/rest/webhook",
                                     json=_request_body(sender, message, language))
        response.raise_for_status()
        return _keep(response.json())
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("assistant unreachable: %s", type(error).__name__)
        return []
