"""Values read once per transaction: a batch asks for them many times, an edit committed by
another process is seen by the next transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


async def once_per_transaction(
    session: AsyncSession, key: str, load: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    """``load(session)``, computed at most once in the session's current transaction."""
    transaction = session.sync_session.get_transaction()
    known: tuple[Any, Any] | None = session.info.get(key)
    if transaction is not None and known is not None and known[0] is transaction:
        return cast(T, known[1])
    value = await load(session)
    session.info[key] = (session.sync_session.get_transaction(), value)
    return value


def remember(session: AsyncSession, key: str, value: object) -> None:
    """Store what ``once_per_transaction(session, key, …)`` would load, read by another
    statement of the same transaction (saves the round trip of its own)."""
    session.info[key] = (session.sync_session.get_transaction(), value)
