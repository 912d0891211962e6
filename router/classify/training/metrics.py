"""Evaluation figures stored with every model: what ``compare`` and the report read.

Plain data (floats, ints, strings) so they serialise as JSON next to the weights and can be
shown without loading the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class ClassFigures:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Accuracy, macro-F1 and per-class figures; ``confusion[true][predicted]`` in label order.

    Macro-F1 averages the labels that occur in the truth, so an ``unknown`` column (never a
    true label) shows in the confusion matrix without dragging the average.
    """

    labels: tuple[str, ...]
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassFigures]
    confusion: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        return cls(
            labels=tuple(data["labels"]),
            accuracy=float(data["accuracy"]),
            macro_f1=float(data["macro_f1"]),
            per_class={k: ClassFigures(**v) for k, v in data["per_class"].items()},
            confusion=tuple(tuple(int(c) for c in row) for row in data["confusion"]),
        )


def evaluate_labels(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = ()
) -> Evaluation:
    """Figures over ``labels`` in that order, then any other label seen in the data."""
    names = list(labels)
    names += sorted((set(truth) | set(predicted)) - set(names))
    if not truth:
        empty = ClassFigures(0.0, 0.0, 0.0, 0)
        zeros = tuple(tuple(0 for _ in names) for _ in names)
        return Evaluation(tuple(names), 0.0, 0.0, dict.fromkeys(names, empty), zeros)
    # Imported on first use: sklearn costs a serving process about 65 MB.
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=names, zero_division=0
    )
    matrix = confusion_matrix(truth, predicted, labels=names)
    present = [i for i, name in enumerate(names) if support[i] > 0]
    return Evaluation(
        labels=tuple(names),
        accuracy=float(np.mean(np.asarray(truth) == np.asarray(predicted))),
        macro_f1=float(np.mean(f1[present])) if present else 0.0,
        per_class={
            name: ClassFigures(
                round(float(precision[i]), 4),
                round(float(recall[i]), 4),
                round(float(f1[i]), 4),
                int(support[i]),
            )
            for i, name in enumerate(names)
        },
        confusion=tuple(tuple(int(c) for c in row) for row in matrix),
    )


@dataclass(frozen=True, slots=True)
class ModelMetrics:
    """What a trained model is worth, and on which data that was measured.

    ``evaluated_on`` is the hash of the held-out rows (or ``cross-validation``): two models
    are comparable only when it is the same.
    """

    evaluated_on: str
    intent: Evaluation
    intent_coverage: float  # share of messages given a known intent at the chosen threshold
    intent_accuracy_when_known: float
    emotion: Evaluation | None = None  # None for an intent-only model (``evaluate``)
    anger_precision: float | None = None
    intensity_mae: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelMetrics:
        return cls(
            evaluated_on=str(data["evaluated_on"]),
            intent=Evaluation.from_dict(data["intent"]),
            intent_coverage=float(data["intent_coverage"]),
            intent_accuracy_when_known=float(data["intent_accuracy_when_known"]),
            emotion=Evaluation.from_dict(data["emotion"]) if data.get("emotion") else None,
            anger_precision=_optional(data.get("anger_precision")),
            intensity_mae=_optional(data.get("intensity_mae")),
        )


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)
