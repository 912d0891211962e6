"""One head trained alone on any labelled file, for ``classifier evaluate --task``.

The intent is the generic trainer's job (``fit_text``). Emotion and language are fitted
here exactly as in the shipped model (same features chosen by cross-validation, same
calibrated head, same precision-biased threshold) so their figures on outside data say how
the served heads behave: the anger threshold in particular, which trades recall for the
precision that keeps supervisors from being paged for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from router.classify.features import FeatureSpace
from router.classify.heads import LinearHead
from router.classify.training.fitting import fit_emotion, fit_language
from router.classify.training.selection import Selection
from router.classify.training.train import (
    LAST_STEP,
    Progress,
    TrainingSettings,
    fit_view,
    require_two_labels,
    select_features,
    ticker,
)

Task = Literal["intent", "emotion", "language"]


@dataclass(frozen=True, slots=True)
class TaskTraining:
    """A calibrated head with its decision threshold, and the baseline beside it.

    ``threshold`` is the anger threshold for emotion and the confidence below which the
    language head stays silent for language.
    """

    space: FeatureSpace
    head: LinearHead
    threshold: float
    baseline_space: FeatureSpace
    baseline: LinearHead
    selection: Selection


def fit_task(
    texts: Sequence[str],
    labels: Sequence[str],
    task: Literal["emotion", "language"],
    *,
    progress: Progress | None = None,
    settings: TrainingSettings | None = None,
) -> TaskTraining:
    options = settings or TrainingSettings()
    require_two_labels(labels)
    tick = ticker(progress, 3 + options.folds_for(len(labels)))
    selection = select_features(texts, labels, (), options, tick)
    chosen, base = selection.chosen, selection.baseline
    fit = fit_emotion if task == "emotion" else fit_language
    target = options.anger_precision if task == "emotion" else options.language_precision
    fitted = fit(
        chosen.matrix, labels, c=chosen.candidate.c, balanced=chosen.candidate.balanced,
        folds=options.folds, target=target, tick=tick, given=selection.out_of_fold,
    )  # fmt: skip
    baseline = fitted.head if base is chosen else fit_view(base, labels)
    tick(LAST_STEP)
    return TaskTraining(
        chosen.space, fitted.head, fitted.threshold, base.space, baseline, selection
    )
