"""The waiting order: effective priority = priority + urgency + ageing, then age.

- *Ageing*: ``ageing_per_minute`` points for every minute waited, so nobody waits forever
  behind higher priorities.
- *Urgency*: some channels only allow a free reply within a window after the customer's last
  message (WhatsApp's 24-hour customer-care window). Over the last ``ramp_seconds`` of the
  window urgency rises from 0 to ``points`` in ``steps`` equal steps, and stays there once
  the window has closed (a reply then needs a paid template, and the customer has waited
  longest).

Urgency moves in steps, so ``priority + urgency`` (the *queue priority*) is a stored integer
refreshed when the next step is due; ageing is linear in time, so among conversations of one
queue priority the oldest is always ahead. The queue is therefore kept in *classes*, one per
(requirements, intense, queue priority); the first two make the *fit key*: an advisor fits
all the classes of a fit key or none. The best conversation for an advisor is the best head
(oldest member) among the classes of the fit keys they fit. The cost depends on the number
of fit keys and classes, not on how many conversations wait (``WaitingQueue`` here; the same
plan in SQL in router.routing.queue).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote, unquote

from clocks import _fields as f
from skills.care import CarePolicy
from skills.eligibility import Situation, exclusion
from skills.model import AdvisorProfile, Requirements

MAX_QUEUE_PRIORITY = 9999  # four digits in a class key


@dataclass(frozen=True, slots=True)
class ReplyWindow:
    seconds: float  # how long after the customer's last message a free reply is allowed
    ramp_seconds: float  # urgency rises over the end of the window
    points: int  # urgency reached when the window closes
    steps: int = 6  # how many times it rises on the way (fewer steps: fewer queue classes)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise f.error("seconds", "must be a positive number of seconds")
        if not (math.isfinite(self.ramp_seconds) and 0 < self.ramp_seconds <= self.seconds):
            raise f.error("ramp_seconds", "must be positive and at most the window")
        if not 0 <= self.points <= 100:
            raise f.error("points", f"{self.points} is outside 0..100")
        if not 1 <= self.steps <= 100:
            raise f.error("steps", f"{self.steps} is outside 1..100")

    def step(self, since_message: float) -> int:
        """How many steps of the ramp have passed (0 .. ``steps``)."""
        start = self.seconds - self.ramp_seconds
        if since_message <= start:
            return 0
        if since_message >= self.seconds:
            return self.steps
        passed = math.floor(self.steps * (since_message - start) / self.ramp_seconds)
        return min(self.steps, passed)

    def urgency(self, since_message: float) -> int:
        """Points of urgency ``since_message`` seconds after the customer's last message."""
        return self.points * self.step(since_message) // self.steps

    def next_rise(self, since_message: float) -> float | None:
        """Seconds until the next step (None: the urgency is at its maximum)."""
        current = self.step(since_message)
        if current >= self.steps:
            return None
        start = self.seconds - self.ramp_seconds
        at = start + (current + 1) * self.ramp_seconds / self.steps
        return max(0.0, at - since_message) + 0.001  # past the step, whatever the rounding


@dataclass(frozen=True, slots=True)
class QueuePolicy:
    ageing_per_minute: float = 1.0
    windows: Mapping[str, ReplyWindow] = field(default_factory=dict)  # channel -> window
    # Queue priority added to an intense conversation: an angry customer is not served
    # after calmer ones who came later.
    intense_boost: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.ageing_per_minute) and 0 <= self.ageing_per_minute <= 100):
            raise f.error("ageing_per_minute", "must be a number in 0..100")
        if not 0 <= self.intense_boost <= 1000:
            raise f.error("intense_boost", f"{self.intense_boost} is outside 0..1000")

    def queue_priority(self, priority: int, urgency: int, intense: bool) -> int:
        """The stored part of the waiting order: the rule's priority, the reply window's
        urgency and the intense boost, kept within a class key's four digits."""
        boosted = priority + urgency + (self.intense_boost if intense else 0)
        return max(0, min(MAX_QUEUE_PRIORITY, boosted))

    def urgency(self, channel: str, since_message: float) -> int:
        window = self.windows.get(channel)
        return 0 if window is None else window.urgency(since_message)

    def next_rise(self, channel: str, since_message: float) -> float | None:
        window = self.windows.get(channel)
        return None if window is None else window.next_rise(since_message)


def effective_priority(
    queue_priority: int, waited_seconds: float, ageing_per_minute: float
) -> float:
    """Priority plus urgency (``queue_priority``) plus ageing; never decreases as one waits."""
    return queue_priority + ageing_per_minute * max(0.0, waited_seconds) / 60.0


def class_range(fit_key: str) -> tuple[str, str]:
    """The lowest and highest class keys a fit key can have."""
    return f"{fit_key}|0000", f"{fit_key}|{MAX_QUEUE_PRIORITY}"


# Above every class key: keys are printable ASCII (their parts are percent-quoted).
KEYS_END = "\x7f"


def fit_ranges(channels: Iterable[str], languages: Iterable[str]) -> list[tuple[str, str]]:
    """Class-key ranges [low, high) that hold every class an advisor speaking ``languages``
    may fit: for each of ``channels``, its classes in one of those languages or in none;
    and every class of any other channel (the ranges between and around theirs), so that
    a channel missing from ``channels`` narrows nothing. Keys sort bytewise (class keys
    begin ``channel|language|``, and ``}`` sorts right after ``|``)."""
    spoken = sorted({"", *(_q(language) for language in languages)})
    ranges: list[tuple[str, str]] = []
    low = ""
    for channel in sorted(f"{_q(c)}|" for c in set(channels)):
        ranges.append((low, channel))
        ranges.extend((f"{channel}{language}|", f"{channel}{language}}}") for language in spoken)
        low = channel[:-1] + "}"
    ranges.append((low, KEYS_END))
    return ranges


@dataclass(frozen=True, slots=True)
class QueueClass:
    """Waiting conversations an advisor fits all together or not at all."""

    requirements: Requirements
    intense: bool
    queue_priority: int

    def __post_init__(self) -> None:
        if not 0 <= self.queue_priority <= MAX_QUEUE_PRIORITY:
            raise ValueError(f"queue priority {self.queue_priority} is outside 0..9999")

    @property
    def fit_key(self) -> str:
        """What fitting depends on, readable and parseable: channel|language|team|skills|i/c.
        Every class of a fit key sorts between the two ends of ``class_range(fit_key)``."""
        r = self.requirements
        skills = ",".join(f"{_q(name)}={level}" for name, level in sorted(r.skills.items()))
        team = "" if r.team_id is None else str(r.team_id)
        mood = "i" if self.intense else "c"
        return "|".join((_q(r.channel), _q(r.language or ""), team, skills, mood))

    @property
    def key(self) -> str:
        return f"{self.fit_key}|{self.queue_priority:04d}"

    def fits(self, advisor: AdvisorProfile, now: float, care: CarePolicy) -> bool:
        situation = Situation(now=now, intense=self.intense, care=care)
        return exclusion(advisor, self.requirements, situation) is None


@lru_cache(maxsize=4096)
def parse_class(key: str) -> QueueClass:
    """The class a key names (ValueError when it names none)."""
    channel, language, team, skills, mood, priority = key.split("|")
    levels = {}
    for item in filter(None, skills.split(",")):
        name, _, level = item.partition("=")
        levels[unquote(name)] = int(level)
    if mood not in ("i", "c"):
        raise ValueError(f"not a queue class: {key!r}")
    requirements = Requirements(
        channel=unquote(channel),
        skills=levels,
        language=unquote(language) or None,
        team_id=int(team) if team else None,
    )
    return QueueClass(requirements, mood == "i", int(priority))


class Head(NamedTuple):
    """The oldest conversation of a class: what competes for an advisor."""

    conversation_id: int
    queue_priority: int
    waiting_since: float  # epoch seconds


def rank(heads: Iterable[Head], now: float, ageing_per_minute: float) -> list[Head]:
    """Heads best first: highest effective priority, then longest wait, then lowest id."""
    return sorted(
        heads,
        key=lambda h: (
            -effective_priority(h.queue_priority, now - h.waiting_since, ageing_per_minute),
            h.waiting_since,
            h.conversation_id,
        ),
    )


@dataclass
class _FitGroup:
    """The classes of one fit key: queue priority -> members by (waiting_since, id)."""

    cls: QueueClass  # any class of the fit key (its requirements and intensity)
    levels: dict[int, list[tuple[float, int]]] = field(default_factory=dict)


class WaitingQueue:
    """The waiting room in memory, by fit key and class (the plan the SQL pull follows)."""

    def __init__(self, policy: QueuePolicy) -> None:
        self.policy = policy
        self._groups: dict[str, _FitGroup] = {}
        self._where: dict[int, tuple[str, int, float]] = {}  # id -> (fit key, priority, since)
        self._by_language: dict[str | None, set[str]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def add(self, conversation_id: int, cls: QueueClass, waiting_since: float) -> None:
        self.remove(conversation_id)
        fit_key = cls.fit_key
        group = self._groups.get(fit_key)
        if group is None:
            group = self._groups[fit_key] = _FitGroup(cls)
            self._by_language.setdefault(cls.requirements.language, set()).add(fit_key)
        insort(group.levels.setdefault(cls.queue_priority, []), (waiting_since, conversation_id))
        self._where[conversation_id] = (fit_key, cls.queue_priority, waiting_since)

    def remove(self, conversation_id: int) -> None:
        found = self._where.pop(conversation_id, None)
        if found is None:
            return
        fit_key, priority, since = found
        group = self._groups[fit_key]
        members = group.levels[priority]
        del members[bisect_left(members, (since, conversation_id))]
        if not members:
            del group.levels[priority]
        if not group.levels:
            del self._groups[fit_key]
            self._by_language[group.cls.requirements.language].discard(fit_key)

    def best_for(
        self,
        advisor: AdvisorProfile,
        *,
        now: float,
        care: CarePolicy,
        skip: frozenset[int] = frozenset(),
    ) -> Head | None:
        """The conversation ``advisor`` should take next, skipping the ids in ``skip``."""
        heads = []
        for language in (None, *sorted(advisor.languages)):
            for fit_key in self._by_language.get(language, ()):
                group = self._groups[fit_key]
                if not group.cls.fits(advisor, now, care):
                    continue
                for priority, members in group.levels.items():
                    head = _first(members, skip)
                    if head is not None:
                        heads.append(Head(head[1], priority, head[0]))
        ranked = rank(heads, now, self.policy.ageing_per_minute)
        return ranked[0] if ranked else None


def _first(members: list[tuple[float, int]], skip: frozenset[int]) -> tuple[float, int] | None:
    if not skip:
        return members[0]
    return next((m for m in members if m[1] not in skip), None)


def _q(text: str) -> str:
    return quote(text, safe="")
