"""The pipeline use case: a stored inbound message becomes part of a routed conversation.

Order per sender is guaranteed by the database, not by the broker: the sender's channel
identity row is locked, then *all* of that sender's unprocessed messages up to this one are
handled in arrival order. A later delivery of a message already handled is a no-op, so
several workers, redeliveries and out-of-order deliveries are all safe.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.classify.language import detect_language
from router.models import ChannelIdentity, Conversation, Customer, Message
from router.models.channels import Channel
from router.models.conversations import OPEN_STATUSES, ConversationStatus, MessageStatus
from router.services import assignment, events
from router.store import Database
from router.store.types import utcnow
from skills import Facts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    processed: int  # messages handled by this call (0: nothing left to do)
    assigned_to: int | None = None


async def process_inbound(db: Database, message_id: int) -> Outcome:
    """Handle ``message_id`` and its sender's earlier backlog in one transaction."""
    async with db.session() as session:
        message = await session.get(Message, message_id)
        if message is None or message.status != MessageStatus.received:
            return Outcome(processed=0)
        identity = await _lock_identity(session, message)
        backlog = (
            await session.scalars(
                select(Message)
                .where(
                    col(Message.channel) == message.channel,
                    col(Message.sender_address) == message.sender_address,
                    col(Message.status) == MessageStatus.received,
                    col(Message.id) <= message_id,
                )
                .order_by(col(Message.id))
            )
        ).all()
        assigned_to = None
        for pending in backlog:
            assigned_to = await _attach(session, identity, pending) or assigned_to
        await session.commit()
        return Outcome(processed=len(backlog), assigned_to=assigned_to)


async def _lock_identity(session: AsyncSession, message: Message) -> ChannelIdentity:
    """The sender's identity row, locked; created with its customer on first contact."""
    query = (
        select(ChannelIdentity)
        .where(
            col(ChannelIdentity.channel) == message.channel,
            col(ChannelIdentity.address) == message.sender_address,
        )
        .with_for_update(key_share=True)
    )
    identity = await session.scalar(query)
    if identity is not None:
        return identity
    try:
        async with session.begin_nested():
            customer = Customer(
                display_name=message.sender_name,
                email=message.sender_email,
                phone=message.sender_phone,
            )
            session.add(customer)
            await session.flush()
            assert customer.id is not None
            identity = ChannelIdentity(
                customer_id=customer.id,
                channel=message.channel,
                address=message.sender_address,
                display_name=message.sender_name,
            )
            session.add(identity)
            await session.flush()
            events.record(
                session, "customer.created", customer_id=customer.id, channel=message.channel
            )
            return identity
    except IntegrityError:
        # Another worker created this sender meanwhile; its row is committed now.
        identity = await session.scalar(query)
        assert identity is not None
        return identity


async def _attach(session: AsyncSession, identity: ChannelIdentity, message: Message) -> int | None:
    """Put one message in its conversation; route the conversation if it is new."""
    now = utcnow()
    conversation = await session.scalar(
        select(Conversation)
        .where(
            col(Conversation.customer_id) == identity.customer_id,
            col(Conversation.status).in_(OPEN_STATUSES),
        )
        .with_for_update(key_share=True)
    )
    is_new = conversation is None
    if conversation is None:
        conversation = Conversation(
            customer_id=identity.customer_id,
            channel=Channel(message.channel),
            status=ConversationStatus.waiting,
            waiting_since=now,
        )
        session.add(conversation)
        await session.flush()
        events.record(
            session,
            "conversation.opened",
            customer_id=identity.customer_id,
            conversation_id=conversation.id,
            channel=message.channel,
        )
    elif conversation.channel != message.channel:
        events.record(
            session,
            "conversation.channel_switched",
            customer_id=identity.customer_id,
            conversation_id=conversation.id,
            previous=conversation.channel,
            current=message.channel,
        )
        conversation.channel = Channel(message.channel)
    conversation.last_message_at = now
    conversation.updated_at = now
    message.customer_id = identity.customer_id
    message.conversation_id = conversation.id
    message.status = MessageStatus.processed
    message.processed_at = now
    events.record(
        session,
        "message.received",
        customer_id=identity.customer_id,
        conversation_id=conversation.id,
        message_id=message.id,
        channel=message.channel,
    )
    if not is_new:
        return None
    facts = Facts(
        channel=message.channel,
        language=_hint(message, "language") or detect_language(message.text),
        intent=_hint(message, "intent"),
        text=f"{message.subject or ''}\n{message.text}",
        tier=await assignment.customer_tier(session, identity.customer_id),
    )
    routed = await assignment.route_new_conversation(session, conversation, facts)
    return routed.advisor_id if routed else None


_HINTS = {
    # BCP 47 tag; only the primary language subtag is kept ("fr-CA" -> "fr").
    "language": re.compile(r"^([a-z]{2,3})(?:-[a-z0-9]{1,8})*$"),
    "intent": re.compile(r"^([a-z0-9_.-]{1,60})$"),
}


def _hint(message: Message, key: str) -> str | None:
    """An integrator may pass ``language``/``intent`` in metadata; used only when well-formed."""
    value = message.meta.get(key)
    if not isinstance(value, str) or len(value) > 60:
        return None
    match = _HINTS[key].match(value.strip().lower())
    return match.group(1) if match else None


async def mark_failed(db: Database, message_id: int, error: str) -> None:
    """Record a message given up on (it went to the dead-letter queue)."""
    async with db.session() as session:
        message = await session.get(Message, message_id)
        if message is not None and message.status == MessageStatus.received:
            message.status = MessageStatus.failed
            message.error = error[:2000]
            await session.commit()
