"""Value objects of the routing domain: advisors, conversation facts, requirements.

Everything here is immutable and plain data; mappings are read-only by contract (callers must
not mutate a mapping after handing it over).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from clocks import _fields as f

MIN_LEVEL = 1
MAX_LEVEL = 5


class AdvisorStatus(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    BREAK = "break"
    OFFLINE = "offline"


class RoutingMode(StrEnum):
    """How a team is served (rules and escalation decide *which* queue; this, *how*)."""

    PUSH = "push"  # assigned at once
    OFFER = "offer"  # offered: the advisor accepts or declines before a timeout
    PULL = "pull"  # nothing pushed: advisors take next or claim from their queue
    BLENDED = "blended"  # pushed up to a load (or past a wait), pulled beyond


class Policy(StrEnum):
    """How a rule picks among eligible advisors (see ``skills.choice``)."""

    BEST_FIT = "best_fit"
    LEAST_BUSY = "least_busy"
    LONGEST_IDLE = "longest_idle"
    ROUND_ROBIN = "round_robin"


@dataclass(frozen=True, slots=True)
class AdvisorProfile:
    """What routing needs to know of one advisor, as of now.

    ``capacity_per_channel``: a channel absent from the map is limited only by
    ``capacity_total``; 0 means the advisor does not handle that channel. Loads may exceed
    capacities (an admin lowered a capacity while the advisor was busy): such an advisor is
    simply not eligible.
    """

    id: int
    name: str
    team_id: int | None
    status: AdvisorStatus
    languages: frozenset[str]
    skills: Mapping[str, int]
    capacity_total: int
    capacity_per_channel: Mapping[str, int]
    load_total: int
    load_per_channel: Mapping[str, int]
    last_assigned_at: float | None  # epoch seconds; None = never assigned
    # Emotional load (see skills.care): intense conversations held now (offers included),
    # taken today, and when the last one ended (epoch seconds).
    intense_load: int = 0
    intense_today: int = 0
    last_intense_ended_at: float | None = None
    # Pushed work (router's choice) stops at this load; None: up to capacity. 0 in a pull
    # team; blended teams set it, and ``push_after_seconds`` lets a conversation that waited
    # that long be pushed past it (up to capacity). Pulled work ignores both.
    push_limit: int | None = None
    push_after_seconds: float | None = None

    def __post_init__(self) -> None:
        # Coercion lets callers pass the stored string; an unknown status fails here, early.
        object.__setattr__(self, "status", AdvisorStatus(self.status))
        _non_negative("capacity_total", self.capacity_total)
        _non_negative("load_total", self.load_total)
        _non_negative("intense_load", self.intense_load)
        _non_negative("intense_today", self.intense_today)
        for channel, value in self.capacity_per_channel.items():
            _non_negative(f"capacity_per_channel.{channel}", value)
        for channel, value in self.load_per_channel.items():
            _non_negative(f"load_per_channel.{channel}", value)
        for skill, level in self.skills.items():
            if not MIN_LEVEL <= level <= MAX_LEVEL:
                raise ValueError(f"advisor {self.id}: skill {skill} level {level} not in 1..5")


def _non_negative(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")


OTHER_LANGUAGE = "other"
"""A conversation's language when it is clearly none the detector can name (ISO 639-1 codes
otherwise): rules can match it, but no advisor is required to speak it."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known of a conversation when it is routed (from the message and classifier).

    ``language``: an ISO 639-1 code (``fr``, ``it``, ``zh``...), ``OTHER_LANGUAGE``, or None
    when the text said too little."""

    channel: str
    language: str | None
    intent: str | None
    text: str
    tier: str | None = None
    emotion: str | None = None
    emotion_intensity: float = 0.0
    at: datetime | None = None  # when it arrived (aware); business-hours conditions read it


@dataclass(frozen=True, slots=True)
class Requirements:
    """What an advisor must satisfy to take a conversation.

    ``skills`` maps a skill name to the minimum level; ``language`` and ``team_id`` are
    ignored when None.
    """

    channel: str
    skills: Mapping[str, int]
    language: str | None = None
    team_id: int | None = None

    def __post_init__(self) -> None:
        if not self.channel:
            raise f.error("channel", "must not be empty")
        for skill, level in self.skills.items():
            f.check_level(level, f"skills.{skill}")

    def to_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "skills": dict(sorted(self.skills.items())),
            "language": self.language,
            "team_id": self.team_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Requirements:
        d = f.mapping(data, "requirements")
        f.check_keys(d, ("channel", "skills", "language", "team_id"), "requirements")
        return cls(
            channel=f.string(f.required(d, "channel"), "channel"),
            skills=f.skill_levels(d.get("skills", {}), "skills", None),
            language=f.optional_string(d.get("language"), "language"),
            team_id=f.optional_int(d.get("team_id"), "team_id"),
        )


class Score(NamedTuple):
    """What an eligible advisor is compared on; the policy decides the order of the fields."""

    affinity: bool  # is the preferred advisor (already knows this customer)
    fit: int  # sum of the advisor's levels over the required skills
    load: float  # load_total / capacity_total
    idle_seconds: float | None  # since the last assignment; None = never assigned
    intense_today: int = 0  # intense conversations taken today (compared for intense ones)
