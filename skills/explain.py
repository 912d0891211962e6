"""One-sentence explanations of a choice, for advisors and supervisors to read.

Pure text builders; ``skills.choice`` decides, this module only words the decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from skills.eligibility import ExclusionKind
from skills.model import AdvisorProfile, Policy, Score

Ranked = tuple[AdvisorProfile, Score]

_KIND_LABELS = {
    ExclusionKind.STATUS: "unavailable",
    ExclusionKind.AVOIDED: "avoided after an offer",
    ExclusionKind.CHANNEL: "not handling the channel",
    ExclusionKind.CAPACITY: "at capacity",
    ExclusionKind.CHANNEL_CAPACITY: "at channel capacity",
    ExclusionKind.LANGUAGE: "not speaking the language",
    ExclusionKind.TEAM: "outside the team",
    ExclusionKind.SKILL: "short of skills",
    ExclusionKind.PULL: "serving by pull (team mode)",
    ExclusionKind.COOLDOWN: "in cool-down",
    ExclusionKind.INTENSE_CAP: "at their intense-conversation cap",
}
_CRITERION_LABELS = {
    "spread": "intense conversations today",
    "fit": "skill fit",
    "load": "load",
    "idle": "idle time",
}


def who(advisor: AdvisorProfile) -> str:
    return f"{advisor.name} (#{advisor.id})"


def nobody(considered: int, kinds: Mapping[ExclusionKind, int]) -> str:
    if considered == 0:
        return "No advisor to consider."
    counts = ", ".join(f"{kinds[k]} {_KIND_LABELS[k]}" for k in ExclusionKind if kinds.get(k))
    return f"No eligible advisor among {considered} considered ({counts})."


def affinity(advisor: AdvisorProfile, policy: Policy) -> str:
    return f"{who(advisor)} already knows this customer and is eligible (affinity before {policy})."


def only(advisor: AdvisorProfile, considered: int) -> str:
    return f"{who(advisor)} is the only eligible advisor among {considered} considered."


def ahead(
    best: Ranked,
    runner: Ranked,
    policy: Policy,
    criteria: Sequence[str],
    decisive: int,
    eligible: int | None,
) -> str:
    """Why ``best`` beat ``runner``: ``criteria[decisive]`` is the first one that differed.
    ``eligible`` is None when not counted (a choice through the candidate index)."""
    tied = [_CRITERION_LABELS[name] for name in criteria[1:decisive]]  # [0] is affinity
    prefix = f"tied on {' and '.join(tied)}, then " if tied else ""
    reason = _REASONS[criteria[decisive]](best, runner)
    among = "" if eligible is None else f" among {eligible} eligible advisors"
    return (
        f"{who(best[0])} wins under {policy}{among}: {prefix}{reason}, ahead of {who(runner[0])}."
    )


def _spread(best: Ranked, runner: Ranked) -> str:
    return (
        f"fewest intense conversations today ({best[1].intense_today} vs {runner[1].intense_today})"
    )


def _fit(best: Ranked, runner: Ranked) -> str:
    return f"best skill fit ({best[1].fit} vs {runner[1].fit})"


def _load(best: Ranked, runner: Ranked) -> str:
    return f"lowest load ({_load_of(best[0])} vs {_load_of(runner[0])})"


def _idle(best: Ranked, runner: Ranked) -> str:
    return f"idle longest ({_idle_of(best[1])} vs {_idle_of(runner[1])})"


def _id(_best: Ranked, _runner: Ranked) -> str:
    return "lowest id among equals"


def _load_of(advisor: AdvisorProfile) -> str:
    return f"{advisor.load_total}/{advisor.capacity_total}"


def _idle_of(score: Score) -> str:
    return "never assigned" if score.idle_seconds is None else f"{score.idle_seconds:.0f}s"


_REASONS: dict[str, Callable[[Ranked, Ranked], str]] = {
    "spread": _spread,
    "fit": _fit,
    "load": _load,
    "idle": _idle,
    "id": _id,
}
