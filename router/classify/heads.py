"""Linear heads on the shared features: class scores, probabilities, and a regression.

A head is plain arrays (no estimator object) so that scoring one message is a sparse-dense
product and the artifact holds no code. scikit-learn only fits the weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from router.classify.features import SparseRow

Matrix: TypeAlias = sparse.csr_matrix  # scipy is untyped: documents intent for readers
FloatArray: TypeAlias = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class LinearHead:
    """Scores ``x @ weights + bias``; probabilities are a softmax at a fitted temperature."""

    classes: tuple[str, ...]
    weights: FloatArray  # (n_features, n_classes)
    bias: FloatArray  # (n_classes,)
    temperature: float = 1.0

    def scores(self, features: Matrix | SparseRow) -> FloatArray:
        return np.asarray(features.dot(self.weights)) + self.bias

    def probabilities(self, features: Matrix | SparseRow) -> FloatArray:
        return softmax(self.scores(features) * np.float32(self.temperature))

    def with_temperature(self, temperature: float) -> LinearHead:
        return replace(self, temperature=temperature)


def softmax(scores: FloatArray) -> FloatArray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: FloatArray = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def fit_linear_head(
    features: Matrix, labels: Sequence[str], *, c: float = 0.5, balanced: bool = True
) -> LinearHead:
    """One-vs-rest linear SVM: the most accurate linear model here for its training time.

    ``balanced`` (class weights) because intents are rarely as frequent in training data as
    in the traffic that matters, and a rare intent misrouted is as bad as a frequent one;
    the plain baseline fits without it, as scikit-learn's defaults do.
    """
    from sklearn.svm import LinearSVC  # on first use: ~65 MB per process

    weights = "balanced" if balanced else None
    model = LinearSVC(C=c, class_weight=weights, max_iter=5000, random_state=0)
    model.fit(features, np.asarray(labels))
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if coef.shape[0] == 1:
        # Two classes give one hyperplane: class 0 scores 0, class 1 the signed distance.
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([np.zeros(1, dtype=np.float32), intercept])
    classes = tuple(str(label) for label in model.classes_)
    return LinearHead(classes, np.ascontiguousarray(coef.T), intercept)


@dataclass(frozen=True, slots=True)
class IntensityHead:
    """Intensity in [0, 1] from the emotion probabilities and the surface cues.

    Emotion already says most of it (anger is intense, neutral is not); the cues add what
    the words miss (capitals, "!!!", emoji). A dozen weights cannot overfit a few thousand
    rows, and they are fitted on out-of-fold probabilities, as the runtime will see them.
    """

    emotion_weights: FloatArray  # (n_emotions,), in the emotion head's class order
    cue_weights: FloatArray  # (n_cues,)
    bias: float

    def predict(self, emotions: FloatArray, cues: FloatArray) -> FloatArray:
        raw = emotions @ self.emotion_weights + cues @ self.cue_weights + self.bias
        clipped: FloatArray = np.clip(raw, 0.0, 1.0).astype(np.float32)
        return clipped


def fit_intensity_head(
    emotions: FloatArray, cues: FloatArray, targets: NDArray[np.float64], *, alpha: float
) -> IntensityHead:
    from sklearn.linear_model import Ridge  # on first use: ~65 MB per process

    model = Ridge(alpha=alpha)
    model.fit(np.hstack([emotions, cues]), targets)
    coef = np.asarray(model.coef_, dtype=np.float32)
    split = emotions.shape[1]
    return IntensityHead(coef[:split].copy(), coef[split:].copy(), float(model.intercept_))
