"""Figures for a freshly trained model: on held-out rows, or on its validation predictions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from router.classify.heads import FloatArray
from router.classify.labels import ANGER, UNKNOWN
from router.classify.model import Model
from router.classify.runtime import Classifier, decide_emotion
from router.classify.training.dataset import Example, examples_sha256
from router.classify.training.metrics import ClassFigures, ModelMetrics, evaluate_labels


def assess(model: Model, heldout: Sequence[Example]) -> ModelMetrics:
    """Held-out figures through the real ``Classifier`` path, guards and thresholds included."""
    results = Classifier(model).classify_many([e.text for e in heldout])
    top = [r.alternatives[0][0] if r.alternatives else UNKNOWN for r in results]
    known = np.array([r.intent != UNKNOWN for r in results])
    emotion = evaluate_labels([e.emotion for e in heldout], [r.emotion for r in results])
    return ModelMetrics(
        evaluated_on=f"held-out sha256:{examples_sha256(heldout)}",
        intent=evaluate_labels([e.intent for e in heldout], top, model.intent.classes),
        intent_coverage=float(known.mean()),
        intent_accuracy_when_known=_accuracy([e.intent for e in heldout], top, known),
        emotion=emotion,
        anger_precision=_precision(emotion.per_class, ANGER),
        intensity_mae=_mae([e.intensity for e in heldout], [r.emotion_intensity for r in results]),
    )


def assess_validation(
    model: Model,
    intents: Sequence[str],
    intent_validation: FloatArray,
    emotions: Sequence[str] = (),
    emotion_validation: FloatArray | None = None,
    intensities: Sequence[float] = (),
    intensity_validation: NDArray[np.float64] | None = None,
) -> ModelMetrics:
    """Figures from out-of-fold probabilities, with the same thresholds the runtime applies."""
    classes = model.intent.classes
    top = [classes[i] for i in intent_validation.argmax(axis=1)]
    known = intent_validation.max(axis=1) >= model.intent_threshold
    metrics = ModelMetrics(
        evaluated_on="cross-validation",
        intent=evaluate_labels(intents, top, classes),
        intent_coverage=float(known.mean()),
        intent_accuracy_when_known=_accuracy(intents, top, known),
    )
    if model.emotion is None or emotion_validation is None or intensity_validation is None:
        return metrics
    emotion_classes = model.emotion.classes
    said = [
        decide_emotion(row, emotion_classes, model.anger_threshold) for row in emotion_validation
    ]
    emotion = evaluate_labels(emotions, said, emotion_classes)
    return replace(
        metrics,
        emotion=emotion,
        anger_precision=_precision(emotion.per_class, ANGER),
        intensity_mae=_mae(intensities, list(intensity_validation)),
    )


def _accuracy(truth: Sequence[str], top: Sequence[str], known: NDArray[np.bool_]) -> float:
    if not known.any():
        return 0.0
    return float(np.mean(np.asarray(truth)[known] == np.asarray(top)[known]))


def _precision(per_class: Mapping[str, ClassFigures], label: str) -> float:
    figures = per_class.get(label)
    return figures.precision if figures else 0.0


def _mae(truth: Sequence[float], predicted: Sequence[float]) -> float:
    if not truth:
        return 0.0
    return round(float(np.mean(np.abs(np.asarray(truth) - np.asarray(predicted)))), 4)
