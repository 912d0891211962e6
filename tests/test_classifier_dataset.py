"""Reading labelled files: CSV and JSONL, column options, and errors that say what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router.classify.errors import DatasetError
from router.classify.labels import EMOTIONS, INTENTS, LANGUAGES
from router.classify.training.dataset import (
    examples_sha256,
    load_examples,
    load_labelled,
    shipped_examples,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_named_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", 'msg,cat\n"Hello, my card",card\nrefund please,refund\n')
    assert load_labelled(path, text_col="msg", label_col="cat") == (
        ["Hello, my card", "refund please"],
        ["card", "refund"],
    )


def test_jsonl_skips_blank_lines_and_keeps_numeric_labels_as_text(tmp_path: Path) -> None:
    rows = [{"text": "a", "label": 3}, {"text": "b", "label": "x"}]
    path = write(tmp_path / "d.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n\n")
    assert load_labelled(path) == (["a", "b"], ["3", "x"])


def test_missing_column_names_the_line_and_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", "text,category\nhello,greet\n")
    with pytest.raises(
        DatasetError, match=r"d.csv:2: no column 'label' \(columns: category, text\)"
    ):
        load_labelled(path)


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="unknown file type '.xlsx'"):
        load_labelled(write(tmp_path / "d.xlsx", "text,label\n"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "a", "label": "b"}\n{oops\n', r"d.jsonl:2: invalid JSON"),
        ('["a", "b"]\n', "expected a JSON object"),
        ('{"text": null, "label": "b"}\n', "'text' must be text"),
        ("", "no labelled rows"),
    ],
)
def test_malformed_jsonl(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_labelled(write(tmp_path / "d.jsonl", content))


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"text,label\n\xff\xfe,x\n")
    with pytest.raises(DatasetError, match="cannot be read"):
        load_labelled(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"intent": "weather"}, "unknown intent 'weather'"),
        ({"emotion": "joy"}, "unknown emotion 'joy'"),
        ({"intensity": 1.5}, "intensity must be a number"),
        ({"intensity": True}, "intensity must be a number"),
    ],
)
def test_shipped_format_checks_labels(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    row = {"text": "t", "intent": "billing", "emotion": "anger", "intensity": 0.8, "lang": "en"}
    path = write(tmp_path / "train.en.jsonl", json.dumps(row | change) + "\n")
    with pytest.raises(DatasetError, match=message):
        load_examples(path)


def test_shipped_data_uses_only_declared_labels() -> None:
    for split in ("train", "heldout"):
        examples = shipped_examples(split)
        assert {e.intent for e in examples} <= set(INTENTS)
        assert {e.emotion for e in examples} <= set(EMOTIONS)
        assert {e.lang for e in examples} <= set(LANGUAGES)


def test_heldout_texts_are_not_in_training_data() -> None:
    train = {e.text.strip().lower() for e in shipped_examples("train")}
    leaked = [e.text for e in shipped_examples("heldout") if e.text.strip().lower() in train]
    assert len(leaked) <= 0.01 * len(train), leaked[:5]


def test_missing_shipped_split(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no heldout"):
        shipped_examples("heldout", tmp_path)


def test_hash_depends_on_content_and_order() -> None:
    examples = shipped_examples("heldout")[:3]
    assert examples_sha256(examples) == examples_sha256(list(examples))
    assert examples_sha256(examples) != examples_sha256(examples[::-1])
