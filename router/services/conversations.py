"""Reading conversations and closing them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict, NotFound
from router.models import Assignment, Conversation, Event, Message
from router.models.conversations import ConversationStatus
from router.services import assignment, events
from router.store import Database
from router.store.types import utcnow


async def _get(session: AsyncSession, conversation_id: int, *, lock: bool = False) -> Conversation:
    query = select(Conversation).where(col(Conversation.id) == conversation_id)
    conversation = await session.scalar(query.with_for_update(key_share=True) if lock else query)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} does not exist", field="conversation_id")
    return conversation


async def get_conversation(db: Database, conversation_id: int) -> Conversation:
    async with db.read_session() as session:
        return await _get(session, conversation_id)


async def list_conversations(
    db: Database,
    *,
    status: ConversationStatus | None,
    assignee_id: int | None,
    customer_id: int | None,
    after_id: int,
    limit: int,
) -> Sequence[Conversation]:
    query = select(Conversation).where(col(Conversation.id) > after_id)
    if status is not None:
        query = query.where(col(Conversation.status) == status)
    if assignee_id is not None:
        query = query.where(col(Conversation.assignee_id) == assignee_id)
    if customer_id is not None:
        query = query.where(col(Conversation.customer_id) == customer_id)
    async with db.read_session() as session:
        return (await session.scalars(query.order_by(col(Conversation.id)).limit(limit))).all()


async def conversation_messages(
    db: Database, conversation_id: int, *, after_id: int, limit: int
) -> Sequence[Message]:
    async with db.read_session() as session:
        await _get(session, conversation_id)
        query = (
            select(Message)
            .where(col(Message.conversation_id) == conversation_id, col(Message.id) > after_id)
            .order_by(col(Message.id))
            .limit(limit)
        )
        return (await session.scalars(query)).all()


async def conversation_events(
    db: Database, conversation_id: int, *, after_id: int, limit: int
) -> Sequence[Event]:
    async with db.read_session() as session:
        await _get(session, conversation_id)
        query = (
            select(Event)
            .where(col(Event.conversation_id) == conversation_id, col(Event.id) > after_id)
            .order_by(col(Event.id))
            .limit(limit)
        )
        return (await session.scalars(query)).all()


async def get_message(db: Database, message_id: int) -> Message:
    async with db.read_session() as session:
        message = await session.get(Message, message_id)
        if message is None:
            raise NotFound(f"message {message_id} does not exist", field="message_id")
        return message


async def resolve(db: Database, conversation_id: int) -> Conversation:
    """Close the ticket and end its assignment; the freed capacity goes to waiting work."""
    async with db.session() as session:
        conversation = await _get(session, conversation_id, lock=True)
        if conversation.status == ConversationStatus.resolved:
            raise Conflict(f"conversation {conversation_id} is already resolved", field="status")
        now = utcnow()
        advisor_id = conversation.assignee_id
        await session.execute(
            update(Assignment)
            .where(
                col(Assignment.conversation_id) == conversation_id,
                col(Assignment.ended_at).is_(None),
            )
            .values(ended_at=now, end_reason="resolved")
        )
        conversation.status = ConversationStatus.resolved
        conversation.resolved_at = now
        conversation.waiting_since = None
        conversation.updated_at = now
        events.record(
            session,
            "conversation.resolved",
            customer_id=conversation.customer_id,
            conversation_id=conversation_id,
            advisor_id=advisor_id,
        )
        await session.flush()
        if advisor_id is not None:
            await assignment.fill_advisor(session, advisor_id)
        await session.commit()
        return conversation
