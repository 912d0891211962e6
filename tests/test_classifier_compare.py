"""Promotion of a retrained model: only when it is not worse on the same held-out data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from router.classify.calibration import NEVER, precision_threshold, utility_threshold
from router.classify.training.compare import compare
from router.classify.training.metrics import ModelMetrics, evaluate_labels


def metrics(
    intent_hits: int, emotion_hits: int, anger_precision: float, on: str = "h1"
) -> ModelMetrics:
    truth = ["a", "b"] * 5
    intent = evaluate_labels(truth, truth[:intent_hits] + ["c"] * (10 - intent_hits))
    emotion = evaluate_labels(truth, truth[:emotion_hits] + ["c"] * (10 - emotion_hits))
    return ModelMetrics(on, intent, 1.0, 1.0, emotion, anger_precision, 0.1)


def test_first_model_is_promoted() -> None:
    assert compare(metrics(8, 8, 0.9), None).promote


def test_better_or_equal_is_promoted_with_the_figures() -> None:
    verdict = compare(metrics(9, 8, 0.95), metrics(8, 8, 0.95))
    assert verdict.promote
    assert "not worse on any figure" in verdict.reason
    assert "intent accuracy 0.9000 vs 0.8000" in verdict.reason


def test_worse_intents_are_refused() -> None:
    verdict = compare(metrics(7, 8, 0.95), metrics(8, 8, 0.95))
    assert not verdict.promote
    assert "intent accuracy 0.7000 < 0.8000" in verdict.reason


def test_better_intents_do_not_pay_for_worse_anger_precision() -> None:
    verdict = compare(metrics(10, 8, 0.85), metrics(8, 8, 0.95))
    assert not verdict.promote
    assert "anger precision 0.8500 < 0.9500" in verdict.reason


def test_tolerance_absorbs_noise() -> None:
    assert compare(metrics(8, 8, 0.94), metrics(8, 8, 0.95), tolerance=0.02).promote


def test_different_held_out_data_is_not_comparable() -> None:
    verdict = compare(metrics(10, 10, 1.0, on="h2"), metrics(5, 5, 0.5, on="h1"))
    assert not verdict.promote
    assert "different data" in verdict.reason


def test_intent_only_models_compare_on_intent_figures() -> None:
    current = replace(metrics(8, 8, 0.9), emotion=None, anger_precision=None)
    assert compare(replace(current), current).promote


def test_figures_name_labels_only_seen_in_the_test_data() -> None:
    figures = evaluate_labels(["a", "z"], ["a", "a"], ["a", "b"])
    assert figures.labels == ("a", "b", "z")
    assert figures.per_class["z"].recall == 0.0
    assert figures.macro_f1 == pytest.approx(figures.per_class["a"].f1 / 2, abs=1e-4)


def test_figures_of_nothing() -> None:
    figures = evaluate_labels([], [], ["a", "b"])
    assert (figures.accuracy, figures.macro_f1, figures.confusion) == (0.0, 0.0, ((0, 0), (0, 0)))


def test_thresholds_on_validation_data() -> None:
    confidence = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], dtype=np.float32)
    correct = np.array([True, True, False, True, True, False, False])
    assert utility_threshold(confidence, correct, cost=1.0) == pytest.approx(0.45)
    assert utility_threshold(confidence, correct, cost=3.0) == pytest.approx(0.75)
    assert utility_threshold(confidence, ~correct, cost=1.0) == NEVER
    assert precision_threshold(confidence, correct, target=1.0) == pytest.approx(0.75)
    assert precision_threshold(confidence, correct, target=0.8) == pytest.approx(0.45)
    assert precision_threshold(confidence[:0], correct[:0], target=0.9) == NEVER
