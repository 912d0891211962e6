"""Stacking: one SVM per feature block and one on all blocks, combined by a logistic
regression fitted on their out-of-fold scores, then folded into a single linear head.

Why: each block sees a different side of a message (phrasing, topic pairs, spelling), and
a combiner that reads all their class scores learns which block to trust for which pair of
neighbouring intents, which one SVM over the concatenated blocks cannot. Every part is
linear in the same features and so is the combiner, so the whole is one weight matrix:
serving costs what a single head costs and the artifact format does not change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from router.classify.features import FeatureSpace
from router.classify.heads import FloatArray, LinearHead, Matrix, fit_linear_head

META_C = 0.1
"""The combiner's regularisation: its inputs are already validated scores, few to learn."""

Parts = list[NDArray[np.int64]]


def parts(space: FeatureSpace) -> Parts:
    """Column ranges: each non-empty block alone (L2-normalised on its own), then all."""
    edges = np.cumsum([0] + [len(block.vocabulary) for block in space.blocks])
    ranges = [np.arange(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
    return [*ranges, np.arange(space.n_features)] if len(ranges) > 1 else ranges


def fit_parts(
    matrix: Matrix, labels: Sequence[str], columns: Parts, *, c: float, balanced: bool
) -> list[LinearHead]:
    return [fit_linear_head(matrix[:, part], labels, c=c, balanced=balanced) for part in columns]


def part_scores(
    heads: Sequence[LinearHead], matrix: Matrix, columns: Parts, classes: Sequence[str]
) -> FloatArray:
    """Every part's class scores side by side, each in ``classes`` order."""
    blocks = []
    for head, part in zip(heads, columns, strict=True):
        order = [head.classes.index(name) for name in classes]
        blocks.append(head.scores(matrix[:, part])[:, order])
    return np.hstack(blocks).astype(np.float32)


def fit_combiner(
    scores: FloatArray, labels: Sequence[str]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Weights (parts x classes, classes) and bias of the combiner, classes sorted."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    model = LogisticRegression(C=META_C, max_iter=300)
    with threadpool_limits(1):  # small dense maths: BLAS threads only spin on a busy machine
        model.fit(scores, np.asarray(labels))
    coef, intercept = np.asarray(model.coef_), np.asarray(model.intercept_)
    if coef.shape[0] == 1:  # two classes: one score for the second, zero for the first
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.r_[0.0, intercept]
    return coef.T.astype(np.float32), intercept.astype(np.float32)


def combiner_out_of_fold(scores: FloatArray, labels: Sequence[str], folds: int) -> FloatArray:
    """The combiner's own out-of-fold scores (its inputs are out-of-fold already)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=1)
    with threadpool_limits(1):
        predicted = cross_val_predict(
            LogisticRegression(C=META_C, max_iter=300),
            scores,
            np.asarray(labels),
            cv=splitter,
            method="decision_function",
        )
    out = np.asarray(predicted, dtype=np.float32)
    return np.column_stack([np.zeros_like(out), out]) if out.ndim == 1 else out


def fold(
    heads: Sequence[LinearHead],
    columns: Parts,
    weights: NDArray[np.float32],
    bias: NDArray[np.float32],
    n_features: int,
    classes: Sequence[str],
) -> LinearHead:
    """The parts and the combiner as one ``x @ W + b`` over the shared features."""
    total = np.zeros((n_features, len(classes)), dtype=np.float32)
    offset = bias.astype(np.float32).copy()
    width = len(classes)
    for index, (head, part) in enumerate(zip(heads, columns, strict=True)):
        order = [head.classes.index(name) for name in classes]
        mix = weights[index * width : (index + 1) * width]
        total[part] += head.weights[:, order] @ mix
        offset += head.bias[order] @ mix
    return LinearHead(tuple(classes), np.ascontiguousarray(total), offset)
