"""Turning scores into decisions with numbers chosen on validation data, never guessed.

Validation here is out-of-fold: every training row is scored by a model that did not see
it (stratified k-fold), so thresholds are picked on data the final model's twins never
trained on, and the held-out files stay untouched for the final figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from router.classify.heads import FloatArray, LinearHead, Matrix, softmax

FitHead = Callable[[Matrix, Sequence[str]], LinearHead]
NEVER = 1.0 + 1e-6
"""A threshold no probability reaches: the decision is never taken."""


def fold_count(labels: Sequence[str], wanted: int) -> int:
    """Folds stratification can honour: no more than the rarest class has examples."""
    counts = np.unique(np.asarray(labels), return_counts=True)[1]
    return int(min(wanted, counts.min())) if len(counts) > 1 else 0


def out_of_fold_scores(
    features: Matrix,
    labels: Sequence[str],
    classes: Sequence[str],
    fit: FitHead,
    *,
    folds: int,
    seed: int = 0,
    extra: Matrix | None = None,
) -> tuple[FloatArray, FloatArray | None]:
    """Scores of each row by a model trained without it, columns in ``classes`` order.

    ``extra`` rows (examples of no known class, e.g. out-of-scope messages) never train; each
    fold's model scores its share of them, so they validate the unknown threshold too.
    """
    from sklearn.model_selection import StratifiedKFold  # on first use: ~65 MB per process

    label_array = np.asarray(labels)
    scores = np.zeros((features.shape[0], len(classes)), dtype=np.float32)
    extra_scores = None if extra is None else np.zeros((extra.shape[0], len(classes)), np.float32)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train, valid) in enumerate(splitter.split(np.zeros(len(label_array)), label_array)):
        head = fit(features[train], list(label_array[train]))
        order = [head.classes.index(name) for name in classes]
        scores[valid] = head.scores(features[valid])[:, order]
        if extra is not None and extra_scores is not None:
            share = np.arange(fold, extra.shape[0], folds)
            extra_scores[share] = head.scores(extra[share])[:, order]
    return scores, extra_scores


def fit_temperature(scores: FloatArray, truth: NDArray[np.int64]) -> float:
    """The softmax scale that minimises validation log-loss (temperature scaling)."""
    from scipy.optimize import minimize_scalar  # training only: +28 MB in a serving process

    def loss(log_temperature: float) -> float:
        probabilities = softmax(scores * np.float32(np.exp(log_temperature)))
        picked = probabilities[np.arange(len(truth)), truth]
        return float(-np.log(np.maximum(picked, 1e-12)).mean())

    result = minimize_scalar(loss, bounds=(-4.0, 6.0), method="bounded")
    return float(np.exp(result.x))


def utility_threshold(confidence: FloatArray, correct: NDArray[np.bool_], cost: float) -> float:
    """Confidence above which naming an intent pays: +1 when right, ``-cost`` when wrong.

    Rejected messages score 0 (a generalist handles them). The threshold sits halfway
    between the last accepted and the first rejected validation confidence.
    """
    return _best_prefix_threshold(confidence, np.where(correct, 1.0, -cost))


def precision_threshold(
    confidence: FloatArray, positive: NDArray[np.bool_], target: float
) -> float:
    """Lowest confidence whose accepted set still reaches ``target`` precision on validation.

    Returns ``NEVER`` when no prefix is precise enough (or nothing was predicted at all).
    """
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(positive[order])
    precision = hits / np.arange(1, len(order) + 1)
    good = np.flatnonzero(precision >= target)
    if len(good) == 0:
        return NEVER
    return _between(confidence[order], int(good[-1]))


def _best_prefix_threshold(confidence: FloatArray, gains: NDArray[np.float64]) -> float:
    order = np.argsort(-confidence, kind="stable")
    cumulative = np.cumsum(gains[order])
    best = int(np.argmax(cumulative)) if len(cumulative) else -1
    if best < 0 or cumulative[best] <= 0.0:
        return NEVER
    return _between(confidence[order], best)


def _between(descending: FloatArray, last_accepted: int) -> float:
    if last_accepted + 1 >= len(descending):
        return float(descending[last_accepted])
    return float((descending[last_accepted] + descending[last_accepted + 1]) / 2.0)
