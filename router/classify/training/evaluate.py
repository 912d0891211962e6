"""The generic trainer's report: quality on a test set and speed of the real classify path.

Test rows labelled ``unknown`` are out-of-scope examples: they measure how often the
threshold refuses what the model was never taught, next to in-scope accuracy.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from router.classify.features import FeatureSpace
from router.classify.labels import UNKNOWN
from router.classify.model import ClassifierArtifact, Model
from router.classify.runtime import Classification, Classifier
from router.classify.training.metrics import evaluate_labels
from router.classify.training.train import Progress, TrainingSettings, fit_text

BATCH = 1000
SINGLE_SAMPLES = 2000


def run_evaluation(
    train: tuple[Sequence[str], Sequence[str]],
    test: tuple[Sequence[str], Sequence[str]],
    *,
    settings: TrainingSettings | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train on ``train`` (texts, labels), report on ``test``: one JSON-ready dict."""
    started, started_cpu = time.perf_counter(), time.process_time()
    trained = fit_text(*train, settings=settings, progress=progress)
    return report(
        trained.artifact,
        test,
        train_seconds=time.perf_counter() - started,
        train_cpu_seconds=time.process_time() - started_cpu,
        baseline=trained.baseline,
    )


def report(
    trained: ClassifierArtifact,
    test: tuple[Sequence[str], Sequence[str]],
    *,
    train_seconds: float,
    train_cpu_seconds: float | None = None,
    baseline: Model | None = None,
) -> dict[str, Any]:
    """Test figures of the model, then of the baseline on the same rows (closed set)."""
    classifier = Classifier.from_artifact(trained)
    texts, labels = test
    results = classifier.classify_many(texts)
    return {
        "train_rows": trained.metadata.training_rows,
        "test_rows": len(texts),
        **_quality(results, labels, trained.model.intent.classes),
        "baseline": None if baseline is None else baseline_figures(baseline, texts, labels),
        "model_selection": trained.metadata.selection,
        "unknown_threshold": round(trained.model.intent_threshold, 4),
        "train_seconds": round(train_seconds, 2),
        # CPU time of the whole process (every thread): what training costs on a busy machine.
        "train_cpu_seconds": None if train_cpu_seconds is None else round(train_cpu_seconds, 2),
        **_speed(trained.model, texts),
    }


def baseline_figures(
    baseline: Model, texts: Sequence[str], labels: Sequence[str]
) -> dict[str, float]:
    """Accuracy and macro-F1 of the baseline's best class on the in-scope test rows."""
    scope = [i for i, label in enumerate(labels) if label != UNKNOWN]
    if not scope:
        return {"accuracy": 0.0, "macro_f1": 0.0}
    scores = baseline.intent.scores(baseline.features.transform([texts[i] for i in scope]))
    top = [baseline.intent.classes[i] for i in np.asarray(scores).argmax(axis=1)]
    figures = evaluate_labels([labels[i] for i in scope], top, baseline.intent.classes)
    return {"accuracy": round(figures.accuracy, 4), "macro_f1": round(figures.macro_f1, 4)}


def _quality(
    results: Sequence[Classification], labels: Sequence[str], classes: Sequence[str]
) -> dict[str, Any]:
    """Closed-set figures (best intent, no threshold) on in-scope rows, then the threshold's."""
    truth = np.asarray(labels)
    top = np.asarray([r.alternatives[0][0] if r.alternatives else UNKNOWN for r in results])
    final = np.asarray([r.intent for r in results])
    scope = truth != UNKNOWN
    closed = evaluate_labels(list(truth[scope]), list(top[scope]), classes)
    known = final != UNKNOWN
    out_of_scope = ~scope
    return {
        "accuracy": round(closed.accuracy, 4),
        "macro_f1": round(closed.macro_f1, 4),
        "per_class": {label: asdict(f) for label, f in closed.per_class.items()},
        "coverage": _share(known & scope, scope),
        "accuracy_when_known": _share((final == truth) & known & scope, known & scope),
        "in_scope_accuracy": _share((final == truth) & scope, scope),
        "out_of_scope_recall": _share(~known & out_of_scope, out_of_scope)
        if out_of_scope.any()
        else None,
    }


def _speed(model: Model, texts: Sequence[str]) -> dict[str, Any]:
    """Throughput of one ``classify_many`` of 1,000 messages, then single-call latency.

    The batch runs on a fresh ``FeatureSpace`` (same vocabulary, empty n-gram cache), so it
    does not profit from the quality pass over the same texts; single calls then run warm,
    as they do in a service that has seen some traffic.
    """
    cold = FeatureSpace(model.features.blocks, model.features.idf)
    classifier = Classifier(replace(model, features=cold))
    classifier.classify("warm-up of lazy imports")
    sample = [texts[i % len(texts)] for i in range(SINGLE_SAMPLES)] if texts else ["hello"]
    start = time.perf_counter()
    classifier.classify_many((sample * BATCH)[:BATCH])
    batch_seconds = time.perf_counter() - start
    timings, cpu = [], []
    for text in sample:
        began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
        classifier.classify(text)
        timings.append((time.perf_counter_ns() - began) / 1e6)
        cpu.append((time.thread_time_ns() - began_cpu) / 1e6)
    return {
        # Wall clock is what a caller waits; CPU time shows what is ours on a busy machine.
        "latency_ms": {
            "p50": round(float(np.percentile(timings, 50)), 4),
            "p99": round(float(np.percentile(timings, 99)), 4),
            "cpu_p50": round(float(np.percentile(cpu, 50)), 4),
            "cpu_p99": round(float(np.percentile(cpu, 99)), 4),
        },
        "batch_messages_per_second": round(BATCH / batch_seconds),
    }


def _share(hits: np.ndarray[Any, Any], population: np.ndarray[Any, Any]) -> float | None:
    total = int(population.sum())
    return round(int(hits.sum()) / total, 4) if total else None
