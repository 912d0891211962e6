"""skills.queue: effective priority (priority + urgency + ageing), reply windows, classes and
the in-memory waiting room that the SQL pull mirrors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills import (
    AdvisorProfile,
    CarePolicy,
    Head,
    QueueClass,
    QueuePolicy,
    ReplyWindow,
    Requirements,
    RuleError,
    WaitingQueue,
    effective_priority,
    fit_ranges,
    parse_class,
    rank,
)
from tests.skills_support import advisor_profile

PROPERTIES = settings(database=None, deadline=None, max_examples=200)
HOUR = 3600.0
WHATSAPP = ReplyWindow(seconds=24 * HOUR, ramp_seconds=4 * HOUR, points=30)
NOW = 10_000_000.0


@pytest.mark.parametrize(
    ("since", "points"),
    # Six steps of 5 points, one every 40 minutes over the last 4 hours.
    [(0, 0), (20 * HOUR, 0), (21 * HOUR, 5), (22 * HOUR, 15), (24 * HOUR, 30), (48 * HOUR, 30)],
)
def test_urgency_rises_over_the_end_of_the_window(since: float, points: int) -> None:
    assert WHATSAPP.urgency(since) == points


@PROPERTIES
@given(st.floats(0, 30 * HOUR))
def test_next_rise_is_when_the_next_point_comes(since: float) -> None:
    wait = WHATSAPP.next_rise(since)
    current = WHATSAPP.step(since)
    if wait is None:
        assert current == WHATSAPP.steps and WHATSAPP.urgency(since) == WHATSAPP.points
    else:
        assert WHATSAPP.step(since + wait) == current + 1
        assert WHATSAPP.step(since + wait - 0.01) == current
        assert WHATSAPP.urgency(since + wait) > WHATSAPP.urgency(since)


@PROPERTIES
@given(
    st.integers(0, 130),
    st.floats(0, 10**6),
    st.floats(0, 10**6),
    st.floats(0, 10, allow_nan=False),
)
def test_effective_priority_never_decreases_while_waiting(
    queue_priority: int, waited: float, more: float, ageing: float
) -> None:
    assert effective_priority(queue_priority, waited + more, ageing) >= effective_priority(
        queue_priority, waited, ageing
    )


@PROPERTIES
@given(st.floats(0, 40 * HOUR), st.floats(0, 40 * HOUR))
def test_urgency_never_decreases_as_the_window_closes(since: float, more: float) -> None:
    assert WHATSAPP.urgency(since + more) >= WHATSAPP.urgency(since)


def test_bad_windows_are_refused() -> None:
    with pytest.raises(RuleError):
        ReplyWindow(seconds=HOUR, ramp_seconds=2 * HOUR, points=10)
    with pytest.raises(RuleError):
        ReplyWindow(seconds=HOUR, ramp_seconds=HOUR, points=500)
    with pytest.raises(RuleError):
        ReplyWindow(seconds=HOUR, ramp_seconds=HOUR, points=10, steps=0)
    with pytest.raises(RuleError):
        QueuePolicy(ageing_per_minute=-1)


classes = st.builds(
    QueueClass,
    requirements=st.builds(
        Requirements,
        channel=st.sampled_from(["chat", "whatsapp", "x|y", "é"]),
        skills=st.dictionaries(
            st.text(min_size=1, max_size=8).filter(str.strip), st.integers(1, 5), max_size=3
        ),
        language=st.sampled_from([None, "fr", "en"]),
        team_id=st.none() | st.integers(1, 10**6),
    ),
    intense=st.booleans(),
    queue_priority=st.integers(0, 200),
)


@PROPERTIES
@given(classes)
def test_class_keys_round_trip(cls: QueueClass) -> None:
    assert parse_class(cls.key) == cls


@PROPERTIES
@given(
    classes,
    st.lists(st.sampled_from(["chat", "whatsapp", "x", "x|y", "xmpp", "é"]), max_size=4),
    st.lists(st.sampled_from(["fr", "en", "de"]), max_size=2),
)
def test_fit_ranges_hold_every_class_the_languages_allow(
    cls: QueueClass, channels: list[str], languages: list[str]
) -> None:
    """A class is in exactly one range when its channel is not among ``channels`` or its
    language is spoken (or none), and in none otherwise: the SQL pull reads only there."""
    found = [(low, high) for low, high in fit_ranges(channels, languages) if low <= cls.key < high]
    language = cls.requirements.language
    allowed = cls.requirements.channel not in channels or language in (None, *languages)
    assert len(found) == (1 if allowed else 0), (cls.key, found)


def test_ties_on_effective_priority_go_to_the_longest_wait() -> None:
    # 10 points of priority against 10 minutes of ageing at 1 point per minute.
    high = Head(conversation_id=1, queue_priority=10, waiting_since=NOW - 60)
    old = Head(conversation_id=2, queue_priority=0, waiting_since=NOW - 660)
    assert rank([high, old], NOW, 1.0)[0] == old  # 11 vs 11: the longer wait wins
    assert rank([high, old], NOW + 1, 0.0)[0] == high


def advisor(**overrides: Any) -> AdvisorProfile:
    return advisor_profile(1, **{"name": "a", **overrides})


waiting_lists = st.lists(
    st.tuples(
        st.builds(
            QueueClass,
            requirements=st.builds(
                Requirements,
                channel=st.sampled_from(["chat", "whatsapp"]),
                skills=st.sampled_from([{}, {"billing": 2}, {"billing": 4}]),
                language=st.sampled_from([None, "fr", "de"]),
                team_id=st.sampled_from([None, 1, 2]),
            ),
            intense=st.booleans(),
            queue_priority=st.integers(0, 5),
        ),
        st.integers(0, 3000),  # seconds waited
    ),
    max_size=40,
)


@PROPERTIES
@given(
    waiting=waiting_lists,
    skip=st.sets(st.integers(1, 40), max_size=5),
    cooling=st.booleans(),
    ageing=st.sampled_from([0.0, 0.5, 2.0]),
)
def test_best_for_is_the_best_fitting_conversation_of_the_whole_queue(
    waiting: list[tuple[QueueClass, int]], skip: set[int], cooling: bool, ageing: float
) -> None:
    queue = WaitingQueue(QueuePolicy(ageing_per_minute=ageing))
    care = CarePolicy(cooldown_seconds=600)
    puller = advisor(last_intense_ended_at=NOW - 10 if cooling else None)
    for conversation_id, (cls, waited) in enumerate(waiting, start=1):
        queue.add(conversation_id, cls, NOW - waited)
    best = queue.best_for(puller, now=NOW, care=care, skip=frozenset(skip))
    fitting = [
        Head(i, cls.queue_priority, NOW - waited)
        for i, (cls, waited) in enumerate(waiting, start=1)
        if i not in skip and cls.fits(puller, NOW, care)
    ]
    expected = rank(fitting, NOW, ageing)
    assert best == (expected[0] if expected else None)
    if best is not None and cooling:
        assert not parse_class(waiting[best.conversation_id - 1][0].key).intense


def test_removed_conversations_leave_the_queue() -> None:
    queue = WaitingQueue(QueuePolicy())
    cls = QueueClass(Requirements(channel="chat", skills={}), False, 0)
    queue.add(1, cls, NOW - 100)
    queue.add(2, cls, NOW - 50)
    queue.remove(1)
    queue.remove(1)
    assert len(queue) == 1
    head = queue.best_for(advisor(), now=NOW, care=CarePolicy())
    assert head is not None and head.conversation_id == 2
    queue.remove(2)
    assert queue.best_for(advisor(), now=NOW, care=CarePolicy()) is None
