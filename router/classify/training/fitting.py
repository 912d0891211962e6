"""Fitting each head and choosing its decision threshold on out-of-fold validation.

Every head is fitted k+1 times: once per fold to score the rows it did not see (which
calibrates the softmax temperature and picks thresholds), then once on all rows. When model
selection already scored the rows out of fold with the chosen configuration (``given``),
those scores are reused and only the final fit remains. With too few rows per class for two
folds, the head is fitted once and validated on its own training rows, which the metadata
says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from router.classify.calibration import (
    fit_temperature,
    fold_count,
    out_of_fold_scores,
    precision_threshold,
    utility_threshold,
)
from router.classify.heads import (
    FloatArray,
    IntensityHead,
    LinearHead,
    Matrix,
    fit_intensity_head,
    fit_linear_head,
    softmax,
)
from router.classify.labels import ANGER

Tick = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class OutOfFold:
    """Scores of every row by a model trained without it (columns in sorted class order)."""

    scores: FloatArray
    extra: FloatArray | None  # rows of no class (out-of-scope examples), if any
    folds: int
    final: Callable[[Matrix, Sequence[str]], LinearHead] | None = None  # else one SVM


@dataclass(frozen=True, slots=True)
class FittedHead:
    """A final head, its threshold, and the validation probabilities that chose both."""

    head: LinearHead
    threshold: float
    folds: int
    validation: FloatArray  # columns in head.classes order
    extra: FloatArray | None = None  # validation probabilities of rows with no class


def fit_calibrated(
    matrix: Matrix,
    labels: Sequence[str],
    *,
    c: float,
    folds: int,
    tick: Tick,
    name: str,
    extra: Matrix | None = None,
    balanced: bool = True,
    given: OutOfFold | None = None,
) -> FittedHead:
    """A head with its softmax temperature fitted on out-of-fold scores (threshold unset)."""
    classes = sorted(set(labels))
    k = given.folds if given is not None else fold_count(labels, folds)
    temperature = 1.0
    validation = extra_validation = None
    if k >= 2:
        if given is not None:
            scores, extra_scores = given.scores, given.extra
        else:
            scores, extra_scores = out_of_fold_scores(
                matrix, labels, classes, _fitter(c, balanced, tick, name), folds=k, extra=extra
            )
        temperature = fit_temperature(scores, np.searchsorted(classes, labels))
        validation = softmax(scores * np.float32(temperature))
        if extra_scores is not None:
            extra_validation = softmax(extra_scores * np.float32(temperature))
    if given is not None and given.final is not None:
        head = given.final(matrix, labels).with_temperature(temperature)
    else:
        head = fit_linear_head(matrix, labels, c=c, balanced=balanced)
        head = head.with_temperature(temperature)
    tick(f"{name}: final model")
    if validation is None:
        validation = head.probabilities(matrix)
        extra_validation = None if extra is None else head.probabilities(extra)
    return FittedHead(head, 0.0, k, validation, extra_validation)


def fit_intent(
    matrix: Matrix,
    labels: Sequence[str],
    *,
    c: float,
    folds: int,
    misroute_cost: float,
    tick: Tick,
    unknown: Matrix | None = None,
    balanced: bool = True,
    given: OutOfFold | None = None,
) -> FittedHead:
    """Intent head; the unknown threshold maximises validation utility (see calibration).

    ``unknown`` rows (out-of-scope examples) never train; accepting one counts as wrong.
    """
    fitted = fit_calibrated(
        matrix, labels, c=c, folds=folds, tick=tick, name="intent", extra=unknown,
        balanced=balanced, given=given,
    )  # fmt: skip
    truth = np.searchsorted(fitted.head.classes, labels)
    confidence = fitted.validation.max(axis=1)
    correct = fitted.validation.argmax(axis=1) == truth
    if fitted.extra is not None:
        confidence = np.concatenate([confidence, fitted.extra.max(axis=1)])
        correct = np.concatenate([correct, np.zeros(len(fitted.extra), dtype=bool)])
    if fitted.folds < 2:
        return fitted  # no validation data: every intent is named (threshold 0)
    return _with_threshold(fitted, utility_threshold(confidence, correct, misroute_cost))


def fit_emotion(
    matrix: Matrix,
    labels: Sequence[str],
    *,
    c: float,
    folds: int,
    target: float,
    tick: Tick,
    balanced: bool = True,
    given: OutOfFold | None = None,
) -> FittedHead:
    """Emotion head; anger needs the confidence that reaches ``target`` precision."""
    fitted = fit_calibrated(
        matrix, labels, c=c, folds=folds, tick=tick, name="emotion", balanced=balanced, given=given
    )
    classes = fitted.head.classes
    if ANGER not in classes:
        return _with_threshold(fitted, 1.0)
    anger = classes.index(ANGER)
    said = fitted.validation.argmax(axis=1) == anger
    truth = np.asarray(labels)[said] == ANGER
    return _with_threshold(
        fitted, precision_threshold(fitted.validation[said, anger], truth, target)
    )


def fit_language(
    matrix: Matrix,
    labels: Sequence[str],
    *,
    c: float,
    folds: int,
    target: float,
    tick: Tick,
    balanced: bool = True,
    given: OutOfFold | None = None,
) -> FittedHead:
    """Language head, consulted when function words are inconclusive; precise or silent."""
    fitted = fit_calibrated(
        matrix, labels, c=c, folds=folds, tick=tick, name="language", balanced=balanced, given=given
    )
    truth = np.searchsorted(fitted.head.classes, labels)
    correct = fitted.validation.argmax(axis=1) == truth
    threshold = precision_threshold(fitted.validation.max(axis=1), correct, target)
    return _with_threshold(fitted, threshold)


def fit_intensity(
    emotion: FittedHead, cue_rows: FloatArray, targets: Sequence[float], *, alpha: float, tick: Tick
) -> tuple[IntensityHead, NDArray[np.float64]]:
    """Intensity from validation emotion probabilities and cues, and its validation output."""
    head = fit_intensity_head(
        emotion.validation, cue_rows, np.asarray(targets, dtype=np.float64), alpha=alpha
    )
    tick("intensity")
    return head, head.predict(emotion.validation, cue_rows).astype(np.float64)


def _with_threshold(fitted: FittedHead, threshold: float) -> FittedHead:
    return FittedHead(fitted.head, threshold, fitted.folds, fitted.validation, fitted.extra)


def _fitter(
    c: float, balanced: bool, tick: Tick, name: str
) -> Callable[[Matrix, Sequence[str]], LinearHead]:
    def fit(features: Matrix, labels: Sequence[str]) -> LinearHead:
        head = fit_linear_head(features, labels, c=c, balanced=balanced)
        tick(f"{name}: validation fold")
        return head

    return fit
