"""Log lines about what a transaction did, written once it committed.

A routing decision or an alert logged before the commit would be a lie when the transaction
rolls back (a deadlock retried, a failing batch split): ``after_commit`` queues the line on
the session and emits it after the commit, in the committing task (its bound ids included);
a rollback drops it. Nothing is queued when the logger would not write the line.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_PENDING = "aiguillage.pending_logs"

Line = tuple[logging.Logger, str, tuple[object, ...], dict[str, Any]]


def after_commit(
    session: AsyncSession,
    logger: logging.Logger,
    message: str,
    *args: object,
    **ids: Any,
) -> None:
    """``logger.info(message, *args)`` once the session commits, with ``ids`` as fields."""
    if logger.isEnabledFor(logging.INFO):
        session.info.setdefault(_PENDING, []).append((logger, message, args, ids))


@event.listens_for(Session, "after_commit")
def _emit(session: Session) -> None:
    lines: list[Line] | None = session.info.pop(_PENDING, None)
    for logger, message, args, ids in lines or ():
        logger.info(message, *args, extra=ids)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)
