"""skills.eligibility and skills.choice: exclusion reasons, policies, affinity, invariants."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills import (
    AdvisorProfile,
    AdvisorStatus,
    Decision,
    ExclusionKind,
    Policy,
    Requirements,
    choose,
    exclusion,
    exclusion_reason,
)
from tests.skills_support import advisor_profile

# No example database: the suite must not write outside the tests it owns.
PROPERTIES = settings(database=None, deadline=None, max_examples=100)
NOW = 1_000.0


def advisor(advisor_id: int, **overrides: Any) -> AdvisorProfile:
    return advisor_profile(advisor_id, **overrides)


def needs(**overrides: Any) -> Requirements:
    base: dict[str, Any] = {"channel": "email", "skills": {}, "language": None, "team_id": None}
    return Requirements(**{**base, **overrides})


# --- eligibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "requirements", "kind", "reason"),
    [
        ({"status": AdvisorStatus.BREAK}, needs(), ExclusionKind.STATUS, "on break"),
        ({"status": "away"}, needs(), ExclusionKind.STATUS, "away"),
        ({"status": AdvisorStatus.OFFLINE}, needs(), ExclusionKind.STATUS, "offline"),
        (
            {"capacity_per_channel": {"whatsapp": 0}},
            needs(channel="whatsapp"),
            ExclusionKind.CHANNEL,
            "does not handle whatsapp",
        ),
        ({"load_total": 3}, needs(), ExclusionKind.CAPACITY, "at capacity 3/3"),
        ({"load_total": 4}, needs(), ExclusionKind.CAPACITY, "at capacity 4/3"),
        ({"capacity_total": 0}, needs(), ExclusionKind.CAPACITY, "at capacity 0/0"),
        (
            {"capacity_per_channel": {"email": 2}, "load_per_channel": {"email": 2}},
            needs(),
            ExclusionKind.CHANNEL_CAPACITY,
            "at email capacity 2/2",
        ),
        ({}, needs(language="de"), ExclusionKind.LANGUAGE, "does not speak de"),
        ({"team_id": None}, needs(team_id=2), ExclusionKind.TEAM, "not in team 2"),
        ({}, needs(team_id=2), ExclusionKind.TEAM, "not in team 2"),
        ({}, needs(skills={"billing": 4}), ExclusionKind.SKILL, "needs billing >= 4, has 3"),
        ({}, needs(skills={"tech": 1}), ExclusionKind.SKILL, "lacks skill tech"),
    ],
)
def test_each_exclusion_reason(
    overrides: dict[str, Any], requirements: Requirements, kind: ExclusionKind, reason: str
) -> None:
    profile = advisor(1, **overrides)
    assert exclusion_reason(profile, requirements) == reason
    assert exclusion(profile, requirements) == (kind, reason)


def test_eligible_advisor_has_no_reason() -> None:
    profile = advisor(
        1,
        capacity_per_channel={"email": 2, "chat": 0},
        load_per_channel={"email": 1},
        load_total=2,
    )
    requirements = needs(skills={"billing": 3}, language="fr", team_id=1)
    assert exclusion_reason(profile, requirements) is None


def test_first_failing_check_is_the_reason() -> None:
    hopeless = advisor(
        1,
        status=AdvisorStatus.BREAK,
        load_total=3,
        languages=frozenset(),
        capacity_per_channel={"email": 0},
    )
    requirements = needs(language="fr", skills={"tech": 5})
    assert exclusion_reason(hopeless, requirements) == "on break"
    available = advisor(2, load_total=3, languages=frozenset(), capacity_per_channel={"email": 0})
    assert exclusion_reason(available, requirements) == "does not handle email"
    handles = advisor(3, load_total=3, languages=frozenset())
    assert exclusion_reason(handles, requirements) == "at capacity 3/3"
    free = advisor(4, languages=frozenset())
    assert exclusion_reason(free, requirements) == "does not speak fr"


def test_channel_absent_from_the_map_is_limited_by_total_only() -> None:
    profile = advisor(1, capacity_per_channel={"chat": 1}, load_per_channel={"chat": 1})
    assert exclusion_reason(profile, needs(channel="email")) is None
    assert exclusion_reason(profile, needs(channel="chat")) == "at chat capacity 1/1"


def test_invalid_profiles_are_refused() -> None:
    with pytest.raises(ValueError, match="capacity_total"):
        advisor(1, capacity_total=-1)
    with pytest.raises(ValueError, match="level 6"):
        advisor(1, skills={"billing": 6})
    with pytest.raises(ValueError):
        advisor(1, status="lunch")


# --- policies -------------------------------------------------------------------------------


def winner_id(decision: Decision) -> int | None:
    return None if decision.winner is None else decision.winner.id


def test_best_fit_prefers_the_highest_skill_sum() -> None:
    team = [
        advisor(1, skills={"billing": 3, "tech": 5}),
        advisor(2, skills={"billing": 5, "tech": 4}, load_total=2),
        advisor(3, skills={"billing": 2, "tech": 2}),
    ]
    decision = choose(team, needs(skills={"billing": 2, "tech": 2}), Policy.BEST_FIT, now=NOW)
    assert winner_id(decision) == 2
    assert [i for i, _ in decision.ranked] == [2, 1, 3]
    assert decision.ranked[0][1].fit == 9
    assert "best skill fit (9 vs 8)" in decision.explanation


def test_best_fit_ties_break_on_load_then_idle_then_id() -> None:
    requirements = needs(skills={"billing": 1})
    by_load = [advisor(1, load_total=2), advisor(2, load_total=1)]
    decision = choose(by_load, requirements, Policy.BEST_FIT, now=NOW)
    assert winner_id(decision) == 2
    assert "tied on skill fit, then lowest load (1/3 vs 2/3)" in decision.explanation
    by_idle = [advisor(1, last_assigned_at=500.0), advisor(2, last_assigned_at=100.0)]
    decision = choose(by_idle, requirements, Policy.BEST_FIT, now=NOW)
    assert winner_id(decision) == 2
    assert "idle longest (900s vs 500s)" in decision.explanation
    by_id = [advisor(7), advisor(3)]
    decision = choose(by_id, requirements, Policy.BEST_FIT, now=NOW)
    assert winner_id(decision) == 3
    assert "lowest id" in decision.explanation


def test_least_busy_prefers_the_lowest_load_ratio() -> None:
    team = [
        advisor(1, load_total=1, capacity_total=2, skills={"billing": 5}),  # 50 %
        advisor(2, load_total=1, capacity_total=4, skills={"billing": 1}),  # 25 %
        advisor(3, load_total=0, capacity_total=1, skills={"billing": 1}, status="away"),
    ]
    decision = choose(team, needs(skills={"billing": 1}), Policy.LEAST_BUSY, now=NOW)
    assert winner_id(decision) == 2
    assert decision.ranked[0][1].load == 0.25
    tied = [advisor(1, skills={"billing": 2}), advisor(2, skills={"billing": 4})]
    decision = choose(tied, needs(skills={"billing": 1}), Policy.LEAST_BUSY, now=NOW)
    assert winner_id(decision) == 2
    assert "tied on load, then best skill fit" in decision.explanation


def test_round_robin_takes_turns_whatever_the_load() -> None:
    team = [
        advisor(1, last_assigned_at=10.0, load_total=0),
        advisor(2, last_assigned_at=5.0, load_total=2),
        advisor(3, last_assigned_at=7.0, load_total=1),
    ]
    decision = choose(team, needs(), Policy.ROUND_ROBIN, now=NOW)
    assert [i for i, _ in decision.ranked] == [2, 3, 1]


def test_longest_idle_prefers_never_assigned_then_oldest() -> None:
    team = [
        advisor(1, last_assigned_at=10.0),
        advisor(2, last_assigned_at=None, load_total=2),
        advisor(3, last_assigned_at=5.0),
        advisor(4, last_assigned_at=None, load_total=1),
    ]
    decision = choose(team, needs(), Policy.LONGEST_IDLE, now=NOW)
    assert [i for i, _ in decision.ranked] == [4, 2, 3, 1]
    assert decision.ranked[0][1].idle_seconds is None
    assert decision.ranked[2][1].idle_seconds == 995.0
    assert "tied on idle time, then lowest load (1/3 vs 2/3)" in decision.explanation


def test_policy_given_as_a_string() -> None:
    decision = choose([advisor(1)], needs(), "least_busy", now=NOW)  # type: ignore[arg-type]
    assert decision.policy is Policy.LEAST_BUSY


# --- affinity, nobody, output ---------------------------------------------------------------


def test_eligible_preferred_advisor_wins_over_the_policy() -> None:
    team = [advisor(1, skills={"billing": 5}), advisor(2, skills={"billing": 1}, load_total=2)]
    decision = choose(
        team, needs(skills={"billing": 1}), Policy.BEST_FIT, now=NOW, preferred_advisor_id=2
    )
    assert winner_id(decision) == 2
    assert decision.ranked[0] == (2, decision.ranked[0][1])
    assert decision.ranked[0][1].affinity
    assert "already knows this customer" in decision.explanation


def test_ineligible_preferred_advisor_is_ignored() -> None:
    team = [advisor(1), advisor(2, status=AdvisorStatus.BREAK)]
    decision = choose(team, needs(), Policy.BEST_FIT, now=NOW, preferred_advisor_id=2)
    assert winner_id(decision) == 1
    assert decision.excluded == {2: "on break"}
    assert "only eligible advisor among 2" in decision.explanation


def test_nobody_eligible() -> None:
    team = [advisor(3, status="offline"), advisor(1, load_total=3), advisor(2, load_total=5)]
    decision = choose(team, needs(), Policy.BEST_FIT, now=NOW)
    assert decision.winner is None
    assert decision.ranked == ()
    assert list(decision.excluded) == [1, 2, 3]
    assert decision.explanation == (
        "No eligible advisor among 3 considered (1 unavailable, 2 at capacity)."
    )


def test_no_advisors_at_all() -> None:
    decision = choose([], needs(), Policy.LONGEST_IDLE, now=NOW)
    assert decision.winner is None
    assert decision.explanation == "No advisor to consider."


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="advisor 1 is listed twice"):
        choose([advisor(1), advisor(1)], needs(), Policy.BEST_FIT, now=NOW)


def test_to_dict_is_json_safe_and_can_be_capped() -> None:
    team = [advisor(1), advisor(2, last_assigned_at=NOW - 60), advisor(3, status="away")]
    decision = choose(team, needs(), Policy.LONGEST_IDLE, now=NOW)
    data = decision.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["winner_id"] == 1
    assert data["policy"] == "longest_idle"
    assert data["ranked"] == [
        {"advisor_id": 1, "affinity": False, "fit": 0, "load": 0.0, "idle_seconds": None}
        | {"intense_today": 0},
        {"advisor_id": 2, "affinity": False, "fit": 0, "load": 0.0, "idle_seconds": 60.0}
        | {"intense_today": 0},
    ]
    assert data["excluded"] == [{"advisor_id": 3, "reason": "away"}]
    capped = decision.to_dict(limit=1)
    assert len(capped["ranked"]) == 1  # type: ignore[arg-type]
    assert (capped["eligible_count"], capped["excluded_count"]) == (2, 1)


def test_ten_thousand_advisors() -> None:
    rng = random.Random(7)
    team = [
        advisor(
            i,
            skills={"billing": rng.randint(1, 4)},
            load_total=rng.randint(0, 3),
            status=rng.choice(list(AdvisorStatus)),
            last_assigned_at=float(rng.randint(0, 900)),
        )
        for i in range(1, 10_001)
    ]
    star = advisor(10_001, skills={"billing": 5}, load_total=0)
    decision = choose([*team, star], needs(skills={"billing": 2}), Policy.BEST_FIT, now=NOW)
    assert winner_id(decision) == 10_001
    assert len(decision.ranked) + len(decision.excluded) == 10_001


# --- properties -----------------------------------------------------------------------------

CHANNELS = ["email", "chat", "whatsapp"]
SKILLS = ["billing", "tech", "sales"]
LANGUAGES = ["fr", "en", "de"]

# Biased towards available, skilled advisors with room, so that most examples have several
# eligible advisors to rank (uniform draws exclude almost everyone).
profile_fields = {
    "name": st.just("a"),
    "team_id": st.sampled_from([None, 1, 2]),
    "status": st.sampled_from([AdvisorStatus.AVAILABLE] * 9 + list(AdvisorStatus)),
    "languages": st.frozensets(st.sampled_from(LANGUAGES), min_size=1),
    "skills": st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), min_size=2),
    "capacity_per_channel": st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 3)),
    "load_per_channel": st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 3)),
    "last_assigned_at": st.none() | st.integers(0, 100).map(float),
}


@st.composite
def teams(draw: st.DrawFn) -> list[AdvisorProfile]:
    size = draw(st.integers(0, 12))  # plain lists() mostly draws one or two elements
    ids = draw(st.lists(st.integers(1, 40), unique=True, min_size=size, max_size=size))
    return [draw(profiles(i)) for i in ids]


@st.composite
def profiles(draw: st.DrawFn, advisor_id: int) -> AdvisorProfile:
    capacity = draw(st.sampled_from([3, 1, 2, 5, 4, 2, 0]))
    # Mostly room left; sometimes full; rarely over capacity (a lowered capacity).
    load = draw(st.sampled_from([*range(capacity), *range(capacity)[:2], capacity, capacity + 1]))
    fields = {name: draw(strategy) for name, strategy in profile_fields.items()}
    return AdvisorProfile(id=advisor_id, capacity_total=capacity, load_total=load, **fields)


@st.composite
def close_calls(draw: st.DrawFn) -> list[AdvisorProfile]:
    """Eligible advisors with few distinct values, so that every tie-break gets exercised."""
    size = draw(st.integers(2, 8))
    team = []
    for advisor_id in draw(st.permutations(range(1, size + 1))):
        capacity = draw(st.sampled_from([2, 4]))
        team.append(
            advisor(
                advisor_id,
                languages=frozenset(LANGUAGES),
                skills={skill: draw(st.integers(3, 5)) for skill in SKILLS},
                capacity_total=capacity,
                load_total=draw(st.integers(0, capacity - 1)),
                last_assigned_at=draw(st.sampled_from([None, 1.0, 2.0])),
                team_id=draw(st.sampled_from([1, 2])),
            )
        )
    return team


requirements_strategy = st.builds(
    Requirements,
    channel=st.sampled_from(CHANNELS),
    skills=st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), max_size=2),
    language=st.sampled_from([None, None, *LANGUAGES]),
    team_id=st.sampled_from([None, None, 1, 2]),
)
policies = st.sampled_from(Policy)
preferred_ids = st.none() | st.integers(1, 40)


@PROPERTIES
@given(team=teams(), requirements=requirements_strategy, policy=policies, preferred=preferred_ids)
def test_winner_is_eligible_within_capacity_and_exists_when_possible(
    team: list[AdvisorProfile], requirements: Requirements, policy: Policy, preferred: int | None
) -> None:
    decision = choose(team, requirements, policy, now=NOW, preferred_advisor_id=preferred)
    eligible = [a for a in team if exclusion_reason(a, requirements) is None]
    assert (decision.winner is None) == (not eligible)
    if decision.winner is not None:
        winner = decision.winner
        assert exclusion_reason(winner, requirements) is None
        assert winner.load_total < winner.capacity_total
        channel_capacity = winner.capacity_per_channel.get(requirements.channel)
        if channel_capacity is not None:
            assert winner.load_per_channel.get(requirements.channel, 0) < channel_capacity
        assert decision.ranked[0][0] == winner.id


@PROPERTIES
@given(team=teams(), requirements=requirements_strategy, policy=policies, preferred=preferred_ids)
def test_every_advisor_is_ranked_or_excluded_never_both(
    team: list[AdvisorProfile], requirements: Requirements, policy: Policy, preferred: int | None
) -> None:
    decision = choose(team, requirements, policy, now=NOW, preferred_advisor_id=preferred)
    ranked = {i for i, _ in decision.ranked}
    assert len(ranked) == len(decision.ranked)
    assert ranked.isdisjoint(decision.excluded)
    assert ranked | set(decision.excluded) == {a.id for a in team}
    for profile in team:
        assert decision.excluded.get(profile.id) == exclusion_reason(profile, requirements)
    data = decision.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data


@PROPERTIES
@given(
    team=teams(),
    requirements=requirements_strategy,
    policy=policies,
    preferred=preferred_ids,
    data=st.data(),
)
def test_result_does_not_depend_on_input_order(
    team: list[AdvisorProfile],
    requirements: Requirements,
    policy: Policy,
    preferred: int | None,
    data: st.DataObject,
) -> None:
    shuffled = data.draw(st.permutations(team))
    first = choose(team, requirements, policy, now=NOW, preferred_advisor_id=preferred)
    second = choose(iter(shuffled), requirements, policy, now=NOW, preferred_advisor_id=preferred)
    assert first == second
    assert first.to_dict() == second.to_dict()


@PROPERTIES
@given(team=teams(), requirements=requirements_strategy, policy=policies, data=st.data())
def test_an_eligible_preferred_advisor_wins(
    team: list[AdvisorProfile], requirements: Requirements, policy: Policy, data: st.DataObject
) -> None:
    eligible = [a.id for a in team if exclusion_reason(a, requirements) is None]
    if not eligible:
        return
    preferred = data.draw(st.sampled_from(eligible))
    decision = choose(team, requirements, policy, now=NOW, preferred_advisor_id=preferred)
    assert winner_id(decision) == preferred


def reference_winner(
    team: list[AdvisorProfile], requirements: Requirements, policy: Policy
) -> int | None:
    """The policy written as successive filters, independently of the implementation."""
    pool = [a for a in team if exclusion_reason(a, requirements) is None]

    def keep_best(key: Any) -> None:
        nonlocal pool
        best = min(key(a) for a in pool)
        pool = [a for a in pool if key(a) == best]

    def fit(a: AdvisorProfile) -> int:
        return -sum(a.skills[s] for s in requirements.skills)

    def load(a: AdvisorProfile) -> Fraction:
        return Fraction(a.load_total, a.capacity_total)

    def idle(a: AdvisorProfile) -> tuple[int, float]:
        return (0, 0.0) if a.last_assigned_at is None else (1, a.last_assigned_at)

    if not pool:
        return None
    order = {
        Policy.BEST_FIT: [fit, load, idle],
        Policy.LEAST_BUSY: [load, fit, idle],
        Policy.LONGEST_IDLE: [idle, load],
        Policy.ROUND_ROBIN: [idle],
    }[policy]
    for key in order:
        keep_best(key)
    return min(a.id for a in pool)


@PROPERTIES
@given(team=teams() | close_calls(), requirements=requirements_strategy, policy=policies)
def test_winner_follows_the_policy(
    team: list[AdvisorProfile], requirements: Requirements, policy: Policy
) -> None:
    decision = choose(team, requirements, policy, now=NOW)
    assert winner_id(decision) == reference_winner(team, requirements, policy)
    # The ranking is the same reference applied to what is left after each pick.
    remaining = [a for a in team if exclusion_reason(a, requirements) is None]
    for advisor_id, _ in decision.ranked:
        assert advisor_id == reference_winner(remaining, requirements, policy)
        remaining = [a for a in remaining if a.id != advisor_id]
