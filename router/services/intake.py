"""Accepting an inbound message: store it exactly once, then hand it to the pipeline.

The row is committed before the 2xx answer, so an accepted message is never lost. The
broker publish happens after the commit; if it fails, the message stays ``received`` and the
sweeper (router.pipeline.sweeper) publishes it again once the queue has drained.
"""

from __future__ import annotations

import logging

import orjson
from sqlalchemy import Table
from sqlmodel import col, select

from router.broker import Broker
from router.errors import BrokerError
from router.models import Message
from router.models.conversations import MessageAccepted, MessageCreate
from router.store import Database, insert_ignoring_duplicates
from router.store.types import utcnow

log = logging.getLogger(__name__)

INBOUND_TOPIC = "inbound"
MESSAGE_TABLE: Table = Message.__table__  # type: ignore[attr-defined]


def inbound_body(message_id: int) -> bytes:
    return orjson.dumps({"message_id": message_id})


async def accept_message(db: Database, broker: Broker, payload: MessageCreate) -> MessageAccepted:
    """Store ``payload`` (idempotent on channel + external id) and publish it."""
    values = {
        "channel": payload.channel.value,
        "external_id": payload.external_id,
        "direction": "inbound",
        "sender_address": payload.sender.id,
        "sender_name": payload.sender.name,
        "sender_email": payload.sender.email,
        "sender_phone": payload.sender.phone,
        "subject": payload.subject,
        "text": payload.text,
        "sent_at": payload.sent_at,
        "received_at": utcnow(),
        "metadata": payload.metadata,
        "status": "received",
    }
    statement = insert_ignoring_duplicates(db.dialect, MESSAGE_TABLE).values(**values)
    async with db.session() as session:
        inserted = (await session.execute(statement.returning(MESSAGE_TABLE.c.id))).scalar()
        if inserted is None:
            existing = await session.scalar(
                select(Message.id).where(
                    col(Message.channel) == values["channel"],
                    col(Message.external_id) == payload.external_id,
                )
            )
            await session.rollback()
            assert existing is not None  # the conflict proves the row exists
            return MessageAccepted(id=existing, duplicate=True)
        await session.commit()
    await publish_inbound(broker, inserted)
    return MessageAccepted(id=inserted, duplicate=False)


async def publish_inbound(broker: Broker, message_id: int) -> bool:
    """Publish; on failure keep going: the stored row is the source of truth."""
    try:
        await broker.publish(INBOUND_TOPIC, inbound_body(message_id))
    except BrokerError as error:
        log.warning(
            "message %s stored but not published (%s); the sweeper will retry", message_id, error
        )
        return False
    return True
