"""Held messages under review: what intake set aside, and a person's decision about it.

Intake stores some inbound messages *held*: automated mail (bounces, complaints, read
receipts, auto-replies) and messages without a usable sender (router.intake.channel), with
their ``review_reason`` when the adapter gave one (malformed MIME...). They are never routed
on their own. Supervisors and admins list them, oldest first, and decide:

- **route**: the message is released into the pipeline as a normal inbound message (status
  ``received``, published): it joins its sender's conversation like any other, or a thread
  as a participant (a thread alone links nobody, router.tickets.participants). A message
  without a sender cannot be routed (nobody to answer): dismiss it.
- **dismiss**: it is set aside for good (status ``dismissed``), still readable.

Each decision is a timeline event with who took it; the audit middleware records the call.
Team isolation as for reading messages: a supervisor sees the held messages linked to a
conversation they see; unattached ones are for admins.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.broker import Broker
from router.errors import Conflict, NotFound
from router.intake.channel import ROUTED_KINDS
from router.intake.outbox import publish_and_mark
from router.models import Conversation, Message
from router.models.conversations import HeldMessagePublic, MessagePublic, MessageStatus
from router.security.principal import Principal
from router.security.visibility import conversation_clause
from router.store import Database
from router.store.types import utcnow
from router.tickets import conversations, events


def held_because(message: Message) -> str:
    """Why a held message was held, in words: its kind when automated, and the adapter's
    review reason (or the missing sender)."""
    kind = str(message.meta.get("kind") or "message")
    reasons = [] if kind in ROUTED_KINDS else [f"automated mail ({kind})"]
    if message.review_reason:
        reasons.append(message.review_reason)
    elif not message.sender_address:
        reasons.append("no sender address: nobody to answer")
    return "; ".join(reasons) or "held at intake"


def public(message: Message) -> HeldMessagePublic:
    return HeldMessagePublic(
        **MessagePublic.of(message).model_dump(), held_because=held_because(message)
    )


async def list_held(
    db: Database, viewer: Principal, *, after_id: int, limit: int
) -> Sequence[Message]:
    """Held messages the viewer may see, oldest first (``after_id``: the last id seen)."""
    query = select(Message).where(
        col(Message.status) == MessageStatus.held, col(Message.id) > after_id
    )
    clause = conversation_clause(viewer)
    if clause is not None:  # unattached ones: admins only, as for reading a message
        query = query.join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        query = query.where(clause)
    async with db.read_session() as session:
        rows = await session.scalars(query.order_by(col(Message.id)).limit(limit))
        return rows.all()


async def route_held(db: Database, broker: Broker, message_id: int, viewer: Principal) -> Message:
    """Release a held message into the pipeline, as a normal inbound message."""
    async with db.session() as session:
        message = await _lock_held(session, message_id, viewer)
        if not message.sender_address:
            raise Conflict(
                f"message {message_id} has no sender: nobody to route it to; dismiss it",
                field="message_id",
            )
        conversation_id, customer_id = message.conversation_id, message.customer_id
        message.status = MessageStatus.received
        message.conversation_id = message.customer_id = None  # the pipeline decides
        message.processed_at = message.published_at = None
        _decided(session, message, viewer, "message.released", conversation_id, customer_id)
        await session.commit()
        await session.refresh(message)
    await publish_and_mark(db, broker, [message_id])  # else the outbox sweeper does
    return message


async def dismiss_held(db: Database, message_id: int, viewer: Principal) -> Message:
    """Set a held message aside for good."""
    async with db.session() as session:
        message = await _lock_held(session, message_id, viewer)
        message.status = MessageStatus.dismissed
        _decided(
            session,
            message,
            viewer,
            "message.dismissed",
            message.conversation_id,
            message.customer_id,
        )
        await session.commit()
        await session.refresh(message)
        return message


async def _lock_held(session: AsyncSession, message_id: int, viewer: Principal) -> Message:
    message = await conversations.visible_message(session, message_id, viewer, lock=True)
    if message.direction != "inbound":
        raise NotFound(f"message {message_id} does not exist", field="message_id")
    if message.status != MessageStatus.held:
        raise Conflict(
            f"message {message_id} is not held (status {message.status}): nothing to decide",
            field="message_id",
        )
    return message


def _decided(
    session: AsyncSession,
    message: Message,
    viewer: Principal,
    type_: str,
    conversation_id: int | None,
    customer_id: int | None,
) -> None:
    now = utcnow()
    message.meta = {
        **message.meta,
        "review": {
            "decision": type_.removeprefix("message."),
            "by": events.actor(viewer),
            "at": now.isoformat(),
        },
    }
    events.record(
        session,
        type_,
        customer_id=customer_id,
        conversation_id=conversation_id,
        message_id=message.id,
        channel=message.channel,
        by=events.actor(viewer),
    )
