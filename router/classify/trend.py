"""Is a customer getting angrier? A conversation-level reading of per-message emotions.

Only anger and frustration escalate; each customer message gets an escalation level (its
intensity when angry or frustrated, else 0). The trend is the least-squares rise of that
level over the last few messages: robust to one calm message in between, and exactly 0 for
a constant conversation. Rising needs a real rise, a high latest level and an end above the
start, so a supervisor is alerted on escalation, not on a customer who was always upset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from router.classify.labels import ESCALATING_EMOTIONS


class EmotionReading(Protocol):
    """Anything with a per-message emotion, e.g. a ``Classification``."""

    @property
    def emotion(self) -> str: ...

    @property
    def emotion_intensity(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Reading:
    """A stored per-message emotion, for callers that do not keep the Classification."""

    emotion: str
    emotion_intensity: float


@dataclass(frozen=True, slots=True)
class EmotionTrend:
    rising: bool
    score: float  # fitted rise of the escalation level across the window, in [-1, 1]
    level: float  # escalation level of the latest message, in [0, 1]
    messages: int  # customer messages considered
    reason: str


def escalation_level(reading: EmotionReading) -> float:
    if reading.emotion not in ESCALATING_EMOTIONS:
        return 0.0
    return float(min(1.0, max(0.0, reading.emotion_intensity)))


def detect_trend(
    readings: Sequence[EmotionReading],
    *,
    window: int = 5,
    min_rise: float = 0.25,
    min_level: float = 0.5,
) -> EmotionTrend:
    """Trend over the customer's messages in order (oldest first); the last ``window`` count."""
    levels = [escalation_level(r) for r in readings[-window:]]
    count = len(levels)
    if count < 2:
        level = levels[-1] if levels else 0.0
        return EmotionTrend(False, 0.0, level, count, "fewer than two customer messages")
    positions = np.arange(count, dtype=np.float64)
    slope = float(np.polyfit(positions, np.asarray(levels), 1)[0])
    score = round(float(np.clip(slope * (count - 1), -1.0, 1.0)), 4)
    first, last = levels[0], levels[-1]
    span = f"from {first:.2f} to {last:.2f} over {count} customer messages (trend {score:+.2f})"
    if score < min_rise:
        return EmotionTrend(False, score, last, count, f"no rise: anger/frustration {span}")
    if last < min_level:
        return EmotionTrend(
            False, score, last, count, f"rising but still mild (below {min_level:.2f}): {span}"
        )
    if last <= first:
        return EmotionTrend(False, score, last, count, f"no rise at the end: {span}")
    return EmotionTrend(True, score, last, count, f"anger/frustration rising {span}")
