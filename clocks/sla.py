"""Service-level policies, pure: what a policy promises and which one applies to a ticket.

A policy (``Terms``) promises a first response and/or a resolution within so many business
seconds (clocks.business_time); a warning is due once ``warning_ratio`` of a target is used
up. The first policy (lowest position, then id) whose priority floor and channel fit a new
ticket applies. A ticket's clock is clocks.sla_clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from clocks import _fields as f
from clocks.errors import RuleError
from clocks.hours import BusinessHours

#: A policy whose hours would stretch a target over more than this many weeks is refused.
MAX_WEEKS = 260


class Target(StrEnum):
    first_response = "first_response"
    resolution = "resolution"


class State(StrEnum):
    ok = "ok"
    warning = "warning"
    breached = "breached"
    met = "met"


@dataclass(frozen=True, slots=True)
class Terms:
    """A policy: where it applies and what it promises."""

    policy_id: int
    first_response_seconds: int | None
    resolution_seconds: int | None
    warning_ratio: float = 0.8
    hours: BusinessHours | None = None
    position: int = 0
    min_priority: int | None = None
    channel: str | None = None

    def matches(self, priority: int, channel: str) -> bool:
        return (self.min_priority is None or priority >= self.min_priority) and (
            self.channel is None or self.channel == channel
        )

    def seconds(self, target: Target) -> int | None:
        if target == Target.first_response:
            return self.first_response_seconds
        return self.resolution_seconds

    def to_dict(self) -> dict[str, object]:
        return {
            "policy_id": self.policy_id,
            "first_response_seconds": self.first_response_seconds,
            "resolution_seconds": self.resolution_seconds,
            "warning_ratio": self.warning_ratio,
            "hours": self.hours.to_dict() if self.hours else None,
        }

    @classmethod
    def from_dict(cls, data: object, field: str = "terms") -> Terms:
        d = f.mapping(data, field)
        hours = d.get("hours")
        return cls(
            policy_id=f.integer(f.required(d, "policy_id"), f"{field}.policy_id"),
            first_response_seconds=f.optional_int(
                d.get("first_response_seconds"), f"{field}.first_response_seconds"
            ),
            resolution_seconds=f.optional_int(
                d.get("resolution_seconds"), f"{field}.resolution_seconds"
            ),
            warning_ratio=f.number(d.get("warning_ratio", 0.8), f"{field}.warning_ratio"),
            hours=None if hours is None else BusinessHours.from_dict(hours, f"{field}.hours"),
        )


def match_policy(policies: Iterable[Terms], priority: int, channel: str) -> Terms | None:
    """The first policy, by position then id, that fits; None when none does."""
    ordered = sorted(policies, key=lambda p: (p.position, p.policy_id))
    return next((p for p in ordered if p.matches(priority, channel)), None)


def sla_hours(data: object, field: str = "business_hours") -> BusinessHours:
    """Business hours for a policy: the clocks.hours form, counted while open."""
    hours = BusinessHours.from_dict(data, field)
    if hours.when != "open":
        raise RuleError(
            "a policy counts open hours: leave 'when' out or set it to 'open'",
            field=f"{field}.when",
        )
    return hours


def check_reachable(hours: BusinessHours | None, *targets: int | None) -> None:
    """Refuse hours so thin that a target would take years of calendar time."""
    if hours is None:
        return
    weekly = 60 * sum(end - start for windows in hours.weekly.values() for start, end in windows)
    longest = max((t for t in targets if t is not None), default=0)
    if longest > weekly * MAX_WEEKS:
        raise RuleError(
            f"{weekly / 3600:g} open hours a week would stretch a {longest} s target over "
            f"more than {MAX_WEEKS} weeks",
            field="business_hours.weekly",
        )
