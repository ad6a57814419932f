"""What the person chose to tell: every answer optional, None means unknown or skipped."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from helplines import vocabulary as v


@dataclass(frozen=True)
class Answers:
    who: Optional[str] = None  # one of WHO
    young: Optional[bool] = None  # a child or young person
    danger_now: Optional[bool] = None
    topic: Optional[str] = None  # one of TOPICS
    recent: Optional[bool] = None  # happened within the last 7 days
    where: Optional[str] = None  # one of WHERE
    wish: Optional[str] = None  # one of WISHES
    language: str = "nl"
    suicidal_thoughts: Optional[bool] = None

    def cleaned(self) -> "Answers":
        """Values outside the vocabulary become unknown, so routing never fails on a bad slot."""

        def keep(value: Optional[str], allowed: tuple[str, ...]) -> Optional[str]:
            return value if value in allowed else None

        def flag(value: object) -> Optional[bool]:
            return value if isinstance(value, bool) else None

        return replace(
            self,
            who=keep(self.who, v.WHO),
            young=flag(self.young),
            danger_now=flag(self.danger_now),
            topic=keep(self.topic, v.TOPICS),
            recent=flag(self.recent),
            where=keep(self.where, v.WHERE),
            wish=keep(self.wish, v.WISHES),
            language=self.language if isinstance(self.language, str) and self.language.strip() else "nl",
            suicidal_thoughts=flag(self.suicidal_thoughts),
        )
