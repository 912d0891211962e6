"""``aiguillage classifier evaluate`` on small CSV and JSONL files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from router.classify.training.dataset import shipped_examples
from router.cli.main import app

ROWS = [
    ("my card has not arrived yet", "card"),
    ("when will my new card arrive", "card"),
    ("card still not delivered", "card"),
    ("has my card been posted", "card"),
    ("I want a refund for this", "refund"),
    ("please refund my money", "refund"),
    ("how do I get my money back", "refund"),
    ("refund the duplicate payment", "refund"),
    ("what is my balance", "balance"),
    ("show me my account balance", "balance"),
    ("how much money is left on my account", "balance"),
    ("balance please", "balance"),
]


def write_csv(path: Path, rows: list[tuple[str, str]], header: str = "text,category") -> Path:
    path.write_text(header + "\n" + "".join(f'"{t}",{label}\n' for t, label in rows), "utf-8")
    return path


def write_jsonl(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = (json.dumps({"message": t, "label": label}) for t, label in rows)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["classifier", "evaluate", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_evaluate_csv_prints_one_json_report(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", ROWS)
    test = write_csv(tmp_path / "test.csv", ROWS[::2])
    code, out, err = run("--train", train, "--test", test, "--label-col", "category")
    assert code == 0, err
    report = json.loads(out)
    assert report["train_rows"] == 12 and report["test_rows"] == 6
    assert 0.0 <= report["accuracy"] <= 1.0 and 0.0 <= report["macro_f1"] <= 1.0
    assert set(report["per_class"]) == {"balance", "card", "refund"}
    assert set(report["per_class"]["card"]) == {"precision", "recall", "f1", "support"}
    assert report["train_seconds"] >= 0
    assert report["latency_ms"]["p50"] <= report["latency_ms"]["p99"]
    assert report["batch_messages_per_second"] > 0
    assert report["out_of_scope_recall"] is None
    assert "training on 12 rows" in err


def test_evaluate_jsonl_with_column_options_and_out_of_scope_rows(tmp_path: Path) -> None:
    train = write_jsonl(tmp_path / "train.jsonl", ROWS)
    test = write_jsonl(tmp_path / "test.jsonl", ROWS[:4] + [("tell me a joke", "unknown")])
    code, out, err = run("--train", train, "--test", test, "--text-col", "message")
    assert code == 0, err
    report = json.loads(out)
    assert report["test_rows"] == 5
    assert report["per_class"]["card"]["support"] == 4
    assert report["out_of_scope_recall"] in (0.0, 1.0)


def test_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", ROWS)
    code, out, err = run("--train", train, "--test", train)
    assert code == 2 and out == ""
    assert "no column 'label' (columns: category, text)" in err


def test_unknown_file_type_is_a_clear_error(tmp_path: Path) -> None:
    train = tmp_path / "train.parquet"
    train.write_bytes(b"PAR1")
    code, _, err = run("--train", train, "--test", train)
    assert code == 2
    assert "unknown file type '.parquet'" in err


def test_missing_file_is_refused_by_the_option(tmp_path: Path) -> None:
    code, _, err = run("--train", tmp_path / "nope.csv", "--test", tmp_path / "nope.csv")
    assert code == 2
    assert "does not exist" in err


def test_evaluate_prints_the_baseline_next_to_the_model(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", ROWS)
    code, out, err = run("--train", train, "--test", train, "--label-col", "category")
    assert code == 0, err
    report = json.loads(out)
    assert set(report["baseline"]) == {"accuracy", "macro_f1"}
    selection = report["model_selection"]
    assert selection["baseline"]["name"].startswith("baseline")
    assert selection["chosen"]["cv_accuracy"] >= selection["baseline"]["cv_accuracy"]
    assert f"baseline (TF-IDF + LinearSVC) accuracy {report['baseline']['accuracy']:.4f}" in err
    assert f"chosen by cross-validation: {selection['chosen']['name']}" in err
    assert report["train_cpu_seconds"] >= 0


def shipped_rows(split: str, label: str, step: int) -> list[tuple[str, str]]:
    examples = shipped_examples(split)[::step]
    return [(e.text, getattr(e, label)) for e in examples]


def test_evaluate_task_emotion_reports_anger_with_its_threshold(tmp_path: Path) -> None:
    train = write_jsonl(tmp_path / "train.jsonl", shipped_rows("train", "emotion", 4))
    test = write_jsonl(tmp_path / "test.jsonl", shipped_rows("heldout", "emotion", 4))
    code, out, err = run(
        "--train", train, "--test", test, "--text-col", "message", "--task", "emotion"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["task"] == "emotion"
    anger = report["anger"]
    assert 0.0 < anger["threshold"] <= 1.0 + 1e-6
    assert anger["support"] == report["per_class"]["anger"]["support"] > 0
    # The threshold buys precision with recall: never more recall than the plain best class.
    assert anger["recall"] <= anger["at_best_class"]["recall"]
    assert set(report["per_class"]) >= {"anger", "frustration", "neutral"}
    assert set(report["baseline"]) == {"accuracy", "macro_f1"}
    assert "baseline (TF-IDF + LinearSVC)" in err


def test_evaluate_task_language_reports_coverage(tmp_path: Path) -> None:
    train = write_jsonl(tmp_path / "train.jsonl", shipped_rows("train", "lang", 6))
    test = write_jsonl(tmp_path / "test.jsonl", shipped_rows("heldout", "lang", 6))
    code, out, err = run(
        "--train", train, "--test", test, "--text-col", "message", "--task", "language"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["task"] == "language" and "anger" not in report
    assert set(report["per_class"]) >= {"en", "fr"}
    assert 0.0 <= report["coverage"] <= 1.0
    assert report["accuracy"] > 0.5


def test_unknown_task_is_refused(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", ROWS)
    code, _, err = run("--train", train, "--test", train, "--task", "sarcasm")
    assert code == 2
    assert "sarcasm" in err
