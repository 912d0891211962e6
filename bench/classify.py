"""Classifier figures: Banking77 quality and speed, out-of-scope refusal, shipped data.

1. Banking77 (77 intents): train on train.csv, report on test.csv through the same code as
   ``aiguillage classifier evaluate`` (accuracy and macro-F1 of the model and of the plain
   TF-IDF + LinearSVC baseline, the configuration cross-validation chose, train wall and
   CPU time, single-message latency p50/p99, messages/s for a batch of 1,000) plus the
   model's memory.
2. Out-of-scope: Banking77 has none, so 10 whole intents (chosen by a seeded draw) are held
   out of training. Their train.csv rows are labelled ``unknown``: they never train but
   validate the unknown threshold; their test.csv rows are the out-of-scope test set.
   ``--strict-oos`` also runs the harder variant where the validation and the test
   out-of-scope rows come from different intents (5 + 5).
3. Shipped French/English data: train on ``train.*.jsonl``, per-label F1 on
   ``heldout.*.jsonl``, intent and emotion macro-F1, anger precision, intensity error.
4. Languages: the detector's accuracy on ``tests/data/languages.jsonl`` (short messages in
   19 languages), how often the shipped French/English held-out messages are tagged with
   another language, its cost per message, and the whole classifier's single-message
   latency (shipped model) on those messages. ``--languages`` runs this part alone.
5. Training time on 15,000 rows: Banking77 train.csv + test.csv + the shipped training
   files (15,011 rows, 87 labels), wall and CPU seconds (CPU: every thread of the process,
   what the machine's other users cannot inflate).

    .venv/bin/python bench/classify.py [--banking77 DIR] [--strict-oos] [--no-15k] [--languages]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from router.classify import artifact
from router.classify.labels import UNKNOWN
from router.classify.language import detect_language
from router.classify.model import ClassifierArtifact
from router.classify.runtime import Classifier
from router.classify.training.dataset import load_labelled, shipped_examples
from router.classify.training.evaluate import report, run_evaluation
from router.classify.training.train import fit_text, train, train_text

Rows = tuple[list[str], list[str]]


def banking77(folder: Path) -> dict[str, Any]:
    train_rows = load_labelled(folder / "train.csv", label_col="category")
    test_rows = load_labelled(folder / "test.csv", label_col="category")
    started, started_cpu = time.perf_counter(), time.process_time()
    trained = fit_text(*train_rows)
    figures = report(
        trained.artifact,
        test_rows,
        train_seconds=time.perf_counter() - started,
        train_cpu_seconds=time.process_time() - started_cpu,
        baseline=trained.baseline,
    )
    figures["memory"] = model_memory(trained.artifact)
    return figures


def training_time(folder: Path) -> dict[str, Any]:
    """Wall and CPU seconds to train on 15,011 rows (two files of one domain, one of another)."""
    texts, labels = [], []
    for name in ("train.csv", "test.csv"):
        more = load_labelled(folder / name, label_col="category")
        texts += more[0]
        labels += more[1]
    for example in shipped_examples("train"):
        texts.append(example.text)
        labels.append(example.intent)
    started, started_cpu = time.perf_counter(), time.process_time()
    trained = train_text(texts, labels)
    selection = trained.metadata.selection or {}
    return {
        "rows": len(texts),
        "labels": len(set(labels)),
        "train_seconds": round(time.perf_counter() - started, 1),
        "train_cpu_seconds": round(time.process_time() - started_cpu, 1),
        "chosen": selection.get("chosen", {}).get("name"),
        "method": selection.get("method"),
    }


def model_memory(trained: ClassifierArtifact) -> dict[str, float]:
    """Bytes a loaded model keeps (tracemalloc sees numpy and dicts) and the RSS it adds."""
    serialized = artifact.dump(trained)
    process = psutil.Process(os.getpid())
    rss_before = process.memory_info().rss
    tracemalloc.start()
    loaded = artifact.load(serialized.payload, serialized.sha256)
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = process.memory_info().rss
    del loaded
    return {
        "retained_mb": round(retained / 1e6, 1),
        "load_peak_mb": round(peak / 1e6, 1),
        "rss_added_mb": round((rss_after - rss_before) / 1e6, 1),
        "serialized_mb": round(len(serialized.payload) / 1e6, 1),
    }


def out_of_scope(
    folder: Path, *, validation_intents: int, test_intents: int, seed: int = 0
) -> dict[str, Any]:
    """Hold whole intents out of training; the held-out ones become ``unknown``."""
    train_texts, train_labels = load_labelled(folder / "train.csv", label_col="category")
    test_texts, test_labels = load_labelled(folder / "test.csv", label_col="category")
    intents = sorted(set(train_labels))
    drawn = random.Random(seed).sample(intents, validation_intents + test_intents)
    in_validation = set(drawn[:validation_intents])
    in_test = set(drawn[-test_intents:]) if test_intents else in_validation
    # Validation out-of-scope rows come from train.csv; intents kept only for the test
    # are dropped from training altogether, so the threshold never sees them.
    train_rows = [
        (text, UNKNOWN if label in in_validation else label)
        for text, label in zip(train_texts, train_labels, strict=True)
        if label not in in_test or label in in_validation
    ]
    test_rows = [
        (text, UNKNOWN if label in in_test else label)
        for text, label in zip(test_texts, test_labels, strict=True)
        if label not in in_validation or label in in_test
    ]
    figures = run_evaluation(_columns(train_rows), _columns(test_rows))
    figures["validation_oos_intents"] = sorted(in_validation)
    figures["test_oos_intents"] = sorted(in_test)
    return {k: v for k, v in figures.items() if k not in ("per_class", "latency_ms")}


def shipped() -> dict[str, Any]:
    started = time.perf_counter()
    trained = train(shipped_examples("train"), heldout=shipped_examples("heldout"))
    seconds = time.perf_counter() - started
    metrics = trained.metadata.metrics
    assert metrics.emotion is not None
    return {
        "train_rows": trained.metadata.training_rows,
        "train_seconds": round(seconds, 2),
        "intent_accuracy": round(metrics.intent.accuracy, 4),
        "intent_macro_f1": round(metrics.intent.macro_f1, 4),
        "intent_f1": {k: v.f1 for k, v in metrics.intent.per_class.items()},
        "intent_coverage": round(metrics.intent_coverage, 4),
        "intent_accuracy_when_known": round(metrics.intent_accuracy_when_known, 4),
        "unknown_threshold": round(trained.model.intent_threshold, 4),
        "emotion_accuracy": round(metrics.emotion.accuracy, 4),
        "emotion_macro_f1": round(metrics.emotion.macro_f1, 4),
        "emotion_f1": {k: v.f1 for k, v in metrics.emotion.per_class.items()},
        "anger_precision": metrics.anger_precision,
        "anger_recall": metrics.emotion.per_class["anger"].recall,
        "anger_threshold": round(trained.model.anger_threshold, 4),
        "intensity_mae": metrics.intensity_mae,
    }


LANGUAGE_SET = Path(__file__).parents[1] / "tests" / "data" / "languages.jsonl"
AMBIGUOUS = ("ok", "merci", "thanks", "oui", "yes", "Bonjour", "CMD-2026-118", "#48213")


def languages(rounds: int = 20) -> dict[str, Any]:
    """Detector accuracy and cost, and the classifier's latency with it on the hot path."""
    rows = [json.loads(line) for line in LANGUAGE_SET.read_text().splitlines()]
    heldout = shipped_examples("heldout")
    served = [(e.text, e.lang) for e in heldout]
    missed = [r for r in rows if detect_language(r["text"]) != r["language"]]
    foreign = [text for text, _ in served if detect_language(text) not in ("fr", "en", None)]
    texts = [r["text"] for r in rows] + [text for text, _ in served]
    detector = _timings(detect_language, texts * rounds)
    classifier = Classifier.from_artifact(train(shipped_examples("train"), heldout=heldout))
    classifier.classify("warm-up")
    whole = _timings(classifier.classify, texts * 3)
    return {
        "messages": len(rows),
        "languages": len({r["language"] for r in rows}),
        "accuracy": round(1 - len(missed) / len(rows), 4),
        "missed": [(r["language"], detect_language(r["text"]), r["text"]) for r in missed],
        "ambiguous_named": {t: detect_language(t) for t in AMBIGUOUS if detect_language(t)},
        "served_heldout": len(served),
        "served_tagged_another_language": len(foreign),
        "detector_us": {k: round(v * 1000, 1) for k, v in detector.items()},
        "classifier_ms": whole,
    }


def _timings(call: Any, texts: Sequence[str]) -> dict[str, float]:
    """Wall and CPU p50/p99 of one call per text, in milliseconds."""
    wall, cpu = [], []
    for text in texts:
        began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
        call(text)
        wall.append((time.perf_counter_ns() - began) / 1e6)
        cpu.append((time.thread_time_ns() - began_cpu) / 1e6)
    return {
        "p50": round(float(np.percentile(wall, 50)), 4),
        "p99": round(float(np.percentile(wall, 99)), 4),
        "cpu_p50": round(float(np.percentile(cpu, 50)), 4),
        "cpu_p99": round(float(np.percentile(cpu, 99)), 4),
    }


def _print_languages(lang: dict[str, Any]) -> None:
    det, whole = lang["detector_us"], lang["classifier_ms"]
    print(
        f"Languages: {lang['accuracy']:.4f} of {lang['messages']} short messages in "
        f"{lang['languages']} languages; {lang['served_tagged_another_language']} of "
        f"{lang['served_heldout']} French/English held-out messages tagged another language; "
        f"ambiguous texts named: {lang['ambiguous_named'] or 'none'}; detector p50 "
        f"{det['p50']} µs / p99 {det['p99']} µs (CPU p99 {det['cpu_p99']} µs); classifier "
        f"single message p50 {whole['p50']:.3f} ms / p99 {whole['p99']:.3f} ms "
        f"(CPU p99 {whole['cpu_p99']:.3f} ms)"
    )


def _columns(rows: Sequence[tuple[str, str]]) -> Rows:
    return [text for text, _ in rows], [label for _, label in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--banking77", type=Path, default=Path("/work/shared/data/banking77"))
    parser.add_argument("--strict-oos", action="store_true", help="also the 5+5 variant")
    parser.add_argument("--languages", action="store_true", help="only the language part")
    parser.add_argument("--no-15k", action="store_true", help="skip the 15,000-row timing")
    args = parser.parse_args()
    figures: dict[str, Any] = {"bench": "classify", "cpus": os.cpu_count()}
    if args.languages:
        figures["languages"] = lang = languages()
        _print_languages(lang)
        print(json.dumps(figures, ensure_ascii=False))
        return
    figures["banking77"] = b77 = banking77(args.banking77)
    chosen = b77["model_selection"]["chosen"]
    print(
        f"Banking77: accuracy {b77['accuracy']:.4f}, macro-F1 {b77['macro_f1']:.4f} "
        f"(baseline TF-IDF + LinearSVC {b77['baseline']['accuracy']:.4f} / "
        f"{b77['baseline']['macro_f1']:.4f}; chosen by CV: {chosen['name']}, CV accuracy "
        f"{chosen['cv_accuracy']:.4f}), train {b77['train_seconds']:.1f} s wall / "
        f"{b77['train_cpu_seconds']:.1f} s CPU, single message p50 "
        f"{b77['latency_ms']['p50']:.3f} ms / p99 {b77['latency_ms']['p99']:.3f} ms, "
        f"batch {b77['batch_messages_per_second']:,} msg/s, memory {b77['memory']}"
    )
    figures["oos"] = oos = out_of_scope(args.banking77, validation_intents=10, test_intents=0)
    print(
        f"Out-of-scope (10 intents held out): in-scope accuracy {oos['in_scope_accuracy']:.4f}"
        f" (closed-set {oos['accuracy']:.4f}), out-of-scope recall "
        f"{oos['out_of_scope_recall']:.4f}, threshold {oos['unknown_threshold']:.3f}"
    )
    if args.strict_oos:
        figures["oos_strict"] = strict = out_of_scope(
            args.banking77, validation_intents=5, test_intents=5
        )
        print(
            f"Out-of-scope, unseen at validation (5 + 5 intents): in-scope accuracy "
            f"{strict['in_scope_accuracy']:.4f}, out-of-scope recall "
            f"{strict['out_of_scope_recall']:.4f}"
        )
    if not args.no_15k:
        figures["train_15k"] = big = training_time(args.banking77)
        print(
            f"Training on {big['rows']:,} rows ({big['labels']} labels): "
            f"{big['train_seconds']:.1f} s wall, {big['train_cpu_seconds']:.1f} s CPU "
            f"({big['method']}, chose {big['chosen']})"
        )
    figures["shipped"] = ship = shipped()
    print(
        f"Shipped held-out: intent macro-F1 {ship['intent_macro_f1']:.4f}, emotion macro-F1 "
        f"{ship['emotion_macro_f1']:.4f}, anger precision {ship['anger_precision']:.4f} "
        f"(recall {ship['anger_recall']:.4f}), intensity MAE {ship['intensity_mae']:.4f}, "
        f"train {ship['train_seconds']:.1f} s"
    )
    figures["languages"] = lang = languages()
    _print_languages(lang)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
