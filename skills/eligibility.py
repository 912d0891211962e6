"""Eligibility: can this advisor take this conversation right now, and if not, why not.

Checks run in a fixed order and the first failure is the reason, so an advisor on break is
reported "on break" even if also at capacity: status, channel handled, overall capacity,
channel capacity, language, team, skills (in the requirements' order).
"""

from __future__ import annotations

from enum import StrEnum

from skills.model import AdvisorProfile, AdvisorStatus, Requirements


class ExclusionKind(StrEnum):
    """Why an advisor was excluded, as a stable code (the reason text carries the detail)."""

    STATUS = "status"
    CHANNEL = "channel"
    CAPACITY = "capacity"
    CHANNEL_CAPACITY = "channel_capacity"
    LANGUAGE = "language"
    TEAM = "team"
    SKILL = "skill"


_STATUS_REASONS = {
    AdvisorStatus.AWAY: "away",
    AdvisorStatus.BREAK: "on break",
    AdvisorStatus.OFFLINE: "offline",
}


def exclusion(
    advisor: AdvisorProfile, requirements: Requirements
) -> tuple[ExclusionKind, str] | None:
    """None when ``advisor`` is eligible, else the kind and a short human reason."""
    if advisor.status != AdvisorStatus.AVAILABLE:
        return ExclusionKind.STATUS, _STATUS_REASONS[advisor.status]
    channel = requirements.channel
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
    if requirements.language is not None and requirements.language not in advisor.languages:
        return ExclusionKind.LANGUAGE, f"does not speak {requirements.language}"
    if requirements.team_id is not None and advisor.team_id != requirements.team_id:
        return ExclusionKind.TEAM, f"not in team {requirements.team_id}"
    return _skill_gap(advisor, requirements)


def exclusion_reason(advisor: AdvisorProfile, requirements: Requirements) -> str | None:
    """None when ``advisor`` is eligible, else a short human reason ("on break", ...)."""
    found = exclusion(advisor, requirements)
    return None if found is None else found[1]


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
