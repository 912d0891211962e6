"""Labelled data from CSV or JSONL files, with errors that name the file, line and column.

Two shapes: any ``(text, label)`` file for the generic ``evaluate`` command, and the shipped
examples that carry intent, emotion, intensity and language together.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from router.classify.errors import DatasetError
from router.classify.labels import EMOTIONS, INTENTS

SUFFIXES = (".csv", ".jsonl", ".ndjson")


@dataclass(frozen=True, slots=True)
class Example:
    """One shipped training message with every label the classifier learns."""

    text: str
    intent: str
    emotion: str
    intensity: float
    lang: str


def read_records(path: Path) -> Iterator[tuple[int, Mapping[str, object]]]:
    """Yield ``(line number, record)``; the file type comes from the suffix, never guessed."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DatasetError(f"{path}: unknown file type {suffix!r}; expected one of {SUFFIXES}")
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            if suffix == ".csv":
                # Line numbers count the header as line 1, as a spreadsheet shows them.
                yield from enumerate(csv.DictReader(stream), start=2)
            else:
                yield from _jsonl(path, stream)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{path}: cannot be read ({error})") from None


def _jsonl(path: Path, lines: Iterator[str]) -> Iterator[tuple[int, Mapping[str, object]]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DatasetError(f"{path}:{number}: invalid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{path}:{number}: expected a JSON object per line")
        yield number, record


def load_labelled(
    path: Path, *, text_col: str = "text", label_col: str = "label"
) -> tuple[list[str], list[str]]:
    """Texts and labels of any labelled file; an empty file or a missing column is an error."""
    texts: list[str] = []
    labels: list[str] = []
    for number, record in read_records(path):
        texts.append(_field(path, number, record, text_col))
        labels.append(_field(path, number, record, label_col))
    if not texts:
        raise DatasetError(f"{path}: no labelled rows")
    return texts, labels


def load_examples(path: Path) -> list[Example]:
    """Shipped examples, every label checked against ``labels.py``."""
    return [_example(path, number, record) for number, record in read_records(path)]


def _example(path: Path, number: int, record: Mapping[str, object]) -> Example:
    intent = _field(path, number, record, "intent")
    emotion = _field(path, number, record, "emotion")
    for value, allowed, name in ((intent, INTENTS, "intent"), (emotion, EMOTIONS, "emotion")):
        if value not in allowed:
            raise DatasetError(f"{path}:{number}: unknown {name} {value!r}", field=name)
    raw = record.get("intensity")
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0.0 <= raw <= 1.0:
        raise DatasetError(
            f"{path}:{number}: intensity must be a number in [0, 1]", field="intensity"
        )
    return Example(
        text=_field(path, number, record, "text"),
        intent=intent,
        emotion=emotion,
        intensity=float(raw),
        lang=_field(path, number, record, "lang"),
    )


def _field(path: Path, number: int, record: Mapping[str, object], column: str) -> str:
    if column not in record:
        available = ", ".join(sorted(record)) or "none"
        raise DatasetError(
            f"{path}:{number}: no column {column!r} (columns: {available})", field=column
        )
    value = record[column]
    if not isinstance(value, str):
        # CSV gives strings; JSONL labels may be numbers (e.g. class ids): keep them as text.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise DatasetError(f"{path}:{number}: {column!r} must be text", field=column)
    return value


def shipped_examples(split: str, directory: Path | None = None) -> list[Example]:
    """Every ``{split}.<lang>.jsonl`` file of the shipped data (``train`` or ``heldout``)."""
    folder = directory or Path(__file__).parents[1] / "data"
    files = sorted(folder.glob(f"{split}.*.jsonl"))
    if not files:
        raise DatasetError(f"no {split}.*.jsonl file in {folder}")
    return [example for path in files for example in load_examples(path)]


def rows_sha256(rows: Iterable[Sequence[object]]) -> str:
    """Hash of rows in order: same data, same order, same hash (one JSON array per line)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(list(row), ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


def examples_sha256(examples: Iterable[Example]) -> str:
    return rows_sha256((e.text, e.intent, e.emotion, e.intensity, e.lang) for e in examples)
