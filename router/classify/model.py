"""A trained classifier: fitted features, heads, decision thresholds, and their provenance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from router.classify.features import FeatureSpace
from router.classify.heads import IntensityHead, LinearHead
from router.classify.training.metrics import ModelMetrics

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Model:
    """Everything ``Classifier`` needs: arrays, class names and thresholds, no estimators.

    ``emotion`` and ``intensity`` are None for an intent-only model (the generic trainer);
    empty ``languages`` means the model makes no claim about languages.
    """

    features: FeatureSpace
    intent: LinearHead
    intent_threshold: float
    emotion: LinearHead | None = None
    anger_threshold: float = 1.0
    intensity: IntensityHead | None = None
    language: LinearHead | None = None  # consulted when function words are inconclusive
    language_threshold: float = 1.0
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Metadata:
    """Where a model comes from, stored beside it and readable without decoding the weights.

    ``data_sha256`` hashes the training rows in order, so a retrain on the same data can be
    recognised; ``sklearn_version`` is the library that fitted the weights; ``selection``
    is plain JSON: the configuration cross-validation chose, its score and the baseline's
    (None in models trained before model selection existed).
    """

    version: str
    created_at: str
    data_sha256: str
    sklearn_version: str
    training_rows: int
    calibration: str  # how thresholds were chosen, e.g. "5-fold out-of-fold validation"
    metrics: ModelMetrics
    format: int = FORMAT_VERSION
    selection: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ClassifierArtifact:
    """A model and its metadata: the unit that is serialised, stored and promoted."""

    model: Model
    metadata: Metadata
