"""``aiguillage classifier train|list|promote|rollback``: the versions in the database.

They join the pure ``evaluate`` command on the same sub-app (router.cli.classifier_files).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from router import logs
from router.cli.classifier_files import app as classifier_app
from router.errors import ConfigurationError, DomainError
from router.settings import Settings, load_settings
from router.store import Database

T = TypeVar("T")
__all__ = ["classifier_app"]


def _run(use_case: Callable[[Database], Awaitable[T]]) -> T:
    try:
        settings: Settings = load_settings()
    except ConfigurationError as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
    logs.configure(settings.log_level, settings.log_format)

    async def run() -> T:
        db = Database(settings.database_url, pool_size=1)
        try:
            return await use_case(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except DomainError as error:
        typer.secho(f"error: {error.detail}", fg="red", err=True)
        raise typer.Exit(1) from None


@classifier_app.command("train")
def train(
    include_corrections: Annotated[
        bool, typer.Option(help="add advisors' corrections to the shipped training data")
    ] = False,
) -> None:
    """Train a candidate, evaluate it on the held-out data, promote it only if not worse."""
    from router.pipeline.classifier import train_candidate

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("training", total=1.0)

        def tick(step: str, fraction: float) -> None:
            progress.update(task, completed=fraction, description=f"training: {step}")

        report = _run(
            lambda db: train_candidate(db, include_corrections=include_corrections, progress=tick)
        )
    typer.echo(f"version {report.model.version} ({report.corrections} corrections used)")
    typer.echo(report.verdict.reason)
    if not report.verdict.promote:
        raise typer.Exit(3)


@classifier_app.command("list")
def list_versions() -> None:
    """Trained versions, newest first."""
    from router.pipeline.classifier import list_models

    typer.echo("version\tactive\tsource\tintent macro-F1\tanger precision")
    for model in _run(list_models):
        intent = model.metrics.get("intent", {}).get("macro_f1")
        anger = model.metrics.get("anger_precision")
        figures = [f"{v:.3f}" if isinstance(v, float) else "-" for v in (intent, anger)]
        active = "active" if model.active else "-"
        typer.echo("\t".join([model.version, active, model.source, *figures]))


@classifier_app.command("promote")
def promote(version: Annotated[str, typer.Argument(help="the version to activate")]) -> None:
    """Activate a version (every process loads it within 30 s)."""
    from router.pipeline import classifier

    typer.echo(f"active: {_run(lambda db: classifier.promote(db, version)).version}")


@classifier_app.command("rollback")
def rollback() -> None:
    """Re-activate the version that was active before the current one."""
    from router.pipeline import classifier

    typer.echo(f"active: {_run(classifier.rollback).version}")
