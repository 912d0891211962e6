"""Choice: among the advisors, who takes the conversation, by which policy, and why.

Order of preference: an eligible *preferred* advisor (affinity: already knows this customer)
always wins; then the policy's criteria, each breaking the ties of the previous one:

- best_fit:     highest skill fit, lowest load ratio, longest idle, lowest id
- least_busy:   lowest load ratio, highest skill fit, longest idle, lowest id
- longest_idle: longest idle (never assigned first), lowest load ratio, lowest id
- round_robin:  strict turns: whoever was assigned least recently, whatever their load

The lowest id ends every chain, so the result never depends on the input order. Cost:
one pass over the advisors plus one sort of the eligible ones, O(n log n).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from skills import explain
from skills.eligibility import ExclusionKind, exclusion
from skills.model import AdvisorProfile, Policy, Requirements, Score

_SortKey = tuple[float, ...]
_KeyFunction = Callable[[Score, AdvisorProfile], _SortKey]


def _idle_key(advisor: AdvisorProfile) -> float:
    # Smaller = idler. Compare timestamps, not now-minus-timestamp, to avoid rounding ties.
    return -math.inf if advisor.last_assigned_at is None else advisor.last_assigned_at


# Ascending sort keys (best first) and the criterion each component stands for.
_SORT_KEYS: dict[Policy, _KeyFunction] = {
    Policy.BEST_FIT: lambda s, a: (not s.affinity, -s.fit, s.load, _idle_key(a), a.id),
    Policy.LEAST_BUSY: lambda s, a: (not s.affinity, s.load, -s.fit, _idle_key(a), a.id),
    Policy.LONGEST_IDLE: lambda s, a: (not s.affinity, _idle_key(a), s.load, a.id),
    Policy.ROUND_ROBIN: lambda s, a: (not s.affinity, _idle_key(a), a.id),
}
CRITERIA: dict[Policy, tuple[str, ...]] = {
    Policy.BEST_FIT: ("affinity", "fit", "load", "idle", "id"),
    Policy.LEAST_BUSY: ("affinity", "load", "fit", "idle", "id"),
    Policy.LONGEST_IDLE: ("affinity", "idle", "load", "id"),
    Policy.ROUND_ROBIN: ("affinity", "idle", "id"),
}


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one choice, with everything needed to explain it.

    ``ranked`` lists the eligible advisors best first (the winner, if any, is first);
    ``excluded`` maps every other advisor's id to its reason, by increasing id.
    """

    winner: AdvisorProfile | None
    ranked: tuple[tuple[int, Score], ...]
    excluded: Mapping[int, str]
    policy: Policy
    explanation: str

    def to_dict(self, *, limit: int | None = None) -> dict[str, object]:
        """JSON-safe form; ``limit`` caps the ranked and excluded lists (counts stay exact)."""
        ranked = self.ranked[:limit]
        excluded = list(self.excluded.items())[:limit]
        return {
            "winner_id": None if self.winner is None else self.winner.id,
            "policy": str(self.policy),
            "explanation": self.explanation,
            "eligible_count": len(self.ranked),
            "excluded_count": len(self.excluded),
            "ranked": [{"advisor_id": i, **score._asdict()} for i, score in ranked],
            "excluded": [{"advisor_id": i, "reason": reason} for i, reason in excluded],
        }


def choose(
    advisors: Iterable[AdvisorProfile],
    requirements: Requirements,
    policy: Policy,
    *,
    now: float,
    preferred_advisor_id: int | None = None,
) -> Decision:
    """Pick the advisor for a conversation with ``requirements`` under ``policy``.

    ``now`` (epoch seconds) only feeds the reported idle times. Advisor ids must be unique
    (ValueError otherwise). Nobody eligible gives a Decision whose winner is None.
    """
    policy = Policy(policy)
    sort_key = _SORT_KEYS[policy]
    candidates: list[tuple[_SortKey, Score, AdvisorProfile]] = []
    excluded: dict[int, str] = {}
    kinds: Counter[ExclusionKind] = Counter()
    seen: set[int] = set()
    for advisor in advisors:
        if advisor.id in seen:
            raise ValueError(f"advisor {advisor.id} is listed twice")
        seen.add(advisor.id)
        found = exclusion(advisor, requirements)
        if found is None:
            score = _score(advisor, requirements, now, preferred_advisor_id)
            candidates.append((sort_key(score, advisor), score, advisor))
        else:
            kinds[found[0]] += 1
            excluded[advisor.id] = found[1]
    # Keys end with the unique id: no two are equal, so advisors themselves are never compared.
    candidates.sort(key=itemgetter(0))
    return Decision(
        winner=candidates[0][2] if candidates else None,
        ranked=tuple((advisor.id, score) for _, score, advisor in candidates),
        excluded=dict(sorted(excluded.items())),
        policy=policy,
        explanation=_explain(policy, candidates, len(seen), kinds),
    )


def _score(
    advisor: AdvisorProfile, requirements: Requirements, now: float, preferred: int | None
) -> Score:
    fit = 0
    for skill in requirements.skills:
        fit += advisor.skills[skill]  # present: eligibility checked it
    last = advisor.last_assigned_at
    return Score(
        affinity=advisor.id == preferred,
        fit=fit,
        load=advisor.load_total / advisor.capacity_total,  # eligible, so capacity_total > 0
        idle_seconds=None if last is None else max(0.0, now - last),
    )


def _explain(
    policy: Policy,
    candidates: list[tuple[_SortKey, Score, AdvisorProfile]],
    considered: int,
    kinds: Counter[ExclusionKind],
) -> str:
    if not candidates:
        return explain.nobody(considered, kinds)
    best_key, best_score, best = candidates[0]
    if best_score.affinity:
        return explain.affinity(best, policy)
    if len(candidates) == 1:
        return explain.only(best, considered)
    runner_key, runner_score, runner = candidates[1]
    decisive = next(i for i, (a, b) in enumerate(zip(best_key, runner_key, strict=True)) if a != b)
    return explain.ahead(
        (best, best_score),
        (runner, runner_score),
        policy,
        CRITERIA[policy],
        decisive,
        len(candidates),
    )
