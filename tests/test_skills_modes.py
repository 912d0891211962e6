"""Team routing modes in the pure domain: what the router may push, what stays for pull."""

from __future__ import annotations

import pytest

from skills import (
    CandidateIndex,
    Policy,
    QueuePolicy,
    Requirements,
    Situation,
    choose,
    eligible_because,
    exclusion,
    has_push_room,
    push_refusal,
)
from skills.eligibility import ExclusionKind
from tests.skills_support import advisor_profile

CHAT = Requirements(channel="chat", skills={"billing": 2}, language="fr", team_id=1)
PUSHED = Situation(pushed=True)


def test_a_pull_team_advisor_is_never_pushed_but_may_pull() -> None:
    puller = advisor_profile(1, push_limit=0)
    assert push_refusal(puller, waited_seconds=10_000) == "team works by pull"
    assert exclusion(puller, CHAT, PUSHED) == (ExclusionKind.PULL, "team works by pull")
    assert exclusion(puller, CHAT, Situation()) is None  # pulling, claiming, transfers
    assert not has_push_room(puller)


def test_a_blended_advisor_is_pushed_up_to_the_limit_then_only_long_waits() -> None:
    fresh = advisor_profile(1, push_limit=1, load_total=0)
    assert push_refusal(fresh, 0.0) is None and has_push_room(fresh)
    busy = advisor_profile(1, push_limit=1, load_total=1)
    assert push_refusal(busy, 0.0) == "holds 1, pushed up to 1"
    patient = advisor_profile(1, push_limit=1, load_total=1, push_after_seconds=60.0)
    assert push_refusal(patient, 59.0) == "holds 1, pushed up to 1, or after 60 s of wait"
    assert push_refusal(patient, 60.0) is None
    assert has_push_room(patient)  # some long wait may still be pushed to them
    full = advisor_profile(1, push_limit=1, load_total=3, push_after_seconds=60.0)
    assert exclusion(full, CHAT, Situation(pushed=True, waited_seconds=600.0)) == (
        ExclusionKind.CAPACITY,
        "at capacity 3/3",
    )


def test_skills_are_reported_before_the_mode() -> None:
    novice = advisor_profile(1, push_limit=0, skills={"billing": 1})
    assert exclusion(novice, CHAT, PUSHED) == (ExclusionKind.SKILL, "needs billing >= 2, has 1")


def test_a_push_decision_passes_over_pull_advisors_and_says_so() -> None:
    team = [advisor_profile(1, push_limit=0), advisor_profile(2), advisor_profile(3)]
    for decision in (
        choose(team, CHAT, Policy.BEST_FIT, now=0.0),
        CandidateIndex(team).choose(CHAT, Policy.BEST_FIT, now=0.0),
    ):
        assert decision.winner is not None and decision.winner.id == 2
    nobody = choose([advisor_profile(1, push_limit=0)], CHAT, Policy.BEST_FIT, now=0.0)
    assert nobody.winner is None and "serving by pull (team mode)" in nobody.explanation
    assert nobody.excluded == {1: "team works by pull"}


def test_eligibility_is_explained_in_a_few_words() -> None:
    expert = advisor_profile(1, skills={"billing": 4})
    assert eligible_because(expert, CHAT, intense=True) == (
        "handles chat, speaks fr, in team 1, billing 4 (needs 2), may take an intense conversation"
    )
    assert eligible_because(expert, Requirements(channel="email", skills={}), False) == (
        "handles email"
    )


@pytest.mark.parametrize(
    ("priority", "urgency", "intense", "expected"),
    [(0, 0, False, 0), (0, 0, True, 30), (10, 5, True, 45), (9990, 5, True, 9999)],
)
def test_the_intense_boost_joins_the_queue_priority(
    priority: int, urgency: int, intense: bool, expected: int
) -> None:
    assert QueuePolicy(intense_boost=30).queue_priority(priority, urgency, intense) == expected


def test_the_intense_boost_is_bounded() -> None:
    with pytest.raises(ValueError, match="intense_boost"):
        QueuePolicy(intense_boost=1001)
