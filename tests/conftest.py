"""Fixtures: every app-level test runs on both backends.

* ``embedded``: a real SQLite file (copied from one migrated template) + the memory broker.
* ``services``: PostgreSQL (one migrated database per test session, emptied between tests)
  + RabbitMQ (queues under a unique prefix per test, deleted afterwards).
"""

from __future__ import annotations

import asyncio
import functools
import json
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from router.app import app_settings_shape, create_app
from router.classify.model import ClassifierArtifact
from router.classify.training.dataset import shipped_examples
from router.classify.training.train import train
from router.demo.team import load_demo
from router.models.routing import RoutingConfigWrite
from router.pipeline import classifier
from router.runtime import Runtime
from router.security.staff import create_admin
from router.settings import Settings, load_settings
from router.store import Database
from router.store.migrate import upgrade
from tests import services

# Tests that check push and pull one step at a time keep the waiting room's periodic retry
# out of the way; tests of escalation turn it up.
QUIET = 3600.0

TABLES = (
    "audit_entry",
    "api_key",
    "auth_session",
    "staff_credential",
    "event",
    "alert",
    "routing_exclusion",
    "label_correction",
    "csat_survey",
    "note",
    "conversation_tag",
    "reply_template",
    "assignment",
    "channel_receipt",
    "message_attachment",
    "message_original",
    "message",
    "conversation",
    "sla_policy",
    "channel_identity",
    "customer",
    "advisor_skill",
    "advisor",
    "skill",
    "team",
)


#: Modules whose module-scoped fixtures are expensive (a browser test's own server, which
#: trains its first classifier; a model trained on the shipped data): each runs whole on one
#: xdist worker (``make test`` uses ``--dist loadgroup``) instead of setting them up again on
#: every worker that the round-robin start hands one of its tests to. Not in effect yet:
#: with pytest 9.2 and xdist 3.8 the tests of one group still run on several workers
#: (checked with ``-v``; an explicit module ``pytestmark`` does no better).
ONE_WORKER_MODULES = (
    "tests/browser/",
    "tests/test_classifier_model.py",
    "tests/test_classifier_artifact.py",
)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the test ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(ONE_WORKER_MODULES):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@functools.cache
def shipped_artifact() -> ClassifierArtifact:
    """The classifier trained once per test process on the shipped data (about 8 s of CPU:
    three candidate configurations cross-validated, see TrainingSettings.eligible)."""
    return train(shipped_examples("train"), heldout=shipped_examples("heldout"))


async def _install_model(url: str) -> None:
    """What the first start would train, stored ahead so each test's app starts at once.
    (Test databases keep it: ``classifier_model`` is not among the emptied TABLES.)"""
    db = Database(url, pool_size=1)
    try:
        await classifier.store(db, shipped_artifact(), "shipped", activate=True, verdict="fixture")
    finally:
        await db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    _run_in_thread(_install_model(f"sqlite+aiosqlite:///{path}"))
    return path


def _run_in_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    """Session fixtures may be set up from inside a test's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh migrated PostgreSQL database for this test session, dropped at the end."""
    services.require("postgresql")
    base = make_url(services.TEST_DATABASE_URL)
    name = f"aiguillage_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        # The maintenance database, which every PostgreSQL server has.
        admin_url = base.set(database="postgres").render_as_string(hide_password=False)
        conn = await asyncpg.connect(_pg_dsn(admin_url), timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    _run_in_thread(admin(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    _run_in_thread(_install_model(url))
    yield url
    _run_in_thread(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _reset_routing_config(conn: asyncpg.Connection) -> None:
    """Back to the routing tunables the migration created (the defaults)."""
    defaults = RoutingConfigWrite().model_dump(mode="json")
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(defaults, start=1))
    values = [json.dumps(v) if isinstance(v, dict | list) else v for v in defaults.values()]
    await conn.execute(
        f"UPDATE routing_config SET {assignments}, updated_at = now() WHERE id = 1", *values
    )


async def empty_postgres(url: str) -> None:
    conn = await asyncpg.connect(_pg_dsn(url), timeout=10)
    try:
        # A stuck lock from a dead process must fail the test, not hang it.
        await conn.execute("SET lock_timeout = '10s'")
        # DELETE, not TRUNCATE ... CASCADE, which would also empty routing_rule (FK to team)
        # and lose the default rule the migration created.
        await conn.execute("DELETE FROM routing_rule WHERE NOT is_default")
        await conn.execute(  # back to the default rule the migration created
            "UPDATE routing_rule SET name = 'default', position = 1000000, conditions = '{}', "
            "required_skills = '{}', require_language = true, team_id = NULL, priority = 0, "
            "policy = 'least_busy', enabled = true WHERE is_default"
        )
        await _reset_routing_config(conn)
        await conn.execute("UPDATE advisor SET supervisor_id = NULL")
        for table in TABLES:
            await conn.execute(f"DELETE FROM {table}")
    finally:
        await conn.close()


async def delete_rabbit_queues(prefix: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(services.TEST_BROKER_URL)
    try:
        channel = await connection.channel()
        for topic in ("inbound", "outbound"):
            for name in (f"{prefix}.{topic}", f"{prefix}.{topic}.dead"):
                await channel.queue_delete(name)
        await channel.exchange_delete(f"{prefix}.dlx")
    finally:
        await connection.close()


@pytest.fixture(params=["embedded", "services"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "services":
        services.require("postgresql")
        services.require("rabbitmq")
    return str(request.param)


@pytest.fixture
async def settings(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Settings]:
    if backend == "embedded":
        database = tmp_path / "aiguillage.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), database)
        yield load_settings(
            database_url=f"sqlite:///{database}",
            broker_url="memory://",
            sweep_interval_seconds=0.5,
            sweep_after_seconds=1.0,
            smtp_listen_port=0,  # tests of the listener give it a free port
        )
        return
    url = request.getfixturevalue("pg_database")
    await empty_postgres(url)
    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield load_settings(
        database_url=url,
        broker_url=services.TEST_BROKER_URL,
        queue_prefix=prefix,
        sweep_interval_seconds=0.5,
        sweep_after_seconds=1.0,
        smtp_listen_port=0,
    )
    await delete_rabbit_queues(prefix)


@pytest.fixture
async def demo(settings: Settings) -> Settings:
    """The demo team loaded into the test database."""
    assert await load_demo(settings.database_url, only_if_empty=False)
    return settings


ADMIN_EMAIL = "root@tests.aiguillage.dev"
ADMIN_PASSWORD = "correct horse battery staple"


_idle_apps: dict[tuple[object, ...], FastAPI] = {}
_busy_apps: set[int] = set()


def _idle_app(settings: Settings) -> FastAPI:
    """The app for these settings: built once per test process and shape (building the
    routes costs ~0.3 s of CPU, a quarter of the suite), unless it is serving another
    client at the moment; the lifespan reads the test's settings from app.state."""
    shape = app_settings_shape(settings)
    app = _idle_apps.get(shape)
    if app is None or id(app) in _busy_apps:
        app = create_app(settings)
        _idle_apps.setdefault(shape, app)
    app.state.settings = settings
    return app


@asynccontextmanager
async def admin_client(
    settings: Settings, *, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app (lifespan, in-process worker) behind an in-memory HTTP transport,
    logged in as an admin (tests of access rules build their own callers)."""
    app = _idle_app(settings)
    _busy_apps.add(id(app))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                http.runtime = app.state.runtime  # type: ignore[attr-defined]
                http.app = app  # type: ignore[attr-defined]
                await create_admin(app.state.runtime.db, ADMIN_EMAIL, "Test Admin", ADMIN_PASSWORD)
                http.headers["Authorization"] = await bearer(http, ADMIN_EMAIL, ADMIN_PASSWORD)
                yield http
    finally:
        _busy_apps.discard(id(app))


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with admin_client(settings) as http:
        yield http


async def bearer(http: httpx.AsyncClient, email: str, password: str) -> str:
    """Log in through the API; the Authorization header value."""
    response = await http.post(
        "/v1/auth/token", data={"username": email, "password": password}, headers={}
    )
    assert response.status_code == 200, response.text
    return f"Bearer {response.json()['access_token']}"


def runtime_of(http: httpx.AsyncClient) -> Runtime:
    runtime: Runtime = http.runtime  # type: ignore[attr-defined]
    return runtime


async def wait_for(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 20.0, interval: float = 0.05
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with its last value."""
    deadline = asyncio.get_running_loop().time() + timeout
    value = None
    while asyncio.get_running_loop().time() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")


def message_payload(
    sender: str, external_id: str, text: str, channel: str = "chat", **extra: Any
) -> dict[str, Any]:
    return {
        "channel": channel,
        "external_id": external_id,
        "sender": {"id": sender},
        "text": text,
        **extra,
    }
