"""Training entry points: the shipped multi-head model and the generic intent-only model.

Both return a ``ClassifierArtifact`` whose metadata records the version, the training-data
hash, the scikit-learn version and the evaluation figures (held-out when given, otherwise
out-of-fold validation). No I/O: callers pass rows and store the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from router.classify.errors import DatasetError
from router.classify.features import FeatureSpace
from router.classify.heads import LinearHead, fit_linear_head
from router.classify.labels import UNKNOWN
from router.classify.model import ClassifierArtifact, Metadata, Model
from router.classify.surface import cues
from router.classify.training.assess import assess, assess_validation
from router.classify.training.dataset import Example, examples_sha256, rows_sha256
from router.classify.training.fitting import fit_emotion, fit_intensity, fit_intent, fit_language
from router.classify.training.metrics import ModelMetrics
from router.classify.training.selection import (
    CANDIDATES,
    WIDEST,
    Candidate,
    Selection,
    View,
    select,
    views,
)

LAST_STEP = "evaluation"
Progress = Callable[[str, float], None]
"""Called with a step description and the fraction done (0..1), e.g. for a progress bar."""


UNTOLD_LANGUAGES = frozenset({"und", "other"})


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """Validation and decision settings; features and SVM cost are chosen per training file
    by cross-validation among ``candidates`` (see ``selection``)."""

    folds: int = 5
    large_rows: int = 5000  # from this many training rows, ``large_folds`` are enough
    large_folds: int = 3  # a third of a large file validates as well, at half the fits
    misroute_cost: float = 1.0  # a wrong intent costs as much as a right one gains
    anger_precision: float = 0.95  # validation target, above the 0.90 promised on held-out
    language_precision: float = 0.97
    intensity_alpha: float = 1.0
    candidates: tuple[Candidate, ...] = CANDIDATES
    stack_min_rows: int = 5000  # below, stacked candidates are not tried (see ``eligible``)
    jobs: int = 2  # parallel fits (threads): this machine's cores

    def folds_for(self, rows: int) -> int:
        return self.large_folds if rows >= self.large_rows else self.folds

    def eligible(self, rows: int) -> tuple[Candidate, ...]:
        """The candidates worth cross-validating on this many rows. A stacked candidate
        fits four SVMs per fold and a combiner on their out-of-fold scores: on the shipped
        2,000 rows it never won (the combiner has too little to learn from) and made the
        first start's training 11.4 s of CPU instead of 7.6 s."""
        if rows >= self.stack_min_rows:
            return self.candidates
        return tuple(c for c in self.candidates if not c.stacked)


@dataclass(frozen=True, slots=True)
class TextTraining:
    """A trained intent-only model and the baseline fitted beside it, for reports."""

    artifact: ClassifierArtifact
    baseline: Model
    selection: Selection


def train(
    examples: Sequence[Example],
    *,
    heldout: Sequence[Example] = (),
    progress: Progress | None = None,
    version: str | None = None,
    settings: TrainingSettings | None = None,
) -> ClassifierArtifact:
    """Intent, emotion (anger biased to precision) and intensity heads on shared features.

    The features are those cross-validation chose for the intent; emotion and language are
    fitted on the same features, as they are served from one transform.
    """
    options = settings or TrainingSettings()
    require_two_labels([e.intent for e in examples])
    tick = ticker(progress, 6 + 3 * options.folds)
    texts = [e.text for e in examples]
    intents, emotions = [e.intent for e in examples], [e.emotion for e in examples]
    selection = select_features(texts, intents, (), options, tick)
    chosen = selection.chosen
    matrix, c, balanced = chosen.matrix, chosen.candidate.c, chosen.candidate.balanced
    intent = fit_intent(
        matrix, intents, c=c, balanced=balanced, folds=options.folds,
        misroute_cost=options.misroute_cost, tick=tick, given=selection.out_of_fold,
    )  # fmt: skip
    emotion = fit_emotion(
        matrix, emotions, c=c, balanced=balanced, folds=options.folds,
        target=options.anger_precision, tick=tick,
    )  # fmt: skip
    # Rows of no known language (a correction of a reading without one: "und"; one the
    # detector put outside French and English: "other") never train the language head,
    # or it would learn them as languages to answer with.
    told = [i for i, e in enumerate(examples) if e.lang not in UNTOLD_LANGUAGES]
    language = fit_language(
        matrix[told], [examples[i].lang for i in told], c=c, balanced=balanced,
        folds=options.folds, target=options.language_precision, tick=tick,
    )  # fmt: skip
    intensity, intensity_validation = fit_intensity(
        emotion, np.stack([cues(t) for t in texts]), [e.intensity for e in examples],
        alpha=options.intensity_alpha, tick=tick,
    )  # fmt: skip
    model = Model(
        features=chosen.space,
        intent=intent.head,
        intent_threshold=intent.threshold,
        emotion=emotion.head,
        anger_threshold=emotion.threshold,
        intensity=intensity,
        language=language.head,
        language_threshold=language.threshold,
        languages=language.head.classes,
    )
    if heldout:
        metrics = assess(model, heldout)
    else:
        metrics = assess_validation(
            model, intents, intent.validation, emotions, emotion.validation,
            [e.intensity for e in examples], intensity_validation,
        )  # fmt: skip
    tick(LAST_STEP)
    data_hash = examples_sha256(examples)
    meta = _metadata(data_hash, len(examples), intent.folds, version, metrics, selection)
    return ClassifierArtifact(model, meta)


def train_text(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    progress: Progress | None = None,
    version: str | None = None,
    settings: TrainingSettings | None = None,
) -> ClassifierArtifact:
    """Intent-only model for any labelled data; rows labelled ``unknown`` never train but
    validate the threshold as examples that must be refused (out-of-scope messages)."""
    return fit_text(texts, labels, progress=progress, version=version, settings=settings).artifact


def fit_text(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    progress: Progress | None = None,
    version: str | None = None,
    settings: TrainingSettings | None = None,
) -> TextTraining:
    """``train_text`` that also returns the baseline (refit on every row) and the trials."""
    options = settings or TrainingSettings()
    known = [i for i, label in enumerate(labels) if label != UNKNOWN]
    refused = [i for i, label in enumerate(labels) if label == UNKNOWN]
    known_labels = [labels[i] for i in known]
    require_two_labels(known_labels)
    tick = ticker(progress, 3 + options.folds_for(len(known)))
    selection = select_features(
        [texts[i] for i in known], known_labels, [texts[i] for i in refused], options, tick
    )
    chosen, base = selection.chosen, selection.baseline
    with ThreadPoolExecutor(1) as pool:  # the baseline fits beside the model (GIL released)
        pending = pool.submit(fit_view, base, known_labels) if base is not chosen else None
        intent = fit_intent(
            chosen.matrix, known_labels, c=chosen.candidate.c, balanced=chosen.candidate.balanced,
            folds=options.folds, misroute_cost=options.misroute_cost, tick=tick,
            unknown=chosen.extra, given=selection.out_of_fold,
        )  # fmt: skip
        baseline_head = pending.result() if pending is not None else intent.head
    model = Model(features=chosen.space, intent=intent.head, intent_threshold=intent.threshold)
    metrics = assess_validation(model, known_labels, intent.validation)
    tick(LAST_STEP)
    rows = list(zip(texts, labels, strict=True))
    meta = _metadata(rows_sha256(rows), len(rows), intent.folds, version, metrics, selection)
    reference = Model(features=base.space, intent=baseline_head, intent_threshold=0.0)
    return TextTraining(ClassifierArtifact(model, meta), reference, selection)


def fit_view(view: View, labels: Sequence[str]) -> LinearHead:
    """A candidate's head on all its rows (no calibration: reports use its best class)."""
    candidate = view.candidate
    return fit_linear_head(view.matrix, labels, c=candidate.c, balanced=candidate.balanced)


def select_features(
    texts: Sequence[str],
    labels: Sequence[str],
    refused: Sequence[str],
    options: TrainingSettings,
    tick: Callable[[str], None],
) -> Selection:
    """Transform once in the widest space, then cross-validate every candidate on slices."""
    space = FeatureSpace.fit(texts, blocks=WIDEST)
    matrix = space.transform(texts)
    extra = space.transform(refused) if refused else None
    tick("features")
    candidates = views(space, matrix, extra, options.eligible(len(labels)))
    folds = options.folds_for(len(labels))
    return select(candidates, labels, folds=folds, tick=tick, jobs=options.jobs)


def require_two_labels(labels: Sequence[str]) -> None:
    if len(set(labels)) < 2:
        raise DatasetError("training needs at least two different labels", field="label")


def ticker(progress: Progress | None, total: int) -> Callable[[str], None]:
    done = 0

    def tick(step: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            # Fewer folds than planned (rare classes) end early: the last step says 1.0.
            progress(step, 1.0 if step == LAST_STEP else min(1.0, done / total))

    return tick


def _metadata(
    data_hash: str,
    rows: int,
    folds: int,
    version: str | None,
    metrics: ModelMetrics,
    selection: Selection,
) -> Metadata:
    from sklearn import __version__ as sklearn_version  # on first use: ~65 MB per process

    now = datetime.now(UTC)
    return Metadata(
        version=version or f"{now:%Y%m%dT%H%M%SZ}-{data_hash[:8]}",
        created_at=now.isoformat(timespec="seconds"),
        data_sha256=data_hash,
        sklearn_version=sklearn_version,
        training_rows=rows,
        calibration=f"{folds}-fold out-of-fold validation" if folds >= 2 else "none (too few rows)",
        metrics=metrics,
        selection=selection.describe(),
    )
