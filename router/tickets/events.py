"""Recording what happened (timeline and audit); never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Event
from router.security.principal import Principal


def record(
    session: AsyncSession,
    type_: str,
    *,
    customer_id: int | None = None,
    conversation_id: int | None = None,
    advisor_id: int | None = None,
    message_id: int | None = None,
    **data: Any,
) -> Event:
    event = Event(
        type=type_,
        customer_id=customer_id,
        conversation_id=conversation_id,
        advisor_id=advisor_id,
        message_id=message_id,
        data=data,
    )
    session.add(event)
    return event


def actor(principal: Principal | None) -> dict[str, Any]:
    """Who did it, as stored in an event's ``by``: staff, an API key, or the system (clock)."""
    if principal is None:
        return {"kind": "system"}
    return {"kind": str(principal.kind), "id": principal.id}
