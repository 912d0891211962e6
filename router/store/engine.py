"""The database handle: engine, sessions, and every SQLite/PostgreSQL difference.

SQLite (embedded default): WAL journal, a busy timeout, foreign keys on, and every
transaction opened with ``BEGIN IMMEDIATE`` so that writers are serialised up front instead
of failing with "database is locked" on upgrade. ``FOR UPDATE`` is silently ignored there,
which is correct because the whole transaction already holds the write lock.

PostgreSQL: asyncpg with a pool; row locks (``FOR UPDATE`` / ``SKIP LOCKED``) make
assignment safe across workers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from router.errors import StoreUnavailable

log = logging.getLogger(__name__)


def _sqlite_engine(url: str, *, writer: bool) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One writer connection: writers queue in the pool (cheap, fair) rather than in SQLite's
    # busy handler, which sleeps and polls. Readers get their own pool.
    pool = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 120} if writer else {}
    # hide_parameters: customer data bound to a failed statement never reaches a log line.
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **pool)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front; readers get a snapshot and never block
        # (WAL), so GET requests do not queue behind the pipeline.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def _postgres_engine(url: str, pool_size: int) -> AsyncEngine:
    return create_async_engine(
        url,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        # A row lock held by a stuck session must surface as a (retried) error, not a silent
        # stall of the pipeline; lost connections are detected on use and retried.
        connect_args={
            "server_settings": {
                "lock_timeout": "30s",
                "idle_in_transaction_session_timeout": "120s",
            }
        },
    )


class Database:
    """Owns the engine and hands out sessions; nothing is created at import time."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url, writer=True)
            self.read_engine = _sqlite_engine(url, writer=False)
        else:
            self.engine = self.read_engine = _postgres_engine(url, pool_size)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessionmaker = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction the caller (a use case) commits once."""
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection in a transaction, committed when the block ends without error:
        for statements that need no ORM object (the intake's multi-row insert), without a
        session's bookkeeping on the hot path."""
        async with self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A session for queries only (nothing it writes is committed)."""
        async with self.read_sessionmaker() as session:
            yield session

    async def ping(self) -> None:
        try:
            async with self.read_engine.connect() as conn:  # never waits for SQLite's writer
                await conn.execute(text("SELECT 1"))
        except (OSError, exc.DBAPIError) as error:
            raise StoreUnavailable(f"database unreachable: {type(error).__name__}") from error

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def is_transient_error(error: BaseException) -> bool:
    """Errors worth retrying as they are: lost connections, lock timeouts, serialisation."""
    if isinstance(error, (StoreUnavailable, ConnectionError, OSError, TimeoutError)):
        return True
    if isinstance(error, exc.TimeoutError):  # waited too long for a pooled connection
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        message = str(error.orig).lower()
        return any(
            marker in message
            for marker in (
                "database is locked",
                "deadlock",
                "could not serialize",
                "connection",
                "lock timeout",
                "statement timeout",
            )
        )
    return False


def insert_ignoring_duplicates(dialect: str, table: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the dialect at hand (idempotent intake)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    return pg_insert(table).on_conflict_do_nothing()
