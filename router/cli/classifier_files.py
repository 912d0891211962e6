"""``aiguillage classifier ...``: the classifier's command-line sub-app.

Heavy imports (scikit-learn, numpy) happen inside the commands so that registering this
sub-app costs the rest of the CLI nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

app = typer.Typer(help="Intent and emotion classifier.", no_args_is_help=True)

_FILE = typer.Option(exists=True, dir_okay=False, readable=True, help="CSV or JSONL file")


class Task(StrEnum):
    intent = "intent"
    emotion = "emotion"
    language = "language"


@app.command("evaluate")
def evaluate(
    train: Annotated[Path, _FILE],
    test: Annotated[Path, _FILE],
    text_col: Annotated[str, typer.Option(help="column holding the message text")] = "text",
    label_col: Annotated[str, typer.Option(help="column holding the label")] = "label",
    task: Annotated[
        Task, typer.Option(help="which head to train: intent, emotion (label 'anger' for anger)")
    ] = Task.intent,
) -> None:
    """Train one head on any labelled data and print one JSON report, baseline included.

    Features and regularisation are chosen by cross-validation on the training file; a
    plain TF-IDF + LinearSVC baseline is trained on the same file and tested beside the
    model. Intent: test rows labelled ``unknown`` count as out-of-scope examples.
    """
    from router.classify.errors import DatasetError
    from router.classify.training.dataset import load_labelled

    try:
        train_rows = load_labelled(train, text_col=text_col, label_col=label_col)
        test_rows = load_labelled(test, text_col=text_col, label_col=label_col)
        typer.echo(f"training on {len(train_rows[0])} rows...", err=True)
        with _progress_bar() as tick:
            report = _evaluate(train_rows, test_rows, task, tick)
    except DatasetError as error:
        typer.secho(f"error: {error.detail}", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(_comparison(report), err=True)
    typer.echo(json.dumps(report, ensure_ascii=False))


Rows = tuple[list[str], list[str]]


def _evaluate(
    train: Rows, test: Rows, task: Task, tick: Callable[[str, float], None]
) -> dict[str, Any]:
    if task is Task.intent:
        from router.classify.training.evaluate import run_evaluation

        return run_evaluation(train, test, progress=tick)
    from router.classify.training.task_report import run_task_evaluation

    head: Literal["emotion", "language"] = "emotion" if task is Task.emotion else "language"
    return run_task_evaluation(train, test, head, progress=tick)


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, float], None]]:
    """A bar on stderr, so stdout stays one JSON document."""
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        bar = progress.add_task("training", total=1.0)

        def tick(step: str, fraction: float) -> None:
            progress.update(bar, completed=fraction, description=f"training: {step}")

        yield tick


def _comparison(report: dict[str, Any]) -> str:
    """One line a person reads: the model next to the baseline, and what CV chose."""
    line = f"model accuracy {report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f}"
    baseline = report.get("baseline")
    if baseline:
        line += (
            f" | baseline (TF-IDF + LinearSVC) accuracy {baseline['accuracy']:.4f},"
            f" macro-F1 {baseline['macro_f1']:.4f}"
        )
    chosen = (report.get("model_selection") or {}).get("chosen")
    if chosen:
        line += f" | chosen by cross-validation: {chosen['name']}"
    return line
