"""The ``aiguillage`` command line."""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
import uvicorn
from sqlalchemy.exc import IntegrityError

from router import logs
from router.cli.classifier_versions import classifier_app
from router.cli.email_import import email_app
from router.cli.simulate import simulate_command, staffing_command
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
    logs.configure(settings.log_level, settings.log_format)
    return settings


@app.command()
def migrate(revision: str = "head") -> None:
    """Create or upgrade the database schema (idempotent)."""
    from router.store.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database migrated to {revision}")


DEMO_CREDENTIALS = Path("var/demo-credentials.txt")


@app.command("demo-data")
def demo_data(
    if_empty: Annotated[bool, typer.Option(help="only when no advisor exists yet")] = False,
    credentials: Annotated[
        Path, typer.Option(help="where to write the demo logins (readable by you only)")
    ] = DEMO_CREDENTIALS,
) -> None:
    """Load a realistic demo team (teams, skills, advisors, an admin, rules) with logins."""
    from router.demo.team import load_demo

    settings = _settings()
    try:
        logins = asyncio.run(load_demo(settings.database_url, only_if_empty=if_empty))
    except IntegrityError:
        typer.secho(
            "error: the demo team (or part of it) is already in this database; "
            "use --if-empty to skip it",
            fg="red",
            err=True,
        )
        raise typer.Exit(1) from None
    if logins is None:
        typer.echo("demo data skipped: advisors already exist")
    else:
        _write_private(credentials, "".join(f"{email}  {pw}\n" for email, pw in logins.items()))
        typer.echo("demo data loaded")
    if credentials.exists():
        typer.echo(f"demo logins (e-mail and password) are in {credentials.resolve()}")


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text, encoding="utf-8")


users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("create-admin")
def users_create_admin(
    email: Annotated[str, typer.Option(help="login e-mail address")],
    name: Annotated[str, typer.Option(help="display name")] = "Administrator",
) -> None:
    """Create an admin account; its generated password is printed once."""
    from router.security.staff import create_admin, generate_password

    settings = _settings()
    password = generate_password()
    admin_id = _run_domain(_with_db(settings, lambda db: create_admin(db, email, name, password)))
    _audit_cli(settings, "users.create-admin", f"advisor/{admin_id}")
    typer.echo(f"admin {email} created (id {admin_id})")
    typer.echo(f"password (shown once): {password}")


@users_app.command("set-password")
def users_set_password(
    advisor_id: Annotated[int, typer.Argument(help="the staff member's id")],
) -> None:
    """Give a staff member a new generated password (printed once); their sessions end."""
    from router.security.staff import generate_password, set_password

    settings = _settings()
    password = generate_password()
    _run_domain(_with_db(settings, lambda db: set_password(db, advisor_id, password)))
    _audit_cli(settings, "users.set-password", f"advisor/{advisor_id}")
    typer.echo(f"password for staff {advisor_id} (shown once): {password}")


apikeys_app = typer.Typer(help="Integrator API keys.", no_args_is_help=True)
app.add_typer(apikeys_app, name="apikeys")


@apikeys_app.command("create")
def apikeys_create(
    name: Annotated[str, typer.Option(help="what the key is for")],
    scope: Annotated[
        list[str] | None,
        typer.Option(help="repeatable; default messages:write (see `apikeys scopes`)"),
    ] = None,
    channel: Annotated[
        list[str] | None, typer.Option(help="repeatable; restrict to channels (default: all)")
    ] = None,
) -> None:
    """Create an API key; the secret is printed once."""
    from pydantic import ValidationError

    from router.models.security import ApiKeyCreate
    from router.security.key_admin import create_key

    settings = _settings()
    try:
        data = ApiKeyCreate.model_validate(
            {"name": name, "scopes": scope or ["messages:write"], "channels": channel or []}
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        typer.secho(f"error: {where}: {first['msg']}", fg="red", err=True)
        raise typer.Exit(2) from None
    created = _run_domain(_with_db(settings, lambda db: create_key(db, data, None)))
    _audit_cli(settings, "apikeys.create", f"api-key/{created.id}")
    typer.echo(f"API key {created.id} ({', '.join(created.scopes)}) created")
    typer.echo(f"secret (shown once): {created.secret}")


@apikeys_app.command("scopes")
def apikeys_scopes() -> None:
    """List the scopes an API key can carry."""
    from router.models.security import Scope

    for scope in Scope:
        typer.echo(scope.value)


@apikeys_app.command("revoke")
def apikeys_revoke(key_id: Annotated[int, typer.Argument(help="the key's id")]) -> None:
    """Revoke an API key."""
    from router.security.key_admin import revoke_key

    settings = _settings()
    _run_domain(_with_db(settings, lambda db: revoke_key(db, key_id)))
    _audit_cli(settings, "apikeys.revoke", f"api-key/{key_id}")
    typer.echo(f"API key {key_id} revoked")


@app.command()
def purge(
    older_than_days: Annotated[
        int | None,
        typer.Option(min=1, help="default: AIGUILLAGE_RETENTION_DAYS"),
    ] = None,
    apply: Annotated[bool, typer.Option(help="delete for real (default: dry run)")] = False,
) -> None:
    """Purge resolved conversations older than the retention period (dry run first)."""
    from router.customers.privacy import purge_closed

    settings = _settings()
    days = older_than_days or settings.retention_days
    if days is None:
        typer.secho(
            "error: no retention period: pass --older-than-days or set AIGUILLAGE_RETENTION_DAYS",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    plan = asyncio.run(_with_db(settings, lambda db: purge_closed(db, days, apply=apply)))
    verb = "purged" if apply else "would purge (dry run; add --apply)"
    typer.echo(
        f"{verb}: {plan.conversations} conversations resolved more than {days} days ago, "
        f"{plan.messages} messages, {plan.events} events, {plan.assignments} assignments"
    )


def _run_domain(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a use case; a refused request is a one-line error, not a traceback."""
    try:
        return asyncio.run(coroutine)
    except DomainError as error:
        _refused(error)


def _refused(error: DomainError) -> NoReturn:
    typer.secho(
        f"error: {error.detail}" + (f" (field: {error.field})" if error.field else ""),
        fg="red",
        err=True,
    )
    raise typer.Exit(1) from None


def _audit_cli(settings: Settings, action: str, target: str) -> None:
    from router.security.audit import record

    asyncio.run(
        _with_db(settings, lambda db: record(db, actor_kind="cli", action=action, target=target))
    )


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
    settings = _settings(host=host, port=port, run_worker_in_api=with_worker)
    _prepare_metrics(settings)  # before the app's modules import prometheus_client
    from router.app import create_app
    from router.cli.server import uvicorn_config

    server = uvicorn.Server(uvicorn_config(create_app(settings), settings))
    server.run()
    if not server.started:  # as uvicorn.run: a failed start-up is exit status 3
        raise typer.Exit(3)


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
    _prepare_metrics(settings)
    with asyncio.Runner(loop_factory=_fast_loop()) as runner:
        runner.run(_run_worker(settings))


def _prepare_metrics(settings: Settings) -> None:
    from router.observability.process import prepare

    try:
        prepare(settings)
    except (ConfigurationError, OSError) as error:
        typer.secho(f"error: metrics: {error}", fg="red", err=True)
        raise typer.Exit(2) from None


def _fast_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop, as uvicorn uses for ``serve``, when installed (uvicorn[standard] brings it
    everywhere but on Windows): the event loop's own cost per message is about halved."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _run_worker(settings: Settings) -> None:
    from router.runtime import Runtime

    runtime = Runtime.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start(run_workers=True)
    # Its own /metrics on AIGUILLAGE_METRICS_ADDRESS (separate hosts or containers); with a
    # shared AIGUILLAGE_METRICS_DIR the API serves the sum instead and this does nothing.
    runtime.start_metrics(with_gauges=False)
    gc.freeze()  # as the API does: what start-up loaded stays out of the full collections
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
    from router.cli import rules_file
    from router.routing.rules import list_rules

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
    from router.cli import rules_file
    from router.routing.rules import import_rules

    settings = _settings()
    try:
        documents = rules_file.load(path)
    except DomainError as error:
        _refused(error)
    created, updated, deleted = _run_domain(
        _with_db(settings, lambda db: import_rules(db, documents, replace=replace))
    )
    typer.echo(f"rules imported: {created} created, {updated} updated, {deleted} deleted")


async def _with_db(settings: Settings, use_case: Callable[[Database], Awaitable[T]]) -> T:
    from router.store import Database

    db = Database(settings.database_url, pool_size=1)
    try:
        return await use_case(db)
    finally:
        await db.dispose()


app.add_typer(classifier_app, name="classifier")
app.add_typer(email_app, name="email")
app.command("simulate")(simulate_command)
app.command("staffing")(staffing_command)


def main() -> None:
    try:
        app()
    except AiguillageError as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        sys.exit(1)
