"""Eligibility: can this advisor take this conversation right now, and if not, why not.

Checks run in a fixed order and the first failure is the reason, so an advisor on break is
reported "on break" even if also at capacity: status, avoided (declined or let an offer of
this conversation expire), channel handled, overall capacity, channel capacity, language,
team, skills (in the requirements' order), then, for pushed work only, the team's routing
mode (pull, or blended past its push limit), then, for an intense conversation only,
cool-down and the cap on simultaneous intense conversations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from skills.care import CarePolicy
from skills.model import AdvisorProfile, AdvisorStatus, Requirements


class ExclusionKind(StrEnum):
    """Why an advisor was excluded, as a stable code (the reason text carries the detail)."""

    STATUS = "status"
    AVOIDED = "avoided"
    CHANNEL = "channel"
    CAPACITY = "capacity"
    CHANNEL_CAPACITY = "channel_capacity"
    LANGUAGE = "language"
    TEAM = "team"
    SKILL = "skill"
    PULL = "pull"
    COOLDOWN = "cooldown"
    INTENSE_CAP = "intense_cap"


#: The refusals that protect only the advisor's care: a supervisor assigning by hand may
#: override them (router.routing.transfer); status and capacity are never overridden.
CARE_EXCLUSIONS = frozenset({ExclusionKind.COOLDOWN, ExclusionKind.INTENSE_CAP})


@dataclass(frozen=True, slots=True)
class Situation:
    """What a decision knows beyond the requirements: the clock (epoch seconds, given by the
    caller), whether the conversation is intense, the advisors it must avoid (id -> reason),
    the care policy, and whether the router pushes it (the team's mode then applies; a pull,
    claim or transfer is a person's choice) after it waited ``waited_seconds``."""

    now: float = 0.0
    intense: bool = False
    avoid: Mapping[int, str] = field(default_factory=dict)
    care: CarePolicy = CarePolicy()
    pushed: bool = False
    waited_seconds: float = 0.0


CALM = Situation()

_STATUS_REASONS = {
    AdvisorStatus.AWAY: "away",
    AdvisorStatus.BREAK: "on break",
    AdvisorStatus.OFFLINE: "offline",
}


def exclusion(
    advisor: AdvisorProfile, requirements: Requirements, situation: Situation = CALM
) -> tuple[ExclusionKind, str] | None:
    """None when ``advisor`` is eligible, else the kind and a short human reason."""
    if advisor.status != AdvisorStatus.AVAILABLE:
        return ExclusionKind.STATUS, _STATUS_REASONS[advisor.status]
    avoided = situation.avoid.get(advisor.id)
    if avoided is not None:
        return ExclusionKind.AVOIDED, avoided
    found = _capacity(advisor, requirements.channel)
    if found is not None:
        return found
    if requirements.language is not None and requirements.language not in advisor.languages:
        return ExclusionKind.LANGUAGE, f"does not speak {requirements.language}"
    if requirements.team_id is not None and advisor.team_id != requirements.team_id:
        return ExclusionKind.TEAM, f"not in team {requirements.team_id}"
    gap = _skill_gap(advisor, requirements)
    if gap is not None:
        return gap
    if situation.pushed:
        pull_only = push_refusal(advisor, situation.waited_seconds)
        if pull_only is not None:
            return ExclusionKind.PULL, pull_only
    if not situation.intense:
        return None
    refused = situation.care.refusal(advisor, situation.now)
    if refused is None:
        return None
    cooldown, reason = refused
    return (ExclusionKind.COOLDOWN if cooldown else ExclusionKind.INTENSE_CAP), reason


def exclusion_reason(
    advisor: AdvisorProfile, requirements: Requirements, situation: Situation = CALM
) -> str | None:
    """None when ``advisor`` is eligible, else a short human reason ("on break", ...)."""
    found = exclusion(advisor, requirements, situation)
    return None if found is None else found[1]


def eligible_because(advisor: AdvisorProfile, requirements: Requirements, intense: bool) -> str:
    """Why ``advisor`` may take a conversation with these requirements, in a few words (the
    advisor is assumed to satisfy them: see ``exclusion``)."""
    parts = [f"handles {requirements.channel}"]
    if requirements.language is not None:
        parts.append(f"speaks {requirements.language}")
    if requirements.team_id is not None:
        parts.append(f"in team {requirements.team_id}")
    for skill, minimum in requirements.skills.items():
        parts.append(f"{skill} {advisor.skills.get(skill, 0)} (needs {minimum})")
    if intense:
        parts.append("may take an intense conversation")
    return ", ".join(parts)


def has_room(advisor: AdvisorProfile) -> bool:
    """Available with free overall capacity: could take *some* conversation now."""
    return advisor.status == AdvisorStatus.AVAILABLE and advisor.load_total < advisor.capacity_total


def push_refusal(advisor: AdvisorProfile, waited_seconds: float) -> str | None:
    """Why the router may not push this advisor more work now (their team's mode), or None."""
    limit = advisor.push_limit
    if limit is None or advisor.load_total < limit:
        return None
    after = advisor.push_after_seconds
    if after is not None and waited_seconds >= after:
        return None
    if limit == 0 and after is None:
        return "team works by pull"
    held = f"holds {advisor.load_total}, pushed up to {limit}"
    return held if after is None else f"{held}, or after {after:g} s of wait"


def has_push_room(advisor: AdvisorProfile) -> bool:
    """Could be pushed *some* conversation now (what the push index holds)."""
    if not has_room(advisor):
        return False
    limit = advisor.push_limit
    return limit is None or advisor.load_total < limit or advisor.push_after_seconds is not None


def _capacity(advisor: AdvisorProfile, channel: str) -> tuple[ExclusionKind, str] | None:
    channel_capacity = advisor.capacity_per_channel.get(channel)
    if channel_capacity == 0:
        return ExclusionKind.CHANNEL, f"does not handle {channel}"
    if advisor.load_total >= advisor.capacity_total:
        return ExclusionKind.CAPACITY, f"at capacity {advisor.load_total}/{advisor.capacity_total}"
    if channel_capacity is not None:
        load = advisor.load_per_channel.get(channel, 0)
        if load >= channel_capacity:
            reason = f"at {channel} capacity {load}/{channel_capacity}"
            return ExclusionKind.CHANNEL_CAPACITY, reason
    return None


def _skill_gap(
    advisor: AdvisorProfile, requirements: Requirements
) -> tuple[ExclusionKind, str] | None:
    for skill, minimum in requirements.skills.items():
        level = advisor.skills.get(skill)
        if level is None:
            return ExclusionKind.SKILL, f"lacks skill {skill}"
        if level < minimum:
            return ExclusionKind.SKILL, f"needs {skill} >= {minimum}, has {level}"
    return None
