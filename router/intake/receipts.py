"""Provider delivery/read receipts: our outbound messages move to delivered, read or failed.

Each receipt is stored once (unique on channel + provider event id), so a provider retrying
its webhook changes nothing twice. Progress only moves forward (sent < delivered < read): a
late "delivered" never undoes "read". "Read" covers every earlier message to that recipient
too (reading a message implies the ones before it were seen), and a watermark receipt names
no message, only "everything sent to this recipient up to then".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from channels.base import DeliveryState, InboundStatus
from router.models import ChannelReceipt, Message
from router.models.conversations import DELIVERY_ORDER, MessageStatus
from router.store import Database, insert_ignoring_duplicates
from router.store.types import utcnow
from router.tickets import events

RECEIPT_TABLE: Table = ChannelReceipt.__table__  # type: ignore[attr-defined]
_STATES = {
    DeliveryState.sent: MessageStatus.sent,
    DeliveryState.delivered: MessageStatus.delivered,
    DeliveryState.read: MessageStatus.read,
    DeliveryState.failed: MessageStatus.failed,
}


async def apply(db: Database, statuses: Sequence[InboundStatus]) -> int:
    """Store and apply new receipts in one transaction; returns how many were new."""
    applied = 0
    async with db.session() as session:
        for status in statuses:
            receipt_id = await _store(session, db.dialect, status)
            if receipt_id is None:
                continue  # the provider retried its webhook
            applied += 1
            changed = await _apply(session, status)
            if changed:
                await session.execute(
                    update(ChannelReceipt)
                    .where(col(ChannelReceipt.id) == receipt_id)
                    .values(message_id=changed[0])
                )
        await session.commit()
    return applied


async def _store(session: AsyncSession, dialect: str, status: InboundStatus) -> int | None:
    row = {
        "channel": status.channel,
        "provider_event_id": status.provider_event_id[:200],
        "state": status.state.value,
        "recipient_address": status.recipient_address[:320],
        "provider_message_ids": list(status.provider_message_ids),
        "at": status.at,
        "received_at": utcnow(),
        "detail": {
            "error": None
            if status.error is None
            else {"code": status.error.code, "message": status.error.message},
            "watermark": status.watermark.isoformat() if status.watermark else None,
        },
    }
    statement = insert_ignoring_duplicates(dialect, RECEIPT_TABLE).returning(RECEIPT_TABLE.c.id)
    return (await session.execute(statement, row)).scalar_one_or_none()


async def _apply(session: AsyncSession, status: InboundStatus) -> list[int]:
    """Move the messages the receipt is about; returns the ids of those that changed."""
    target = _STATES.get(status.state)
    if target is None:
        return []  # e.g. "deleted": kept as a receipt, nothing to move
    named = await _named(session, status)
    messages = list(named)
    if target == MessageStatus.read and named:
        messages += await _earlier(session, status, max(m.id or 0 for m in named), None)
    elif status.watermark is not None and target != MessageStatus.failed:
        messages += await _earlier(session, status, None, status.watermark)
    changed = []
    for message in sorted({m.id: m for m in messages}.values(), key=lambda m: m.id or 0):
        if _advance(session, message, target, status):
            changed.append(message.id or 0)
    return changed


async def _named(session: AsyncSession, status: InboundStatus) -> list[Message]:
    if not status.provider_message_ids:
        return []
    rows = await session.scalars(
        select(Message)
        .where(
            col(Message.channel) == status.channel,
            col(Message.provider_message_id).in_(list(status.provider_message_ids)),
            col(Message.direction) == "outbound",
        )
        .order_by(col(Message.id))
        .with_for_update()
    )
    return list(rows)


async def _earlier(
    session: AsyncSession, status: InboundStatus, before_id: int | None, until: datetime | None
) -> list[Message]:
    query = select(Message).where(
        col(Message.channel) == status.channel,
        col(Message.recipient_address) == status.recipient_address,
        col(Message.direction) == "outbound",
        col(Message.status).in_([MessageStatus.sent, MessageStatus.delivered]),
    )
    if before_id is not None:
        query = query.where(col(Message.id) < before_id)
    if until is not None:
        query = query.where(col(Message.sent_at) <= until)
    rows = await session.scalars(query.order_by(col(Message.id)).with_for_update())
    return list(rows)


def _advance(
    session: AsyncSession, message: Message, target: MessageStatus, status: InboundStatus
) -> bool:
    current = MessageStatus(message.status)
    if target == MessageStatus.failed:
        if current not in DELIVERY_ORDER:
            return False
        error = status.error
        message.error = (
            f"the provider reported a failure: ({error.code}) {error.message}"
            if error
            else "the provider reported a failure"
        )[:2000]
    elif DELIVERY_ORDER.get(current, 99) >= DELIVERY_ORDER[target]:
        return False  # already further (or not sent: queued, failed)
    message.status = target
    events.record(
        session,
        f"message.{target.value}",
        customer_id=message.customer_id,
        conversation_id=message.conversation_id,
        message_id=message.id,
        channel=message.channel,
        at=(status.at or utcnow()).isoformat(),
    )
    return True
