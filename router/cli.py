"""The ``aiguillage`` command line."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
import uvicorn
from sqlalchemy.exc import IntegrityError

from router import logs
from router.errors import AiguillageError, ConfigurationError, DomainError
from router.settings import Settings, load_settings

if TYPE_CHECKING:
    from router.store import Database

T = TypeVar("T")

app = typer.Typer(
    help="Aiguillage: omnichannel conversation router.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _settings(**overrides: object) -> Settings:
    try:
        settings = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigurationError as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
    logs.configure(settings.log_level)
    return settings


@app.command()
def migrate(revision: str = "head") -> None:
    """Create or upgrade the database schema (idempotent)."""
    from router.store.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database migrated to {revision}")


@app.command("demo-data")
def demo_data(
    if_empty: Annotated[bool, typer.Option(help="only when no advisor exists yet")] = False,
) -> None:
    """Load a realistic demo team (teams, skills, advisors, rules)."""
    from router.demo import load_demo

    settings = _settings()
    try:
        loaded = asyncio.run(load_demo(settings.database_url, only_if_empty=if_empty))
    except IntegrityError:
        typer.secho(
            "error: the demo team (or part of it) is already in this database; "
            "use --if-empty to skip it",
            fg="red",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo("demo data loaded" if loaded else "demo data skipped: advisors already exist")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port")] = None,
    with_worker: Annotated[
        bool | None,
        typer.Option(
            "--with-worker/--without-worker", help="run the pipeline worker in this process"
        ),
    ] = None,
) -> None:
    """Serve the API (and, by default, the pipeline worker) with uvicorn."""
    from router.app import create_app

    settings = _settings(host=host, port=port, run_worker_in_api=with_worker)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@app.command()
def worker() -> None:
    """Run pipeline workers (several processes may run at once on PostgreSQL + RabbitMQ)."""
    settings = _settings()
    if settings.broker_scheme == "memory":
        typer.secho(
            "error: the memory:// broker lives inside one process; a separate worker "
            "needs AIGUILLAGE_BROKER_URL=amqp://... (or use `aiguillage serve`, which "
            "runs the worker in-process)",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    asyncio.run(_run_worker(settings))


async def _run_worker(settings: Settings) -> None:
    from router.runtime import Runtime

    runtime = Runtime.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start(run_workers=True)
    try:
        await stop.wait()
    finally:
        await runtime.stop()


rules_app = typer.Typer(
    help="Routing rules as a file (YAML, or JSON by extension).", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")


@rules_app.command("export")
def rules_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")
    ] = None,
) -> None:
    """Write every rule, in evaluation order."""
    from router import rules_file
    from router.services.rules import list_rules

    settings = _settings()
    text = rules_file.dump(asyncio.run(_with_db(settings, list_rules)), output)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"rules written to {output}", err=True)


@rules_app.command("import")
def rules_import(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    replace: Annotated[bool, typer.Option(help="delete rules that are not in the file")] = False,
) -> None:
    """Create or update rules by name, all or nothing; the default rule is updated in place."""
    from router import rules_file
    from router.services.rules import import_rules

    settings = _settings()
    try:
        documents = rules_file.load(path)
        created, updated, deleted = asyncio.run(
            _with_db(settings, lambda db: import_rules(db, documents, replace=replace))
        )
    except DomainError as error:
        typer.secho(
            f"error: {error.detail}" + (f" (field: {error.field})" if error.field else ""),
            fg="red",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(f"rules imported: {created} created, {updated} updated, {deleted} deleted")


async def _with_db(settings: Settings, use_case: Callable[[Database], Awaitable[T]]) -> T:
    from router.store import Database

    db = Database(settings.database_url, pool_size=1)
    try:
        return await use_case(db)
    finally:
        await db.dispose()


def main() -> None:
    try:
        app()
    except AiguillageError as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        sys.exit(1)
