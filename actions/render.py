"""Lays a `helplines` referral out as chat messages (text and buttons), channel-neutral."""
from __future__ import annotations

from typing import Any, Dict, List

from helplines import Referral
from helplines.i18n import translator


def _channel_line(channel: Any) -> str:
    return f"{channel.label}: {channel.value} — {channel.availability}"


def _recommendation_text(rec: Any, _: Any) -> str:
    lines = [rec.name]
    if rec.alert:
        lines.append(rec.alert)
    lines.append(rec.why)
    lines.append(rec.what_happens)
    lines.extend(_channel_line(channel) for channel in rec.channels)
    return "\n".join(line for line in lines if line)


def render_referral(referral: Referral, language: str = "nl") -> List[Dict[str, Any]]:
    """Emergency first, then the one recommendation, then what else may help and the summary."""
    _ = translator(language)
    messages: List[Dict[str, Any]] = []
    if referral.emergency is not None:
        messages.append({"text": _recommendation_text(referral.emergency, _)})
    messages.append({"text": _("Dit past het best bij wat je vertelt:") + "\n" + _recommendation_text(referral.primary, _)})
    for rec in referral.also:
        messages.append({"text": _recommendation_text(rec, _)})
    if referral.alternatives:
        others = [_("Andere mogelijkheden:")]
        for rec in referral.alternatives:
            first = rec.channels[0] if rec.channels else None
            others.append(f"{rec.name}: {first.value}" if first else rec.name)
        messages.append({"text": "\n".join(others)})
    messages.append(
        {
            "text": _("Je hoeft je verhaal niet opnieuw te vertellen. Lees dit voor, of plak het in de chat:")
            + "\n\n"
            + referral.summary_nl,
            "buttons": [{"title": _("Opnieuw beginnen"), "payload": "/restart_conversation"}],
        }
    )
    return messages
