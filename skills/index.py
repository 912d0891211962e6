"""A candidate index over an advisor snapshot: a choice reads a few advisors, not all.

Only advisors who could take *some* conversation now (available, with free capacity) are
indexed. For each list asked for, keyed by (policy, intense, skill axis and its minimum
level, language, team), the index keeps the advisors who have that skill at that level,
speak that language and belong to that team, sorted by the policy's ranking key
(``skills.choice.ranking_key``; fit = the axis skill's level, or 0 without a skill). A
choice then walks that order and stops at the second eligible advisor (the winner and the
runner-up the explanation compares): the advisors skipped on the way are only those full on
the conversation's channel, avoided, or in care, so the cost depends on how many of those
come first, not on the size of the team.

Exact: the winner is always the one ``skills.choice.choose`` picks from the same advisors
(a property test checks it). Requirements with several skills under best_fit or
least_busy (fit is then a sum no single order follows) fall back to ``choose`` over the
advisors holding the rarest required skill. Lists are built on first use (O(n log n)) and
kept sorted as advisors change (``update``).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from skills.care import CarePolicy
from skills.choice import (
    Decision,
    SortKey,
    choose,
    explain_choice,
    ranking_key,
    score_of,
    situation_of,
)
from skills.eligibility import ExclusionKind, Situation, exclusion, has_push_room
from skills.model import AdvisorProfile, Policy, Requirements, Score

_ListKey = tuple[Policy, bool, str | None, int, str | None, int | None]
_EXACT_WITH_SEVERAL_SKILLS = frozenset({Policy.LONGEST_IDLE, Policy.ROUND_ROBIN})


@dataclass
class _Ordered:
    """Advisor ids sorted by key; ``keys`` finds an entry again to move it."""

    entries: list[tuple[SortKey, int]] = field(default_factory=list)
    keys: dict[int, SortKey] = field(default_factory=dict)

    def add(self, advisor_id: int, key: SortKey) -> None:
        insort(self.entries, (key, advisor_id))
        self.keys[advisor_id] = key

    def discard(self, advisor_id: int) -> None:
        key = self.keys.pop(advisor_id, None)
        if key is not None:
            del self.entries[bisect_left(self.entries, (key, advisor_id))]


@dataclass
class _Walk:
    found: list[AdvisorProfile]
    excluded: dict[int, str] = field(default_factory=dict)
    kinds: Counter[ExclusionKind] = field(default_factory=Counter)
    examined: int = 0


class CandidateIndex:
    """The advisors of one routing snapshot, indexed for choices; ``update`` keeps it fresh."""

    def __init__(self, advisors: Iterable[AdvisorProfile]) -> None:
        self._all: dict[int, AdvisorProfile] = {}
        self._lists: dict[_ListKey, _Ordered] = {}
        self._holders: Counter[str] = Counter()  # skill -> indexed advisors holding it
        for advisor in advisors:
            if advisor.id in self._all:
                raise ValueError(f"advisor {advisor.id} is listed twice")
            self._add(advisor)

    def __len__(self) -> int:
        return len(self._all)

    def get(self, advisor_id: int) -> AdvisorProfile | None:
        return self._all.get(advisor_id)

    def advisors(self) -> list[AdvisorProfile]:
        return list(self._all.values())

    def update(self, advisor: AdvisorProfile) -> None:
        """Fresher data about one advisor (new or known)."""
        old = self._all.get(advisor.id)
        if old is not None:
            if has_push_room(old):
                self._holders.subtract(old.skills)
            for ordered in self._lists.values():
                ordered.discard(advisor.id)
        self._add(advisor)

    def choose(
        self,
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
        """The same winner as ``choose(self.advisors(), ...)``, as a partial Decision."""
        policy = Policy(policy)
        axis, exact = self._axis(requirements, policy)
        situation = situation_of(now, intense, avoid, care, waited_seconds)
        if not exact:
            return self._fallback(axis, requirements, policy, preferred_advisor_id, situation)
        preferred = self._eligible_preferred(preferred_advisor_id, requirements, situation)
        key = (policy, intense, *axis, requirements.language, requirements.team_id)
        walk = self._walk(key, requirements, situation, preferred_advisor_id, preferred)
        found, excluded, kinds = walk.found, walk.excluded, walk.kinds
        examined = walk.examined
        candidates = [
            self._candidate(a, requirements, policy, intense, now, preferred_advisor_id)
            for a in found
        ]
        if len(found) < 2:  # the list ran out: the sentence will count everyone
            return self._complete(candidates, requirements, policy, intense, situation)
        return Decision(
            winner=found[0],
            ranked=tuple((a.id, score) for _, score, a in candidates),
            excluded=dict(sorted(excluded.items())),
            policy=policy,
            explanation=explain_choice(
                policy, intense, candidates, len(self._all), kinds, counted=False
            ),
            partial=True,
            examined=examined + (preferred is not None),
        )

    def winner(
        self,
        requirements: Requirements,
        policy: Policy,
        *,
        now: float,
        preferred_advisor_id: int | None = None,
        intense: bool = False,
        avoid: Mapping[int, str] | None = None,
        care: CarePolicy | None = None,
        waited_seconds: float = 0.0,
    ) -> AdvisorProfile | None:
        """``choose(...).winner`` without its explanation: the walk stops at the first
        eligible advisor, and nobody eligible costs no count of everyone. For callers that
        never read why (the simulator plays hundreds of thousands of choices)."""
        policy = Policy(policy)
        axis, exact = self._axis(requirements, policy)
        situation = situation_of(now, intense, avoid, care, waited_seconds)
        if not exact:
            fallback = self._fallback(axis, requirements, policy, preferred_advisor_id, situation)
            return fallback.winner
        preferred = self._eligible_preferred(preferred_advisor_id, requirements, situation)
        if preferred is not None:  # affinity ranks first
            return preferred
        key = (policy, intense, *axis, requirements.language, requirements.team_id)
        found = self._walk(key, requirements, situation, preferred_advisor_id, None, 1).found
        return found[0] if found else None

    # -- internals ----------------------------------------------------------------------------

    def _walk(
        self,
        key: _ListKey,
        requirements: Requirements,
        situation: Situation,
        preferred_id: int | None,
        preferred: AdvisorProfile | None,
        wanted: int = 2,
    ) -> _Walk:
        """Read the list in order until ``wanted`` eligible advisors are found: the winner
        and the runner-up the explanation compares (one fewer when the preferred advisor
        already won)."""
        walk = _Walk(found=[] if preferred is None else [preferred])
        wanted -= preferred is not None
        for _, advisor_id in self._ordered(key).entries:
            if advisor_id == preferred_id:
                continue
            walk.examined += 1
            advisor = self._all[advisor_id]
            why = exclusion(advisor, requirements, situation)
            if why is None:
                walk.found.append(advisor)
                wanted -= 1
                if wanted == 0:
                    break
            else:
                walk.excluded[advisor_id] = why[1]
                walk.kinds[why[0]] += 1
        return walk

    def _add(self, advisor: AdvisorProfile) -> None:
        self._all[advisor.id] = advisor
        if not has_push_room(advisor):
            return
        self._holders.update(advisor.skills)
        for key, ordered in self._lists.items():
            if _member(key, advisor):
                ordered.add(advisor.id, _list_key(key, advisor))

    def _ordered(self, key: _ListKey) -> _Ordered:
        ordered = self._lists.get(key)
        if ordered is None:
            ordered = _Ordered()
            members = [(_list_key(key, a), a.id) for a in self._all.values() if _member(key, a)]
            members.sort()
            ordered.entries = members
            ordered.keys = {advisor_id: sort_key for sort_key, advisor_id in members}
            self._lists[key] = ordered
        return ordered

    def _axis(
        self, requirements: Requirements, policy: Policy
    ) -> tuple[tuple[str | None, int], bool]:
        """The (skill, minimum level) list to walk, and whether its order is the policy's."""
        skills = requirements.skills
        if len(skills) <= 1:
            return next(iter(skills.items()), (None, 0)), True
        rarest = min(skills, key=lambda s: (self._holders[s], s))
        return (rarest, skills[rarest]), policy in _EXACT_WITH_SEVERAL_SKILLS

    def _eligible_preferred(
        self, preferred_id: int | None, requirements: Requirements, situation: Situation
    ) -> AdvisorProfile | None:
        preferred = None if preferred_id is None else self._all.get(preferred_id)
        if preferred is None or exclusion(preferred, requirements, situation) is not None:
            return None
        return preferred

    def _candidate(
        self,
        advisor: AdvisorProfile,
        requirements: Requirements,
        policy: Policy,
        intense: bool,
        now: float,
        preferred: int | None,
    ) -> tuple[SortKey, Score, AdvisorProfile]:
        score = score_of(advisor, requirements, now, preferred)
        return (not score.affinity, *ranking_key(policy, intense, score, advisor)), score, advisor

    def _complete(
        self,
        candidates: list[tuple[SortKey, Score, AdvisorProfile]],
        requirements: Requirements,
        policy: Policy,
        intense: bool,
        situation: Situation,
    ) -> Decision:
        """A decision over the whole snapshot: the eligible ``candidates`` (fewer than two,
        best first) and every other advisor with the reason it was left out.

        "No eligible advisor among 8 considered (1 at capacity, ...)" and "the only eligible
        advisor among 8" count every advisor, so the stored exclusions list them all, not
        only those a walk happened to read: the text and the data agree."""
        eligible = {advisor.id for *_, advisor in candidates}
        excluded: dict[int, str] = {}
        kinds: Counter[ExclusionKind] = Counter()
        for advisor in self._all.values():
            why = None if advisor.id in eligible else exclusion(advisor, requirements, situation)
            if why is not None:
                excluded[advisor.id] = why[1]
                kinds[why[0]] += 1
        considered = len(excluded) + len(candidates)  # an index bug would show as a gap
        return Decision(
            winner=candidates[0][2] if candidates else None,
            ranked=tuple((advisor.id, score) for _, score, advisor in candidates),
            excluded=dict(sorted(excluded.items())),
            policy=policy,
            explanation=explain_choice(policy, intense, candidates, considered, kinds),
        )

    def _fallback(
        self,
        axis: tuple[str | None, int],
        requirements: Requirements,
        policy: Policy,
        preferred_id: int | None,
        situation: Situation,
    ) -> Decision:
        now, intense = situation.now, situation.intense
        key = (Policy.ROUND_ROBIN, False, *axis, requirements.language, requirements.team_id)
        members = [self._all[i] for _, i in self._ordered(key).entries]
        preferred = None if preferred_id is None else self._all.get(preferred_id)
        if preferred is not None and preferred not in members:
            members.append(preferred)
        decision = choose(
            members,
            requirements,
            policy,
            now=now,
            preferred_advisor_id=preferred_id,
            intense=intense,
            avoid=situation.avoid,
            care=situation.care,
            waited_seconds=situation.waited_seconds,
        )
        if len(decision.ranked) < 2:  # its sentence counts: count everyone, not the members
            candidates = [
                self._candidate(self._all[i], requirements, policy, intense, now, preferred_id)
                for i, _ in decision.ranked
            ]
            return self._complete(candidates, requirements, policy, intense, situation)
        return Decision(
            winner=decision.winner,
            ranked=decision.ranked,
            excluded=decision.excluded,
            policy=decision.policy,
            explanation=decision.explanation,
            partial=True,
            examined=len(members),
        )


def _member(key: _ListKey, advisor: AdvisorProfile) -> bool:
    _, _, skill, level, language, team = key
    return (
        has_push_room(advisor)
        and (skill is None or advisor.skills.get(skill, 0) >= level)
        and (language is None or language in advisor.languages)
        and (team is None or advisor.team_id == team)
    )


def _list_key(key: _ListKey, advisor: AdvisorProfile) -> SortKey:
    """The ranking key with fit = the axis skill's level: exact for one required skill."""
    policy, intense, skill, _, _, _ = key
    score = Score(
        affinity=False,
        fit=0 if skill is None else advisor.skills[skill],
        load=advisor.load_total / advisor.capacity_total,
        idle_seconds=None,
        intense_today=advisor.intense_today,
    )
    return ranking_key(policy, intense, score, advisor)
