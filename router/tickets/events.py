"""Recording what happened (timeline and audit); never commits.

Events are write-only on the hot path (several per inbound message), so they are not ORM
objects: ``record`` queues a plain row on the session, and the rows are written with one
multi-row insert just before the session's next flush or commit. Queries that autoflush
therefore still see them, as they would see pending ORM objects. Once committed, they feed
the metrics (router.observability.metrics.events).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from router.models import Event
from router.observability import metrics
from router.security.principal import Principal
from router.store.types import utcnow

EVENT_TABLE: Table = Event.__table__  # type: ignore[attr-defined]
_PENDING = "aiguillage.pending_events"
_WRITTEN = "aiguillage.written_events"


def record(
    session: AsyncSession,
    type_: str,
    *,
    customer_id: int | None = None,
    conversation_id: int | None = None,
    advisor_id: int | None = None,
    message_id: int | None = None,
    **data: Any,
) -> None:
    session.info.setdefault(_PENDING, []).append(
        {
            "type": type_,
            "created_at": utcnow(),
            "customer_id": customer_id,
            "conversation_id": conversation_id,
            "advisor_id": advisor_id,
            "message_id": message_id,
            "data": data,
        }
    )


@event.listens_for(Session, "before_flush")
def _write_before_flush(session: Session, *_: Any) -> None:
    _write_pending(session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    _write_pending(session)  # a session with nothing else to flush does not flush at all


@event.listens_for(Session, "after_commit")
def _count_written(session: Session) -> None:
    rows = session.info.pop(_WRITTEN, None)
    if rows:
        metrics.events(rows)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WRITTEN, None)


def _write_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(EVENT_TABLE.insert(), rows)
        # Counted (offers, replies, SLA alarms) once the transaction commits.
        session.info.setdefault(_WRITTEN, []).extend(rows)


def actor(principal: Principal | None) -> dict[str, Any]:
    """Who did it, as stored in an event's ``by``: staff, an API key, or the system (clock)."""
    if principal is None:
        return {"kind": "system"}
    return {"kind": str(principal.kind), "id": principal.id}
