"""Conversation-level anger trend: properties that must hold for any sequence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from router.classify.labels import EMOTIONS
from router.classify.trend import Reading, detect_trend

readings = st.builds(
    Reading,
    emotion=st.sampled_from(EMOTIONS),
    emotion_intensity=st.floats(0.0, 1.0, allow_nan=False),
)


@given(st.sampled_from(EMOTIONS), st.floats(0.0, 1.0, allow_nan=False), st.integers(0, 12))
def test_a_constant_conversation_is_never_rising(emotion: str, intensity: float, n: int) -> None:
    trend = detect_trend([Reading(emotion, intensity)] * n)
    assert not trend.rising
    assert abs(trend.score) < 1e-9


@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), max_size=10))
def test_calming_down_is_never_rising(levels: list[float]) -> None:
    levels.sort(reverse=True)
    assert not detect_trend([Reading("anger", x) for x in levels]).rising


@given(st.lists(readings, max_size=15))
def test_trend_is_bounded_and_explained(sequence: list[Reading]) -> None:
    trend = detect_trend(sequence)
    assert -1.0 <= trend.score <= 1.0
    assert 0.0 <= trend.level <= 1.0
    assert trend.messages == min(len(sequence), 5)
    assert trend.reason
    if trend.rising:
        assert trend.level >= 0.5 and trend.score >= 0.25


@given(st.lists(readings, max_size=6))
def test_calm_emotions_never_rise(sequence: list[Reading]) -> None:
    calm = [r for r in sequence if r.emotion not in ("anger", "frustration")]
    assert not detect_trend(calm).rising


def test_escalation_from_neutral_to_anger() -> None:
    trend = detect_trend(
        [Reading("neutral", 0.1), Reading("frustration", 0.4), Reading("anger", 0.8)]
    )
    assert trend.rising
    assert trend.score > 0.5
    assert "rising from 0.00 to 0.80 over 3 customer messages" in trend.reason


def test_one_calm_message_in_between_does_not_hide_the_rise() -> None:
    sequence = [
        Reading("frustration", 0.35),
        Reading("frustration", 0.45),
        Reading("neutral", 0.1),
        Reading("anger", 0.75),
        Reading("anger", 0.9),
    ]
    assert detect_trend(sequence).rising


def test_only_the_last_messages_count() -> None:
    old_rise = [Reading("neutral", 0.1), Reading("anger", 0.9)]
    assert detect_trend(old_rise).rising
    assert not detect_trend(old_rise + [Reading("anger", 0.9)] * 5).rising


def test_mild_rise_is_not_an_alert() -> None:
    trend = detect_trend([Reading("neutral", 0.0), Reading("frustration", 0.4)])
    assert not trend.rising
    assert "mild" in trend.reason


def test_a_single_message_has_no_trend() -> None:
    trend = detect_trend([Reading("anger", 0.9)])
    assert (trend.rising, trend.messages, trend.level) == (False, 1, 0.9)
