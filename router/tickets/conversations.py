"""Reading conversations (status changes: router.tickets.lifecycle)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import NotFound
from router.models import Conversation, Event, Message
from router.models.conversations import ConversationPublic
from router.routing import standing
from router.security.principal import Principal
from router.security.visibility import conversation_clause
from router.store import Database
from router.tickets import tags


async def _get(
    session: AsyncSession,
    conversation_id: int,
    viewer: Principal | None,
    *,
    lock: bool = False,
) -> Conversation:
    """The conversation if it exists and ``viewer`` may see it (None: the system itself)."""
    query = select(Conversation).where(col(Conversation.id) == conversation_id)
    clause = conversation_clause(viewer) if viewer is not None else None
    if clause is not None:
        query = query.where(clause)
    conversation = await session.scalar(query.with_for_update(key_share=True) if lock else query)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} does not exist", field="conversation_id")
    return conversation


async def lock_visible(
    session: AsyncSession, conversation_id: int, viewer: Principal | None
) -> Conversation:
    """The conversation, locked, if ``viewer`` may see it (404 otherwise)."""
    return await _get(session, conversation_id, viewer, lock=True)


async def visible(
    session: AsyncSession, conversation_id: int, viewer: Principal | None
) -> Conversation:
    """The conversation if ``viewer`` may see it (404 otherwise); not locked."""
    return await _get(session, conversation_id, viewer)


async def get_conversation(
    db: Database, conversation_id: int, viewer: Principal | None
) -> Conversation:
    async with db.read_session() as session:
        return await _get(session, conversation_id, viewer)


async def get_public(
    db: Database, conversation_id: int, viewer: Principal | None
) -> ConversationPublic:
    """The conversation as the API shows it (tags filled)."""
    async with db.read_session() as session:
        conversation = await _get(session, conversation_id, viewer)
        public = await tags.public(session, conversation)
        public.queue = await standing.of(session, conversation)
        return public


async def conversation_messages(
    db: Database, conversation_id: int, viewer: Principal | None, *, after_id: int, limit: int
) -> Sequence[Message]:
    async with db.read_session() as session:
        await _get(session, conversation_id, viewer)
        query = (
            select(Message)
            .where(col(Message.conversation_id) == conversation_id, col(Message.id) > after_id)
            .order_by(col(Message.id))
            .limit(limit)
        )
        return (await session.scalars(query)).all()


async def conversation_events(
    db: Database, conversation_id: int, viewer: Principal | None, *, after_id: int, limit: int
) -> Sequence[Event]:
    async with db.read_session() as session:
        await _get(session, conversation_id, viewer)
        query = (
            select(Event)
            .where(col(Event.conversation_id) == conversation_id, col(Event.id) > after_id)
            .order_by(col(Event.id))
            .limit(limit)
        )
        return (await session.scalars(query)).all()


async def get_message(db: Database, message_id: int, viewer: Principal | None) -> Message:
    """A message not yet attached to a conversation is visible to admins and integrators only."""
    async with db.read_session() as session:
        return await visible_message(session, message_id, viewer)


async def visible_message(
    session: AsyncSession, message_id: int, viewer: Principal | None, *, lock: bool = False
) -> Message:
    """The message if ``viewer`` may see it (404 otherwise): through its conversation, and an
    unattached one for admins and integrators only (None: the system itself)."""
    message = await session.get(Message, message_id, with_for_update=lock)
    missing = NotFound(f"message {message_id} does not exist", field="message_id")
    if message is None:
        raise missing
    if viewer is not None and not viewer.sees_everything:
        if message.conversation_id is None:
            raise missing
        try:
            await _get(session, message.conversation_id, viewer)
        except NotFound:
            raise missing from None
    return message
