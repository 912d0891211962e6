"""``aiguillage classifier ...``: the classifier's command-line sub-app.

Heavy imports (scikit-learn, numpy) happen inside the commands so that registering this
sub-app costs the rest of the CLI nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Intent and emotion classifier.", no_args_is_help=True)

_FILE = typer.Option(exists=True, dir_okay=False, readable=True, help="CSV or JSONL file")


@app.command("evaluate")
def evaluate(
    train: Annotated[Path, _FILE],
    test: Annotated[Path, _FILE],
    text_col: Annotated[str, typer.Option(help="column holding the message text")] = "text",
    label_col: Annotated[str, typer.Option(help="column holding the label")] = "label",
) -> None:
    """Train the classifier pipeline on any labelled data and print one JSON report.

    Test rows labelled ``unknown`` count as out-of-scope examples (out_of_scope_recall).
    """
    from router.classify.errors import DatasetError
    from router.classify.training.dataset import load_labelled
    from router.classify.training.evaluate import run_evaluation

    try:
        train_rows = load_labelled(train, text_col=text_col, label_col=label_col)
        test_rows = load_labelled(test, text_col=text_col, label_col=label_col)
        typer.echo(f"training on {len(train_rows[0])} rows...", err=True)
        report = run_evaluation(train_rows, test_rows)
    except DatasetError as error:
        typer.secho(f"error: {error.detail}", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(report, ensure_ascii=False))
