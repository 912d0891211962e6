"""Scenario parts fitted to one recorded day: plain Python over rows already read.

Everything here is a pure function of its arguments (the reading is ``history``); the
output is the mapping form a scenario file uses (``sim.parse``), so what is built can be
written as YAML, edited and read back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: An (intent, channel) group with fewer handled conversations falls back to the catch-all.
MIN_GROUP = 5


@dataclass(frozen=True, slots=True)
class Arrival:
    """One conversation opened that day, as the classifier read it."""

    seconds: float  # from the start of the day
    channel: str
    language: str | None
    intent: str | None
    emotion: str | None
    intensity: float | None
    tier: str | None


@dataclass(frozen=True, slots=True)
class Wait:
    """How long a customer waited, and whether they left (else the wait is censored)."""

    channel: str
    seconds: float
    abandoned: bool


def per_interval(arrivals: Iterable[Arrival], step: float, count: int) -> list[int]:
    """Conversations opened in each interval: the recorded count is the Poisson mean."""
    counts = [0] * count
    for arrival in arrivals:
        index = int(arrival.seconds // step)
        if 0 <= index < count:
            counts[index] += 1
    return counts


def mix(arrivals: Iterable[Arrival]) -> list[dict[str, object]]:
    """One entry per (channel, language, intent, emotion, tier) seen, weighted by its count;
    the intensity is the group's mean (rules compare it with thresholds)."""
    groups: dict[tuple[str, str | None, str | None, str | None, str | None], list[float]]
    groups = defaultdict(list)
    for a in arrivals:
        key = (a.channel, a.language, a.intent, a.emotion, a.tier)
        groups[key].append(a.intensity or 0.0)
    entries: list[dict[str, object]] = []
    for (channel, language, intent, emotion, tier), intensities in sorted(
        groups.items(), key=lambda item: (-len(item[1]), str(item[0]))
    ):
        entry: dict[str, object] = {"weight": len(intensities), "channel": channel}
        optional = {"language": language, "intent": intent, "emotion": emotion, "tier": tier}
        entry.update({k: v for k, v in optional.items() if v is not None})
        intensity = round(sum(intensities) / len(intensities), 3)
        if intensity:
            entry["intensity"] = intensity
        entries.append(entry)
    return entries


def handling(samples: dict[tuple[str | None, str], list[float]]) -> list[dict[str, object]]:
    """Empirical handling times per (intent, channel) with at least ``MIN_GROUP`` values,
    then per channel, then one catch-all entry over every value (the scenario's last entry
    must match everything)."""
    every = sorted(v for values in samples.values() for v in values)
    if not every:
        return []
    entries: list[dict[str, object]] = []
    by_channel: dict[str, list[float]] = defaultdict(list)
    for (intent, channel), values in sorted(samples.items(), key=lambda i: str(i[0])):
        by_channel[channel].extend(values)
        if intent is not None and len(values) >= MIN_GROUP:
            entries.append({"intent": intent, "channel": channel, "time": _empirical(values)})
    for channel, values in sorted(by_channel.items()):
        if len(values) >= MIN_GROUP and len(by_channel) > 1:
            entries.append({"channel": channel, "time": _empirical(values)})
    entries.append({"time": _empirical(every)})
    return entries


def patience(waits: Iterable[Wait]) -> list[dict[str, object]]:
    """Exponential patience per channel, by maximum likelihood under right censoring: a
    customer who left after w seconds shows their patience was w; one answered (or still
    waiting at the day's end) after w shows only that it was longer than w. The estimate of
    the mean is (sum of every wait, left or not) / (number who left). A channel where
    nobody left gets no limit (``time: null``), e-mail typically."""
    total: dict[str, float] = defaultdict(float)
    left: dict[str, int] = defaultdict(int)
    for wait in waits:
        total[wait.channel] += max(0.0, wait.seconds)
        left[wait.channel] += int(wait.abandoned)
    entries: list[dict[str, object]] = []
    for channel in sorted(total):
        if left[channel] == 0:
            entries.append({"channel": channel, "time": None})
        else:
            mean = max(1.0, round(total[channel] / left[channel], 1))
            entries.append({"channel": channel, "time": {"exponential": mean}})
    return entries


def shifts(spans: Sequence[tuple[float, float]], day_start: float) -> list[list[float]]:
    """Available spans (epoch seconds) as a scenario's shifts (minutes from the day's start),
    spans shorter than a second left out."""
    return [
        [round((a - day_start) / 60, 3), round((b - day_start) / 60, 3)]
        for a, b in spans
        if b - a >= 1.0
    ]


def _empirical(values: Iterable[float]) -> dict[str, list[float]]:
    return {"empirical": [round(max(0.0, v), 1) for v in sorted(values)]}
