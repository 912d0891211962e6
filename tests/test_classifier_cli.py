"""``aiguillage classifier evaluate`` on small CSV and JSONL files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

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
