"""skills.care and the care rules of eligibility and choice: cool-down, intense cap, fair
spread of intense conversations, avoided advisors, the rising-anger trend, a first message
already very angry, and which refusals are care's alone."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills import (
    CARE_EXCLUSIONS,
    AdvisorProfile,
    AdvisorStatus,
    AngerTrend,
    CarePolicy,
    ExclusionKind,
    Policy,
    Requirements,
    Situation,
    anger_alert,
    angry_first_message,
    choose,
    exclusion,
)
from tests.skills_support import advisor_profile

PROPERTIES = settings(database=None, deadline=None, max_examples=150)
NOW = 100_000.0
CARE = CarePolicy(intense_threshold=0.6, cooldown_seconds=600, max_intense=1)


def advisor(advisor_id: int, **overrides: Any) -> AdvisorProfile:
    return advisor_profile(advisor_id, **{"languages": frozenset({"fr"}), **overrides})


NEEDS = Requirements(channel="chat", skills={})


def test_what_is_intense() -> None:
    assert CARE.is_intense("anger", 0.6)
    assert CARE.is_intense("frustration", 0.9)
    assert not CARE.is_intense("anger", 0.59)
    assert not CARE.is_intense("anxiety", 1.0)
    assert not CARE.is_intense(None, 1.0)


@pytest.mark.parametrize(
    ("overrides", "kind", "words"),
    [
        ({"last_intense_ended_at": NOW - 60}, ExclusionKind.COOLDOWN, "540 s left"),
        ({"intense_load": 1}, ExclusionKind.INTENSE_CAP, "1/1 intense"),
    ],
)
def test_care_excludes_only_from_intense_conversations(
    overrides: dict[str, Any], kind: ExclusionKind, words: str
) -> None:
    tired = advisor(1, **overrides)
    found = exclusion(tired, NEEDS, Situation(now=NOW, intense=True, care=CARE))
    assert found is not None and found[0] == kind and words in found[1]
    assert exclusion(tired, NEEDS, Situation(now=NOW, intense=False, care=CARE)) is None


def test_cooldown_ends() -> None:
    rested = advisor(1, last_intense_ended_at=NOW - 600)
    assert exclusion(rested, NEEDS, Situation(now=NOW, intense=True, care=CARE)) is None


def test_an_avoided_advisor_is_excluded_with_the_reason() -> None:
    situation = Situation(now=NOW, avoid={1: "declined this conversation 2 min ago"})
    assert exclusion(advisor(1), NEEDS, situation) == (
        ExclusionKind.AVOIDED,
        "declined this conversation 2 min ago",
    )
    decision = choose([advisor(1), advisor(2)], NEEDS, Policy.BEST_FIT, now=NOW, avoid={1: "x"})
    assert decision.winner is not None and decision.winner.id == 2
    assert decision.excluded == {1: "x"}


def test_spread_prefers_fewer_intense_conversations_today_and_says_so() -> None:
    team = [advisor(1, intense_today=2), advisor(2, intense_today=0, load_total=2)]
    calm = choose(team, NEEDS, Policy.LEAST_BUSY, now=NOW, care=CARE)
    assert calm.winner is not None and calm.winner.id == 1
    intense = choose(team, NEEDS, Policy.LEAST_BUSY, now=NOW, intense=True, care=CARE)
    assert intense.winner is not None and intense.winner.id == 2
    assert "fewest intense conversations today (0 vs 2)" in intense.explanation


def test_nobody_explanation_counts_care() -> None:
    team = [advisor(1, intense_load=1), advisor(2, last_intense_ended_at=NOW)]
    decision = choose(team, NEEDS, Policy.BEST_FIT, now=NOW, intense=True, care=CARE)
    assert decision.winner is None
    assert "1 in cool-down" in decision.explanation
    assert "1 at their intense-conversation cap" in decision.explanation


# --- properties -----------------------------------------------------------------------------

advisors_strategy = st.lists(
    st.builds(
        lambda i, load, today, ended, intense, status: advisor(
            i,
            load_total=load,
            intense_today=today,
            last_intense_ended_at=ended,
            intense_load=intense,
            status=status,
        ),
        st.integers(1, 40),
        st.integers(0, 3),
        st.integers(0, 4),
        st.none() | st.floats(NOW - 2000, NOW),
        st.integers(0, 2),
        st.sampled_from([AdvisorStatus.AVAILABLE] * 3 + [AdvisorStatus.BREAK]),
    ),
    max_size=12,
    unique_by=lambda a: a.id,
)


@PROPERTIES
@given(
    team=advisors_strategy,
    policy=st.sampled_from(list(Policy)),
    avoided=st.sets(st.integers(1, 40)),
)
def test_an_excluded_advisor_is_never_chosen(
    team: list[AdvisorProfile], policy: Policy, avoided: set[int]
) -> None:
    decision = choose(team, NEEDS, policy, now=NOW, avoid=dict.fromkeys(avoided, "declined"))
    assert decision.winner is None or decision.winner.id not in avoided


@PROPERTIES
@given(team=advisors_strategy, policy=st.sampled_from(list(Policy)))
def test_an_advisor_in_cooldown_never_gets_an_intense_conversation(
    team: list[AdvisorProfile], policy: Policy
) -> None:
    decision = choose(team, NEEDS, policy, now=NOW, intense=True, care=CARE)
    winner = decision.winner
    if winner is not None:
        assert CARE.cooldown_left(winner, NOW) == 0
        assert winner.intense_load < CARE.max_intense


@PROPERTIES
@given(team=advisors_strategy, policy=st.sampled_from(list(Policy)))
def test_spread_never_picks_more_intense_today_than_an_eligible_colleague(
    team: list[AdvisorProfile], policy: Policy
) -> None:
    decision = choose(team, NEEDS, policy, now=NOW, intense=True, care=CARE)
    if decision.winner is None:
        return
    eligible = {advisor_id for advisor_id, _ in decision.ranked}
    fewest = min(a.intense_today for a in team if a.id in eligible)
    assert decision.winner.intense_today == fewest


@PROPERTIES
@given(today=st.integers(0, 5), more=st.integers(1, 5), policy=st.sampled_from(list(Policy)))
def test_of_two_otherwise_equal_advisors_the_one_with_fewer_intense_wins(
    today: int, more: int, policy: Policy
) -> None:
    # Identical but for the count (and the id, which would otherwise decide: the busier
    # one gets the lower id so that only the count can explain the result).
    busier = advisor(1, intense_today=today + more)
    fresher = advisor(2, intense_today=today)
    decision = choose([busier, fresher], NEEDS, policy, now=NOW, intense=True, care=CARE)
    assert decision.winner is not None and decision.winner.id == 2


# --- rising anger ---------------------------------------------------------------------------

TREND = AngerTrend(messages=3, threshold=0.6)


@pytest.mark.parametrize(
    ("readings", "alert"),
    [
        ([("anger", 0.3), ("anger", 0.5), ("anger", 0.7)], True),
        ([("neutral", 0.0), ("frustration", 0.4), ("anger", 0.65)], True),
        ([("anger", 0.3), ("anger", 0.5), ("anger", 0.55)], False),  # below the threshold
        ([("anger", 0.5), ("anger", 0.5), ("anger", 0.7)], False),  # not strictly rising
        ([("anger", 0.3), ("anxiety", 0.5), ("anger", 0.7)], False),  # anxiety counts as calm
        ([("anger", 0.5), ("anger", 0.7)], False),  # too few messages
        # Already rising at the previous message: alerted then, not again.
        ([("anger", 0.2), ("anger", 0.4), ("anger", 0.6), ("anger", 0.8)], False),
        ([("anger", 0.8), ("anger", 0.2), ("anger", 0.4), ("anger", 0.6)], True),
    ],
)
def test_anger_alert(readings: list[tuple[str, float]], alert: bool) -> None:
    reason = anger_alert(readings, TREND)
    assert (reason is not None) is alert
    if reason is not None:
        assert "anger rising over the last 3 customer messages" in reason


@PROPERTIES
@given(
    st.lists(
        st.tuples(st.sampled_from(["anger", "frustration", "neutral"]), st.floats(0, 1)),
        max_size=12,
    )
)
def test_one_alert_per_rise(readings: list[tuple[str, float]]) -> None:
    """Two consecutive messages never both alert."""
    alerts = [anger_alert(readings[: i + 1], TREND) is not None for i in range(len(readings))]
    assert not any(a and b for a, b in zip(alerts, alerts[1:], strict=False))


# --- a first message already very angry -----------------------------------------------------


@pytest.mark.parametrize(
    ("readings", "alert"),
    [
        ([("anger", 0.9)], True),
        ([("frustration", 0.85)], True),  # at the threshold
        ([("anger", 0.84)], False),  # angry, not enough (intense all the same: >= 0.6)
        ([("anxiety", 0.99)], False),  # not one of the intense emotions
        ([(None, 0.0)], False),  # calm, or nothing read
        ([("anger", 0.3), ("anger", 0.95)], False),  # not the first message: anger_alert's
        ([("anger", 0.95), ("anger", 0.95)], False),  # alerted at the first one already
        ([], False),
    ],
)
def test_angry_first_message(readings: list[tuple[str | None, float]], alert: bool) -> None:
    reason = angry_first_message(readings, CARE, 0.85)
    assert (reason is not None) is alert
    if reason is not None:
        emotion, intensity = readings[0]
        assert f"already reads as {emotion} at {intensity:.2f}" in reason
        assert "alert threshold 0.85" in reason


def test_the_first_message_threshold_and_emotions_are_the_policy_s() -> None:
    assert angry_first_message([("anger", 0.7)], CARE, 0.7) is not None
    assert angry_first_message([("anger", 0.7)], CARE, 0.71) is None
    rage_only = CarePolicy(intense_emotions=frozenset({"rage"}))
    assert angry_first_message([("anger", 0.99)], rage_only, 0.5) is None
    assert angry_first_message([("rage", 0.5)], rage_only, 0.5) is not None


@PROPERTIES
@given(
    st.lists(
        st.tuples(st.sampled_from(["anger", "frustration", "neutral", None]), st.floats(0, 1)),
        max_size=12,
    )
)
def test_at_most_one_first_message_alert(readings: list[tuple[str | None, float]]) -> None:
    """Asked after each message of a conversation, it alerts once at most, at the first."""
    alerts = [
        i
        for i in range(len(readings))
        if angry_first_message(readings[: i + 1], CARE, 0.85) is not None
    ]
    assert alerts in ([], [0])


def test_only_cool_down_and_the_intense_cap_are_care_refusals() -> None:
    """What a supervisor may override when assigning by hand; never status or capacity."""
    assert {ExclusionKind.COOLDOWN, ExclusionKind.INTENSE_CAP} == CARE_EXCLUSIONS
    full = advisor(1, load_total=1, capacity_total=1, intense_load=1)
    found = exclusion(full, NEEDS, Situation(now=NOW, intense=True, care=CARE))
    assert found is not None and found[0] == ExclusionKind.CAPACITY  # capacity comes first
    assert found[0] not in CARE_EXCLUSIONS


def test_care_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="intense_threshold"):
        CarePolicy(intense_threshold=1.5)
    with pytest.raises(ValueError, match="max_intense"):
        CarePolicy(max_intense=0)
    with pytest.raises(ValueError, match="anger_messages"):
        AngerTrend(messages=1)
