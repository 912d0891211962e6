"""Whether a web chat visitor is still there, kept in the database for every process.

A visitor's WebSocket lives in one API process; the ticket clock that gives up on them runs
in a worker. So sockets write what they see on the visitor's open web chat conversation:
``visitor_left_at`` when the visitor's last socket in this process closes; cleared when a
socket opens and, every ``chat_hub.SAFETY_POLL_SECONDS``, by every open socket (so a socket
still open in another process, or a reconnection the server saw before the old socket's
close, wins within that time).

A visitor gone for ``webchat_abandon_grace_seconds`` while their conversation still waits,
without writing since, has abandoned it: it is resolved with the reason "abandoned", which
takes it out of the queue and records the abandonment (router.tickets.abandonment); writing
again within the reopen window reopens it. A visitor who left a message to be answered by
e-mail has not abandoned: their conversation keeps waiting. A widget that only polls (no
socket) is never taken for gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Table, and_, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from router.models import ChannelIdentity, Conversation, Message
from router.models.conversations import OPEN_STATUSES
from router.models.tickets import StatusTarget
from router.replies import reply
from router.settings import Settings
from router.store import Database
from router.store.hints import indexed_by
from router.store.types import utcnow
from router.tickets import lifecycle

CHANNEL = "chat"
ABANDONED = "abandoned"
BATCH = 200


async def left(db: Database, visitor_id: str) -> None:
    """The visitor's last socket here closed: note when, on their open web chat."""
    async with db.session() as session:
        await session.execute(
            update(Conversation).where(_open_chat(visitor_id)).values(visitor_left_at=utcnow())
        )
        await session.commit()


# The partial index's own predicate, as literals (SQLite matches terms as written, and
# PostgreSQL's generic plans need them too); read through that index on SQLite.
_VISITOR_LEFT = text("conversation.status = 'waiting' AND conversation.visitor_left_at IS NOT NULL")
_TABLE: Table = Conversation.__table__  # type: ignore[attr-defined]
_BY_INDEX = aliased(Conversation, indexed_by(_TABLE, "ix_conversation_visitor_left"))


async def present(db: Database, visitor_id: str) -> None:
    """The visitor is here (a socket open, or the widget polling): they have not left. Read
    first: the common case changes nothing and should not take SQLite's write lock."""
    async with db.read_session() as session:
        marked = await session.scalar(
            select(Conversation.id)
            .where(_open_chat(visitor_id), col(Conversation.visitor_left_at).is_not(None))
            .limit(1)
        )
    if marked is None:
        return
    async with db.session() as session:
        await session.execute(
            update(Conversation)
            .where(_open_chat(visitor_id), col(Conversation.visitor_left_at).is_not(None))
            .values(visitor_left_at=None)
        )
        await session.commit()


async def abandon_departed(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """Resolve, as abandoned, one batch of waiting web chats whose visitor left longer than
    the grace ago without writing since (SKIP LOCKED: ticket clocks share the work)."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=settings.webchat_abandon_grace_seconds)
    async with db.session() as session:
        gone = (
            await session.scalars(
                select(_BY_INDEX)
                .where(
                    _VISITOR_LEFT,
                    col(_BY_INDEX.visitor_left_at) <= cutoff,
                    col(_BY_INDEX.last_message_at) < col(_BY_INDEX.visitor_left_at),
                )
                .order_by(col(_BY_INDEX.visitor_left_at))
                .limit(BATCH)
                .with_for_update(skip_locked=True, key_share=True)
            )
        ).all()
        abandoned = 0
        for conversation in gone:
            if await _answered_by_email(session, conversation):
                conversation.visitor_left_at = None  # they left a message: not abandoned
                continue
            abandoned += 1
            await lifecycle.settle(
                session,
                settings,
                conversation,
                StatusTarget.resolved,
                "conversation.resolved",
                ABANDONED,
                lifecycle.CUSTOMER,
                now,
            )
        await session.commit()
    return abandoned


async def _answered_by_email(session: AsyncSession, conversation: Conversation) -> bool:
    """Whether the visitor's last message asked to be answered by e-mail."""
    last = await session.scalar(
        select(Message)
        .where(
            col(Message.conversation_id) == conversation.id,
            col(Message.direction) == "inbound",
            col(Message.channel) == CHANNEL,
        )
        .order_by(col(Message.id).desc())
        .limit(1)
    )
    return reply.email_requested(last) is not None


def _open_chat(visitor_id: str) -> ColumnElement[bool]:
    """The visitor's open conversation, when it is on the web chat."""
    customer = (
        select(ChannelIdentity.customer_id)
        .where(col(ChannelIdentity.channel) == CHANNEL, col(ChannelIdentity.address) == visitor_id)
        .scalar_subquery()
    )
    return and_(
        col(Conversation.customer_id) == customer,
        col(Conversation.status).in_(OPEN_STATUSES),
        col(Conversation.channel) == CHANNEL,
    )
