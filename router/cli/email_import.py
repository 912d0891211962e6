"""``aiguillage email import PATH...``: .eml files, mbox files and Maildir folders.

Messages are parsed and stored like mail received by the SMTP listener (idempotent on the
Message-ID, or on a digest of the bytes without one: importing twice imports nothing new).
The running service hands them to the pipeline through its outbox sweep. A progress bar
counts messages; the summary gives imported, duplicates, flagged for review and rejected
(with the reason for each).
"""

from __future__ import annotations

import asyncio
import mailbox
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from channels.email.adapter import EmailAdapter, EmailConfig
from channels.email.mailbox_reader import RawMessage, count_messages, iter_messages
from channels.email.setup import email_limits
from router import logs
from router.errors import ConfigurationError
from router.intake.channel import OriginalPolicy
from router.intake.email import ImportReport, import_messages
from router.settings import Settings, load_settings
from router.store import Database

email_app = typer.Typer(help="Email: import messages from files.", no_args_is_help=True)
MAX_REASONS_SHOWN = 20


def _sources(paths: list[Path], report: ImportReport) -> Iterator[RawMessage]:
    """Every message of every path; unreadable ones become rejections, not crashes."""
    for path in paths:
        try:
            yield from iter_messages(path)
        except (OSError, mailbox.Error) as error:
            report.rejected.append((str(path), f"cannot read: {error}"))


def _settings() -> Settings:
    try:
        settings = load_settings()
    except ConfigurationError as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
    logs.configure(settings.log_level, settings.log_format)
    return settings


async def _import(
    settings: Settings, paths: list[Path], total: int, console: Console
) -> ImportReport:
    adapter = EmailAdapter(
        EmailConfig(from_address="import@invalid", limits=email_limits(settings))
    )
    policy = OriginalPolicy(keep_bytes=settings.email_keep_original_bytes)
    db = Database(settings.database_url, pool_size=1)
    report = ImportReport()
    columns = (
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("import", total=total or None)
            found = await import_messages(
                db,
                adapter,
                policy,
                _sources(paths, report),
                lambda n: progress.advance(task, n),
            )
    finally:
        await db.dispose()
    found.rejected[:0] = report.rejected
    return found


def _count(paths: list[Path], console: Console) -> int:
    total = 0
    for path in paths:
        try:
            total += count_messages(path)
        except (OSError, mailbox.Error) as error:
            console.print(f"[yellow]warning:[/] {path}: {error}", soft_wrap=True)
    return total


def _summary(report: ImportReport, console: Console) -> None:
    table = Table(title="email import")
    for column in ("imported", "duplicates", "flagged for review", "rejected"):
        table.add_column(column, justify="right")
    table.add_row(
        str(report.imported), str(report.duplicates), str(report.flagged), str(len(report.rejected))
    )
    console.print(table)
    for source, reason in report.rejected[:MAX_REASONS_SHOWN]:
        # Paths are long: never fold them (a folded name cannot be searched or copied).
        console.print(f"rejected {source}: {reason}", soft_wrap=True, markup=False)
    if len(report.rejected) > MAX_REASONS_SHOWN:
        console.print(f"... and {len(report.rejected) - MAX_REASONS_SHOWN} more rejected")


@email_app.command("import")
def import_command(
    paths: Annotated[
        list[Path], typer.Argument(help=".eml files, folders of .eml, mbox files, Maildirs")
    ],
) -> None:
    """Import customer email from files; the running service routes it."""
    settings = _settings()
    console = Console()
    total = _count(paths, console)
    report = asyncio.run(_import(settings, paths, total, console))
    _summary(report, console)
    typer.echo(
        f"imported {report.imported}, duplicates {report.duplicates}, "
        f"flagged {report.flagged}, rejected {len(report.rejected)}"
    )
    if report.imported:
        typer.echo("the running service routes them within AIGUILLAGE_SWEEP_AFTER_SECONDS")
