"""skills.index.CandidateIndex: the same winner as a full scan, reading a few advisors."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from skills import (
    AdvisorProfile,
    AdvisorStatus,
    CandidateIndex,
    CarePolicy,
    Decision,
    Policy,
    Requirements,
    choose,
)
from tests.skills_support import advisor_profile

PROPERTIES = settings(database=None, deadline=None, max_examples=150)
NOW = 50_000.0
CARE = CarePolicy(cooldown_seconds=300, max_intense=1)
SKILLS = ["billing", "orders", "tech"]


def advisor(advisor_id: int, **overrides: Any) -> AdvisorProfile:
    defaults = {"languages": frozenset({"fr"}), "skills": {}, "capacity_total": 2}
    return advisor_profile(advisor_id, **{**defaults, **overrides})


@st.composite
def profiles(draw: st.DrawFn, advisor_id: int) -> AdvisorProfile:
    capacity = draw(st.integers(0, 3))
    load = draw(st.integers(0, 3))
    return advisor(
        advisor_id,
        team_id=draw(st.sampled_from([1, 2, None])),
        status=draw(st.sampled_from([AdvisorStatus.AVAILABLE] * 4 + [AdvisorStatus.AWAY])),
        languages=frozenset(draw(st.sets(st.sampled_from(["fr", "en"]), max_size=2))),
        skills=draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=3)),
        capacity_total=capacity,
        capacity_per_channel=draw(st.sampled_from([{}, {"chat": 0}, {"chat": 1}])),
        load_total=load,
        load_per_channel={"chat": draw(st.integers(0, load))},
        # Few distinct values: ties are where orderings go wrong.
        last_assigned_at=draw(st.sampled_from([None, NOW - 100, NOW - 50])),
        intense_today=draw(st.integers(0, 2)),
        intense_load=draw(st.integers(0, 1)),
        last_intense_ended_at=draw(st.sampled_from([None, NOW - 1000, NOW - 10])),
        # The team's routing mode: push (None), pull (0) or blended, with or without a wait.
        push_limit=draw(st.sampled_from([None, None, 0, 1, 2])),
        push_after_seconds=draw(st.sampled_from([None, 60.0])),
    )


@st.composite
def teams(draw: st.DrawFn) -> list[AdvisorProfile]:
    ids = draw(st.lists(st.integers(1, 60), unique=True, max_size=15))
    return [draw(profiles(i)) for i in ids]


requirements_strategy = st.builds(
    Requirements,
    channel=st.sampled_from(["chat", "email"]),
    skills=st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=2),
    language=st.sampled_from([None, "fr", "en"]),
    team_id=st.sampled_from([None, 1]),
)


def _same(index: CandidateIndex, team: list[AdvisorProfile], **kw: Any) -> None:
    full = choose(team, now=NOW, care=CARE, **kw)
    fast = index.choose(now=NOW, care=CARE, **kw)
    quick = index.winner(now=NOW, care=CARE, **kw)  # the simulator's: no explanation
    assert (quick and quick.id) == (full.winner and full.winner.id)
    assert (fast.winner and fast.winner.id) == (full.winner and full.winner.id), (
        fast.explanation,
        full.explanation,
    )
    if full.winner is not None and len(full.ranked) > 1 and not full.ranked[0][1].affinity:
        counted = re.compile(r" among \d+ eligible advisors")
        assert counted.sub("", fast.explanation) == counted.sub("", full.explanation)
    if " considered" in fast.explanation:  # a sentence that counts: the data must too
        assert fast.explanation == full.explanation
        assert fast.excluded == full.excluded and not fast.partial
    assert_consistent(fast)


def assert_consistent(decision: Decision) -> None:
    """What the stored explanation says in words, its counts and lists say too."""
    stored = decision.to_dict(limit=20)
    said = re.search(r"among (\d+) considered(?: \((.*)\))?", str(stored["explanation"]))
    if said:
        assert stored["excluded_count"] + stored["eligible_count"] == int(said.group(1)), stored
        kinds = [int(part.split(" ", 1)[0]) for part in (said.group(2) or "").split(", ") if part]
        if stored["winner_id"] is None:
            assert sum(kinds) == stored["excluded_count"], stored
    assert len(stored["excluded"]) == min(20, stored["excluded_count"])  # type: ignore[arg-type]


@PROPERTIES
@given(
    team=teams(),
    requirements=requirements_strategy,
    policy=st.sampled_from(list(Policy)),
    intense=st.booleans(),
    preferred=st.none() | st.integers(1, 60),
    avoided=st.sets(st.integers(1, 60), max_size=3),
    waited=st.sampled_from([0.0, 59.0, 60.0, 600.0]),
)
def test_the_index_picks_the_same_winner_as_a_full_scan(
    team: list[AdvisorProfile],
    requirements: Requirements,
    policy: Policy,
    intense: bool,
    preferred: int | None,
    avoided: set[int],
    waited: float,
) -> None:
    index = CandidateIndex(team)
    kw = {
        "requirements": requirements,
        "policy": policy,
        "intense": intense,
        "preferred_advisor_id": preferred,
        "avoid": dict.fromkeys(avoided, "declined"),
        "waited_seconds": waited,
    }
    _same(index, team, **kw)


@PROPERTIES
@given(
    team=teams(),
    changes=st.lists(st.tuples(st.integers(0, 14), st.integers(0, 3), st.integers(0, 2))),
    requirements=requirements_strategy,
    policy=st.sampled_from(list(Policy)),
    intense=st.booleans(),
)
def test_updates_keep_the_index_exact(
    team: list[AdvisorProfile],
    changes: list[tuple[int, int, int]],
    requirements: Requirements,
    policy: Policy,
    intense: bool,
) -> None:
    index = CandidateIndex(team)
    index.choose(requirements, policy, now=NOW, intense=intense, care=CARE)  # lists built
    current = {a.id: a for a in team}
    for position, load, today in changes:
        if not team:
            break
        old = team[position % len(team)]
        new = advisor(
            old.id,
            **{
                **{k: getattr(old, k) for k in ("team_id", "status", "languages", "skills")},
                "capacity_total": old.capacity_total,
                "load_total": load,
                "intense_today": today,
                "last_assigned_at": NOW - load,
            },
        )
        current[new.id] = new
        index.update(new)
    _same(
        index,
        list(current.values()),
        requirements=requirements,
        policy=policy,
        intense=intense,
    )


def test_a_choice_reads_few_advisors_in_a_large_team() -> None:
    team = [
        advisor(
            i,
            languages=frozenset({"fr" if i % 2 else "en"}),
            skills={"billing": 1 + i % 5, "orders": 1 + i % 3},
            capacity_total=4,
            load_total=i % 4,
            last_assigned_at=NOW - i,
        )
        for i in range(1, 5001)
    ]
    index = CandidateIndex(team)
    needs = Requirements(channel="chat", skills={"billing": 3}, language="fr")
    for policy in Policy:
        decision = index.choose(needs, policy, now=NOW)
        full = choose(team, needs, policy, now=NOW)
        assert decision.winner == full.winner
        assert decision.partial and decision.examined < 50, (policy, decision.examined)


def test_nobody_eligible_is_explained() -> None:
    team = [advisor(1, status=AdvisorStatus.BREAK), advisor(2, load_total=2), advisor(3)]
    decision = CandidateIndex(team).choose(
        Requirements(channel="chat", skills={"tech": 2}), Policy.BEST_FIT, now=NOW
    )
    assert decision.winner is None
    assert decision.explanation == (
        "No eligible advisor among 3 considered (1 unavailable, 1 at capacity, 1 short of skills)."
    )
    # The stored form lists all three, not only the advisors a walk happened to read.
    stored = decision.to_dict()
    assert stored["excluded_count"] == 3 and [e["advisor_id"] for e in stored["excluded"]] == [
        1,
        2,
        3,
    ]
    assert_consistent(decision)


def test_the_only_eligible_advisor_is_counted_against_everyone() -> None:
    team = [advisor(1, status=AdvisorStatus.BREAK), advisor(2, load_total=2), advisor(3)]
    decision = CandidateIndex(team).choose(
        Requirements(channel="chat", skills={}), Policy.BEST_FIT, now=NOW
    )
    assert decision.winner is not None and decision.winner.id == 3
    assert decision.explanation == "advisor 3 (#3) is the only eligible advisor among 3 considered."
    assert decision.to_dict()["excluded_count"] == 2
    assert_consistent(decision)
