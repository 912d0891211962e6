"""Merging two customer records that are one person.

Everything of the duplicate moves to the kept customer: identities, conversations, messages
and timeline events; nothing is deleted. If both have an open conversation, the duplicate's
is folded into the kept one (its messages and events move there, its assignment ends with
reason "merged", it is closed) so that the customer still has one open conversation. The
duplicate record stays as a tombstone (``merged_into_id``) so old references resolve. The
merge is a timeline event on the kept customer and an audit entry, in the same transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.customers.identities import customer_visible
from router.errors import Conflict, InvalidRequest, NotFound
from router.models import (
    Assignment,
    ChannelIdentity,
    Conversation,
    Customer,
    Event,
    Message,
    Note,
)
from router.models.conversations import OPEN_STATUSES, ConversationStatus
from router.models.security import AuditEntry
from router.routing import assignment
from router.security.principal import Principal
from router.store import Database
from router.store.types import utcnow
from router.tickets import events, sla


@dataclass(frozen=True)
class MergeReport:
    customer_id: int
    merged_customer_id: int
    identities: int
    conversations: int
    messages: int
    events: int
    folded_conversation_id: int | None


async def merge_customers(
    db: Database, customer_id: int, duplicate_id: int, viewer: Principal
) -> MergeReport:
    if customer_id == duplicate_id:
        raise InvalidRequest("a customer cannot be merged into itself", field="duplicate_id")
    async with db.session() as session:
        kept, duplicate = await _lock_pair(session, customer_id, duplicate_id, viewer)
        folded = await _fold_open_conversations(session, customer_id, duplicate_id)
        moved = {
            "identities": await _move(session, ChannelIdentity, duplicate_id, customer_id),
            "conversations": await _move(session, Conversation, duplicate_id, customer_id),
            "messages": await _move(session, Message, duplicate_id, customer_id),
            "events": await _move(session, Event, duplicate_id, customer_id),
        }
        _absorb(kept, duplicate)
        report = MergeReport(customer_id, duplicate_id, **moved, folded_conversation_id=folded)
        detail = {k: v for k, v in asdict(report).items() if k != "customer_id"}
        events.record(session, "customer.merged", customer_id=customer_id, **detail)
        session.add(
            AuditEntry(
                actor_kind=viewer.kind.value,
                actor_id=viewer.id,
                actor_role=viewer.role.value if viewer.role else None,
                action="customer.merged",
                target=f"customer/{customer_id}",
                detail=detail,
            )
        )
        await session.commit()
        return report


async def _lock_pair(
    session: AsyncSession, customer_id: int, duplicate_id: int, viewer: Principal
) -> tuple[Customer, Customer]:
    rows = await session.scalars(
        select(Customer)
        .where(col(Customer.id).in_([customer_id, duplicate_id]))
        .order_by(col(Customer.id))
        .with_for_update()
    )
    found = {c.id: c for c in rows}
    for ident, field in ((customer_id, "customer_id"), (duplicate_id, "duplicate_id")):
        customer = found.get(ident)
        if customer is None or not await customer_visible(session, ident, viewer):
            raise NotFound(f"customer {ident} does not exist", field=field)
        if customer.merged_into_id is not None:
            raise Conflict(
                f"customer {ident} was already merged into customer {customer.merged_into_id}",
                field=field,
            )
    # The duplicate's identities are locked for good: the pipeline, which key-share locks
    # them, waits for the merge and then sees the kept customer.
    await session.execute(
        select(ChannelIdentity.id)
        .where(col(ChannelIdentity.customer_id) == duplicate_id)
        .order_by(col(ChannelIdentity.id))
        .with_for_update()
    )
    return found[customer_id], found[duplicate_id]


async def _open(session: AsyncSession, customer_id: int) -> Conversation | None:
    found: Conversation | None = await session.scalar(
        select(Conversation)
        .where(
            col(Conversation.customer_id) == customer_id,
            col(Conversation.status).in_(OPEN_STATUSES),
        )
        .with_for_update()
    )
    return found


async def _fold_open_conversations(
    session: AsyncSession, customer_id: int, duplicate_id: int
) -> int | None:
    """Two open conversations become one: the kept customer's."""
    kept, other = await _open(session, customer_id), await _open(session, duplicate_id)
    if kept is None or other is None:
        return None
    for table in (Message, Event, Note):
        await session.execute(
            update(table)
            .where(col(table.conversation_id) == other.id)
            .values(conversation_id=kept.id)
        )
    now = utcnow()
    await session.execute(
        update(Assignment)
        .where(col(Assignment.conversation_id) == other.id, col(Assignment.ended_at).is_(None))
        .values(ended_at=now, end_reason="merged")
    )
    freed = other.assignee_id
    # Emptied into the kept one: closed (final), so nothing ever reopens it.
    other.status = ConversationStatus.closed
    other.closed_at = now
    other.status_reason = f"merged into conversation {kept.id}"
    other.waiting_since = other.pending_since = None
    sla.on_status_change(other, now)
    other.updated_at = kept.updated_at = now
    kept.last_message_at = max(kept.last_message_at, other.last_message_at)
    events.record(
        session,
        "conversation.merged",
        customer_id=customer_id,
        conversation_id=kept.id,
        merged_conversation_id=other.id,
    )
    await session.flush()
    if freed is not None and freed != kept.assignee_id:
        await assignment.fill_advisor(session, freed)
    return other.id


async def _move(session: AsyncSession, table: Any, duplicate_id: int, customer_id: int) -> int:
    result = await session.execute(
        update(table).where(col(table.customer_id) == duplicate_id).values(customer_id=customer_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _absorb(kept: Customer, duplicate: Customer) -> None:
    """Fill the kept record's blanks from the duplicate, which keeps no contact of its own."""
    for name in ("display_name", "email", "phone"):
        if getattr(kept, name) is None and getattr(duplicate, name) is not None:
            setattr(kept, name, getattr(duplicate, name))
    if kept.tier == "standard" and duplicate.tier != "standard":
        kept.tier = duplicate.tier
    duplicate.email = duplicate.phone = None
    duplicate.merged_into_id = kept.id
