"""Care for advisors: what makes a conversation intense, cool-downs, and rising anger.

- A conversation is *intense* while its latest customer message reads as one of the
  ``intense_emotions`` (anger, frustration) with an intensity of at least the threshold.
- An advisor who finished an intense conversation less than ``cooldown_seconds`` ago is not
  given another intense one (cool-down), nor is one already holding ``max_intense`` of them.
- Intense conversations are spread across a team: the chooser prefers whoever took the fewest
  today (see ``skills.choice``).
- Anger *rises* when the anger-like intensity of the last ``messages`` customer messages
  strictly increases and the latest reaches ``threshold``; a supervisor is alerted once per
  rise (``anger_alert``), not at every further message.
- A customer already very angry in their *first* message cannot show a rise yet: the
  supervisor is alerted at once when it reads as an intense emotion at the first-message
  threshold or more (``angry_first_message``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from clocks import _fields as f
from skills.model import AdvisorProfile

ESCALATING = frozenset({"anger", "frustration"})
Reading = tuple[str | None, float]  # (emotion, intensity in [0, 1]) of one customer message


@dataclass(frozen=True, slots=True)
class CarePolicy:
    intense_emotions: frozenset[str] = ESCALATING
    intense_threshold: float = 0.6
    cooldown_seconds: float = 600.0
    max_intense: int = 1  # simultaneous intense conversations per advisor

    def __post_init__(self) -> None:
        _unit("intense_threshold", self.intense_threshold)
        if not math.isfinite(self.cooldown_seconds) or self.cooldown_seconds < 0:
            raise f.error("cooldown_seconds", "must be a finite number >= 0")
        if self.max_intense < 1:
            raise f.error("max_intense", "must be at least 1")

    def is_intense(self, emotion: str | None, intensity: float) -> bool:
        return emotion in self.intense_emotions and intensity >= self.intense_threshold

    def cooldown_left(self, advisor: AdvisorProfile, now: float) -> float:
        """Seconds of cool-down ``advisor`` still has at ``now`` (0: none)."""
        ended = advisor.last_intense_ended_at
        if ended is None:
            return 0.0
        return max(0.0, ended + self.cooldown_seconds - now)

    def refusal(self, advisor: AdvisorProfile, now: float) -> tuple[bool, str] | None:
        """Why ``advisor`` may not take an intense conversation now: (is cool-down, reason)."""
        left = self.cooldown_left(advisor, now)
        if left > 0:
            return True, f"in cool-down after an intense conversation ({math.ceil(left)} s left)"
        if advisor.intense_load >= self.max_intense:
            return False, f"already holds {advisor.intense_load}/{self.max_intense} intense"
        return None


@dataclass(frozen=True, slots=True)
class AngerTrend:
    messages: int = 3
    threshold: float = 0.6
    emotions: frozenset[str] = ESCALATING

    def __post_init__(self) -> None:
        if not 2 <= self.messages <= 20:
            raise f.error("anger_messages", "must be between 2 and 20")
        _unit("anger_threshold", self.threshold)

    def level(self, reading: Reading) -> float:
        """Anger-like intensity of one message; other emotions count as calm (0)."""
        emotion, intensity = reading
        return intensity if emotion in self.emotions else 0.0

    def rising(self, readings: Sequence[Reading]) -> bool:
        if len(readings) < self.messages:
            return False
        levels = [self.level(r) for r in readings[-self.messages :]]
        increasing = all(a < b for a, b in zip(levels, levels[1:], strict=False))
        return increasing and levels[-1] >= self.threshold


def anger_alert(readings: Sequence[Reading], trend: AngerTrend) -> str | None:
    """The reason to alert a supervisor after the latest of ``readings`` (oldest first), or
    None: only the message that *starts* a rise alerts."""
    if not trend.rising(readings) or trend.rising(readings[:-1]):
        return None
    levels = " -> ".join(f"{trend.level(r):.2f}" for r in readings[-trend.messages :])
    return (
        f"anger rising over the last {trend.messages} customer messages ({levels}; "
        f"alert threshold {trend.threshold:.2f})"
    )


def angry_first_message(
    readings: Sequence[Reading], care: CarePolicy, threshold: float
) -> str | None:
    """The reason to alert a supervisor when ``readings`` (oldest first) hold only the
    conversation's first customer message and it is already one of the intense emotions at
    ``threshold`` or more, else None. Only the first message qualifies, so a conversation
    alerts this way at most once."""
    if len(readings) != 1:
        return None
    emotion, intensity = readings[0]
    if emotion not in care.intense_emotions or intensity < threshold:
        return None
    return (
        f"first customer message already reads as {emotion} at {intensity:.2f} "
        f"(alert threshold {threshold:.2f})"
    )


def _unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise f.error(name, f"{value} is outside [0, 1]")
