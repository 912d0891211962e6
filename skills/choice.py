"""Choice: among the advisors, who takes the conversation, by which policy, and why.

Order of preference: an eligible *preferred* advisor (affinity: already knows this customer)
always wins; for an intense conversation, then whoever took the fewest intense conversations
today (fair spread, see ``skills.care``); then the policy's criteria, each breaking the ties
of the previous one:

- best_fit:     highest skill fit, lowest load ratio, longest idle, lowest id
- least_busy:   lowest load ratio, highest skill fit, longest idle, lowest id
- longest_idle: longest idle (never assigned first), lowest load ratio, lowest id
- round_robin:  strict turns: whoever was assigned least recently, whatever their load

The lowest id ends every chain, so the result never depends on the input order. Cost:
one pass over the advisors plus one sort of the eligible ones, O(n log n);
``skills.index.CandidateIndex`` gives the same winner reading only a few advisors.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from skills import explain
from skills.care import CarePolicy
from skills.eligibility import ExclusionKind, Situation, exclusion
from skills.model import AdvisorProfile, Policy, Requirements, Score

SortKey = tuple[float, ...]
_KeyFunction = Callable[[Score, AdvisorProfile], SortKey]


def _idle_key(advisor: AdvisorProfile) -> float:
    # Smaller = idler. Compare timestamps, not now-minus-timestamp, to avoid rounding ties.
    return -math.inf if advisor.last_assigned_at is None else advisor.last_assigned_at


# Ascending sort keys (best first) after affinity and spread, and what each component means.
_POLICY_KEYS: dict[Policy, _KeyFunction] = {
    Policy.BEST_FIT: lambda s, a: (-s.fit, s.load, _idle_key(a), a.id),
    Policy.LEAST_BUSY: lambda s, a: (s.load, -s.fit, _idle_key(a), a.id),
    Policy.LONGEST_IDLE: lambda s, a: (_idle_key(a), s.load, a.id),
    Policy.ROUND_ROBIN: lambda _s, a: (_idle_key(a), a.id),
}
_POLICY_CRITERIA: dict[Policy, tuple[str, ...]] = {
    Policy.BEST_FIT: ("fit", "load", "idle", "id"),
    Policy.LEAST_BUSY: ("load", "fit", "idle", "id"),
    Policy.LONGEST_IDLE: ("idle", "load", "id"),
    Policy.ROUND_ROBIN: ("idle", "id"),
}


def ranking_key(policy: Policy, intense: bool, score: Score, advisor: AdvisorProfile) -> SortKey:
    """The ascending order among eligible advisors, affinity aside (it always comes first)."""
    base = _POLICY_KEYS[policy](score, advisor)
    return (score.intense_today, *base) if intense else base


def criteria(policy: Policy, intense: bool) -> tuple[str, ...]:
    """Names of the components of ``(not affinity, *ranking_key(...))``."""
    return ("affinity", *(("spread",) if intense else ()), *_POLICY_CRITERIA[policy])


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one choice, with everything needed to explain it.

    ``ranked`` lists the eligible advisors best first (the winner, if any, is first);
    ``excluded`` maps every other advisor's id to its reason, by increasing id. A decision
    from the candidate index is ``partial``: ``ranked`` and ``excluded`` then cover only the
    ``examined`` advisors it had to read (the winner and runner-up are always among them).
    A decision whose sentence counts the advisors considered (nobody eligible, or only one)
    is never partial: its lists then cover every advisor, so the text and the data agree.
    """

    winner: AdvisorProfile | None
    ranked: tuple[tuple[int, Score], ...]
    excluded: Mapping[int, str]
    policy: Policy
    explanation: str
    partial: bool = False
    examined: int = 0

    def to_dict(self, *, limit: int | None = None) -> dict[str, object]:
        """JSON-safe form; ``limit`` caps the ranked and excluded lists (counts stay exact)."""
        ranked = self.ranked[:limit]
        excluded = list(self.excluded.items())[:limit]
        data: dict[str, object] = {
            "winner_id": None if self.winner is None else self.winner.id,
            "policy": str(self.policy),
            "explanation": self.explanation,
            "eligible_count": len(self.ranked),
            "excluded_count": len(self.excluded),
            "ranked": [{"advisor_id": i, **score._asdict()} for i, score in ranked],
            "excluded": [{"advisor_id": i, "reason": reason} for i, reason in excluded],
        }
        if self.partial:
            data["partial"] = True
            data["examined"] = self.examined
        return data


def choose(
    advisors: Iterable[AdvisorProfile],
    requirements: Requirements,
    policy: Policy,
    *,
    now: float,
    preferred_advisor_id: int | None = None,
    intense: bool = False,
    avoid: Mapping[int, str] | None = None,
    care: CarePolicy | None = None,
    waited_seconds: float = 0.0,
) -> Decision:
    """Pick the advisor for a conversation with ``requirements`` under ``policy``.

    ``now`` (epoch seconds) feeds the reported idle times and cool-downs; ``intense`` says the
    conversation is intense (care rules apply); ``avoid`` maps advisors who must not get it to
    the reason; ``waited_seconds`` is how long it has waited (a blended team's push
    threshold reads it). This is the router's push: the teams' modes apply. Advisor ids
    must be unique (ValueError otherwise). Nobody eligible gives a Decision whose winner is
    None.
    """
    policy = Policy(policy)
    situation = situation_of(now, intense, avoid, care, waited_seconds)
    candidates: list[tuple[SortKey, Score, AdvisorProfile]] = []
    excluded: dict[int, str] = {}
    kinds: Counter[ExclusionKind] = Counter()
    seen: set[int] = set()
    for advisor in advisors:
        if advisor.id in seen:
            raise ValueError(f"advisor {advisor.id} is listed twice")
        seen.add(advisor.id)
        found = exclusion(advisor, requirements, situation)
        if found is None:
            score = score_of(advisor, requirements, now, preferred_advisor_id)
            key = (not score.affinity, *ranking_key(policy, intense, score, advisor))
            candidates.append((key, score, advisor))
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
        explanation=explain_choice(policy, intense, candidates, len(seen), kinds),
    )


def situation_of(
    now: float,
    intense: bool,
    avoid: Mapping[int, str] | None,
    care: CarePolicy | None,
    waited_seconds: float = 0.0,
) -> Situation:
    """The situation of a push decision."""
    return Situation(
        now=now,
        intense=intense,
        avoid=avoid or {},
        care=care or CarePolicy(),
        pushed=True,
        waited_seconds=waited_seconds,
    )


def score_of(
    advisor: AdvisorProfile, requirements: Requirements, now: float, preferred: int | None
) -> Score:
    """How an eligible advisor compares (eligible: has the skills and some capacity)."""
    fit = 0
    for skill in requirements.skills:
        fit += advisor.skills[skill]
    last = advisor.last_assigned_at
    return Score(
        affinity=advisor.id == preferred,
        fit=fit,
        load=advisor.load_total / advisor.capacity_total,
        idle_seconds=None if last is None else max(0.0, now - last),
        intense_today=advisor.intense_today,
    )


def explain_choice(
    policy: Policy,
    intense: bool,
    candidates: list[tuple[SortKey, Score, AdvisorProfile]],
    considered: int,
    kinds: Mapping[ExclusionKind, int],
    *,
    counted: bool = True,
) -> str:
    """One sentence; ``candidates`` are (full key, score, advisor), best first; ``counted``:
    they are all the eligible advisors (not only the first two)."""
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
        criteria(policy, intense),
        decisive,
        len(candidates) if counted else None,
    )
