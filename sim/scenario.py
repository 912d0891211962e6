"""A scenario: who works when, who writes in, how long it takes, and the rules in force.

Read from the mapping a YAML or JSON file gives (``sim.parse.parse_scenario``); times of day are
minutes from the start of the simulated day, durations seconds. The rules are the
``aiguillage rules export`` document, parsed by ``skills.RuleSpec`` (``rules_from_documents``).
Every value is checked here, so a run never fails half-way on a typo.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from clocks.errors import RuleError
from sim.distributions import Duration
from sim.errors import ScenarioError
from skills import AdvisorStatus, CarePolicy, QueuePolicy, RoutingMode, RuleSpec

__all__ = ["Scenario", "ScenarioError", "ServiceTarget", "rules_from_documents"]

_EXPORT_ONLY = ("id", "created_at", "updated_at", "enabled")


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """X % of conversations answered within Y seconds (``"80/20"``)."""

    fraction: float
    seconds: float

    @classmethod
    def parse(cls, text: str) -> ServiceTarget:
        percent, _, seconds = text.partition("/")
        try:
            target = cls(float(percent) / 100.0, float(seconds))
        except ValueError:
            raise ScenarioError(
                "service_level", f"expected X/Y such as 80/20, got {text!r}"
            ) from None
        if not (0 < target.fraction < 1 and target.seconds >= 0):
            raise ScenarioError("service_level", f"expected 0 < X < 100 and Y >= 0, got {text!r}")
        return target

    def __str__(self) -> str:
        return f"{self.fraction * 100:g}/{self.seconds:g}"


@dataclass(frozen=True, slots=True)
class MixEntry:
    """One kind of conversation and its share of the arrivals."""

    weight: float
    channel: str
    language: str | None = None
    intent: str | None = None
    emotion: str | None = None
    intensity: float = 0.0
    tier: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class ByKind:
    """Durations by intent and channel: the first entry that matches wins (None: any)."""

    entries: tuple[tuple[str | None, str | None, Duration | None], ...]

    def for_(self, intent: str | None, channel: str) -> Duration | None:
        for want_intent, want_channel, duration in self.entries:
            if want_intent in (None, intent) and want_channel in (None, channel):
                return duration
        return None


@dataclass(frozen=True, slots=True)
class TeamSpec:
    id: int
    name: str
    mode: RoutingMode = RoutingMode.PUSH
    push_limit: int = 1  # blended only
    push_after_seconds: float | None = None  # blended only
    accept: Duration = Duration("fixed", 0.0)  # offer only: delay before the advisor accepts

    @property
    def push_bounds(self) -> tuple[int | None, float | None]:
        """As router.routing.teams.TeamService.push_bounds: what reaches AdvisorProfile."""
        if self.mode == RoutingMode.PULL:
            return 0, None
        if self.mode == RoutingMode.BLENDED:
            return self.push_limit, self.push_after_seconds
        return None, None


@dataclass(frozen=True, slots=True)
class AdvisorSpec:
    name: str
    team_id: int | None
    languages: frozenset[str]
    skills: Mapping[str, int]
    capacity: int
    capacity_per_channel: Mapping[str, int]
    # (seconds from the start of the day, status from then on), in time order.
    timetable: tuple[tuple[float, AdvisorStatus], ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    interval_seconds: float
    per_interval: tuple[float, ...]  # expected arrivals in each interval (Poisson)
    mix: tuple[MixEntry, ...]
    handling: ByKind
    patience: ByKind
    teams: Mapping[int, TeamSpec]
    advisors: tuple[AdvisorSpec, ...]
    rules: tuple[RuleSpec, ...]
    target: ServiceTarget = ServiceTarget(0.8, 20.0)
    care: CarePolicy = CarePolicy()
    queue: QueuePolicy = QueuePolicy()
    warmup_intervals: int = 0  # simulated, not reported (the centre starts empty)
    start: datetime | None = None  # when the day starts (rules with business hours read it)
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def horizon(self) -> float:
        return self.interval_seconds * len(self.per_interval)

    def with_rules(self, rules: Sequence[RuleSpec]) -> Scenario:
        """The same day under other rules (a what-if)."""
        return replace(self, rules=tuple(rules))


def rules_from_documents(documents: Sequence[object]) -> list[RuleSpec]:
    """Rules from an ``aiguillage rules export`` document's list (disabled rules left out)."""
    rules = []
    for i, document in enumerate(documents):
        if not isinstance(document, Mapping):
            raise ScenarioError(f"rules[{i}]", "expected a rule object")
        if document.get("enabled", True) is False:
            continue
        body = {k: v for k, v in document.items() if k not in _EXPORT_ONLY}
        body.setdefault("position", i)
        try:
            rules.append(RuleSpec.from_dict(body))
        except RuleError as error:
            raise ScenarioError(f"rules[{i}].{error.field}", error.detail) from None
    if not any(rule.is_default for rule in rules):
        raise ScenarioError("rules", "no default rule: one rule must catch every conversation")
    return rules


def minutes(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(where, f"expected minutes, got {value!r}")
    return float(value) * 60.0
