"""``classifier evaluate --task emotion|language``: one head trained and tested on files.

Emotion figures are those of the served decision (``decide_emotion``): anger only above its
precision-biased threshold, otherwise the runner-up. The anger figures are also given at the
plain best class, so the cost of the threshold in recall is visible next to its gain.
Language figures are the head's alone (the function-word detector is not involved): below
its threshold it names no language.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from router.classify.heads import FloatArray, LinearHead
from router.classify.labels import ANGER, UNKNOWN
from router.classify.runtime import decide_emotion
from router.classify.training.metrics import Evaluation, evaluate_labels
from router.classify.training.tasks import fit_task
from router.classify.training.train import Progress, TrainingSettings

Rows = tuple[Sequence[str], Sequence[str]]


def run_task_evaluation(
    train: Rows,
    test: Rows,
    task: Literal["emotion", "language"],
    *,
    settings: TrainingSettings | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train ``task``'s head on ``train``, report on ``test``: one JSON-ready dict."""
    started, started_cpu = time.perf_counter(), time.process_time()
    trained = fit_task(*train, task, settings=settings, progress=progress)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    texts, labels = test
    probabilities = trained.head.probabilities(trained.space.transform(texts))
    best = _best(trained.head, probabilities)
    baseline = _best(
        trained.baseline, trained.baseline.scores(trained.baseline_space.transform(texts))
    )
    if task == "emotion":
        said = [
            decide_emotion(row, trained.head.classes, trained.threshold) for row in probabilities
        ]
        decision = _emotion_figures(labels, said, best, trained.threshold, trained.head.classes)
    else:
        decision = _language_figures(labels, best, probabilities, trained.threshold)
    closed = evaluate_labels(labels, best, trained.head.classes)
    reference = evaluate_labels(labels, baseline, trained.baseline.classes)
    return {
        "task": task,
        "train_rows": len(train[0]),
        "test_rows": len(texts),
        **decision,
        "baseline": {
            "accuracy": round(reference.accuracy, 4),
            "macro_f1": round(reference.macro_f1, 4),
        },
        "best_class": {
            "accuracy": round(closed.accuracy, 4),
            "macro_f1": round(closed.macro_f1, 4),
        },
        "model_selection": trained.selection.describe(),
        "train_seconds": round(seconds, 2),
        "train_cpu_seconds": round(cpu, 2),
    }


def _best(head: LinearHead, scores: FloatArray) -> list[str]:
    return [head.classes[i] for i in np.asarray(scores).argmax(axis=1)]


def _emotion_figures(
    labels: Sequence[str],
    said: list[str],
    best: list[str],
    threshold: float,
    classes: Sequence[str],
) -> dict[str, Any]:
    """The served decision's figures, anger's with and without its threshold."""
    decided = evaluate_labels(labels, said, classes)
    plain = evaluate_labels(labels, best, classes)
    return {
        **_summary(decided),
        "anger": None
        if ANGER not in classes
        else {
            "threshold": round(threshold, 4),
            **_class(decided, ANGER),
            "at_best_class": _class(plain, ANGER),
        },
    }


def _language_figures(
    labels: Sequence[str], best: list[str], probabilities: FloatArray, threshold: float
) -> dict[str, Any]:
    """The head's decision: a language above its threshold, ``unknown`` below."""
    confident = probabilities.max(axis=1) >= threshold
    said = [lang if ok else UNKNOWN for lang, ok in zip(best, confident, strict=True)]
    right = np.asarray(said) == np.asarray(labels)
    return {
        **_summary(evaluate_labels(labels, said)),
        "threshold": round(threshold, 4),
        "coverage": round(float(confident.mean()), 4) if len(said) else None,
        "accuracy_when_known": round(float(right[confident].mean()), 4)
        if confident.any()
        else None,
    }


def _summary(figures: Evaluation) -> dict[str, Any]:
    return {
        "accuracy": round(figures.accuracy, 4),
        "macro_f1": round(figures.macro_f1, 4),
        "per_class": {label: _class(figures, label) for label in figures.labels},
    }


def _class(figures: Evaluation, label: str) -> dict[str, float | int]:
    found = figures.per_class[label]
    return {
        "precision": found.precision,
        "recall": found.recall,
        "f1": found.f1,
        "support": found.support,
    }
