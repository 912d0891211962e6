"""Threads: the conversation a reply belongs to, and reopening it.

A message names what it answers (email In-Reply-To/References, a Messenger ``reply_to``, a
WhatsApp ``context``), stored at intake in ``metadata.threading``. Those ids are the
``external_id`` of an inbound message or the ``provider_message_id`` of one of our replies
(the Message-ID our email carried), so the conversation is one indexed look-up away. A reply
to a resolved conversation reopens it, when its customer has no other one open and the
reopen window has not passed.

A customer writing again also brings back their conversation otherwise (router.tickets.
lifecycle): a pending one goes back to the queue; a resolved one within the reopen window is
reopened; after it (or after a close) a new conversation opens, linked to the latest one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as select_columns
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from channels.base import Threading
from channels.text import stable_id
from router.models import Conversation, Message
from router.models.conversations import OPEN_STATUSES, ConversationStatus
from router.tickets import lifecycle

SenderKey = tuple[str, str]


def ancestors(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids a message answers (most recent first), as stored ids."""
    threading = meta.get("threading")
    if not isinstance(threading, dict):
        return ()
    references = threading.get("references")
    parent = threading.get("in_reply_to")
    chain = Threading(
        message_id=None,
        in_reply_to=parent if isinstance(parent, str) else None,
        references=tuple(r for r in references if isinstance(r, str))
        if isinstance(references, list)
        else (),
    ).ancestors()
    return tuple(dict.fromkeys(stable_id(i) for i in chain[:50]))


async def thread_conversation(
    session: AsyncSession, channel: str, meta: Mapping[str, Any]
) -> Conversation | None:
    """The conversation of the nearest known ancestor, or None."""
    ids = ancestors(meta)
    if not ids:
        return None
    rows = await session.execute(
        select(Message.external_id, Message.provider_message_id, Message.conversation_id).where(
            col(Message.channel) == channel,
            col(Message.conversation_id).is_not(None),
            or_(col(Message.external_id).in_(ids), col(Message.provider_message_id).in_(ids)),
        )
    )
    found: dict[str, int] = {}
    for external_id, provider_id, conversation_id in rows:
        found.setdefault(external_id, conversation_id)
        if provider_id:
            found.setdefault(provider_id, conversation_id)
    for ident in ids:
        if ident in found:  # locked: the ticket clock may be closing it right now
            return await session.get(
                Conversation,
                found[ident],
                with_for_update={"key_share": True},
                populate_existing=True,
            )
    return None


async def foreign_open_threads(
    session: AsyncSession, backlog: Sequence[Message], customer_of: Mapping[SenderKey, int]
) -> dict[int, Conversation]:
    """Message id -> the open conversation its thread names, for messages answering a thread
    of *another* customer than their sender's (locked; a fixed number of queries a batch).

    Answering a thread proves nothing about who writes: message ids travel in every CC and
    forward (router.tickets.participants decides what such a message is).
    """
    wanted = {m.id: ancestors(m.meta) for m in backlog if m.id is not None and m.meta}
    wanted = {message_id: ids for message_id, ids in wanted.items() if ids}
    if not wanted:
        return {}
    found = await _known_ids(session, sorted({i for ids in wanted.values() for i in ids}))
    foreign: dict[int, int] = {}
    for message in backlog:
        for ident in wanted.get(message.id or 0, ()):
            owner = found.get((message.channel, ident))
            if owner is not None:
                conversation_id, customer_id, status = owner
                sender = customer_of[(message.channel, message.sender_address)]
                if customer_id != sender and status in OPEN_STATUSES:
                    foreign[message.id or 0] = conversation_id
                break
    if not foreign:
        return {}
    rows = await session.scalars(
        select(Conversation)
        .where(col(Conversation.id).in_(sorted(set(foreign.values()))))
        .order_by(col(Conversation.id))
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    locked = {c.id: c for c in rows if c.status in OPEN_STATUSES}
    return {m: locked[c] for m, c in foreign.items() if c in locked}


async def _known_ids(
    session: AsyncSession, ids: Sequence[str]
) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(channel, stored id) -> (conversation id, its customer, its status) for these ids."""
    found: dict[tuple[str, str], tuple[int, int, str]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        rows = await session.execute(
            select_columns(
                col(Message.channel),
                col(Message.external_id),
                col(Message.provider_message_id),
                col(Conversation.id),
                col(Conversation.customer_id),
                col(Conversation.status),
            )
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .where(
                or_(
                    col(Message.external_id).in_(chunk),
                    col(Message.provider_message_id).in_(chunk),
                )
            )
        )
        for channel, external_id, provider_id, conversation_id, customer_id, status in rows:
            owner = (conversation_id or 0, customer_id, str(status))
            found.setdefault((channel, external_id), owner)
            if provider_id:
                found.setdefault((channel, provider_id), owner)
    return found


async def reopen_threads(
    session: AsyncSession,
    backlog: Sequence[Message],
    customer_ids: Mapping[SenderKey, int],
    open_conversations: dict[int, Conversation],
    *,
    window: timedelta,
    now: datetime,
) -> dict[int, Message]:
    """Reopen the resolved conversation a customer's first waiting message answers.

    Only for customers with no open conversation (at most one is open per customer), and
    within the reopen window; returns customer -> that message, like a newly opened
    conversation, to be routed.
    """
    reopened: dict[int, Message] = {}
    seen: set[int] = set()
    for message in backlog:
        customer_id = customer_ids[(message.channel, message.sender_address)]
        if customer_id in open_conversations or customer_id in seen:
            continue
        seen.add(customer_id)
        conversation = await thread_conversation(session, message.channel, message.meta)
        if (
            conversation is None
            or conversation.customer_id != customer_id
            or not _reopenable(conversation, window, now)
        ):
            continue
        _reopen(session, conversation, message, now, "a reply in its thread")
        open_conversations[customer_id] = conversation
        reopened[customer_id] = message
    return reopened


def resume_pending(
    session: AsyncSession,
    backlog: Sequence[Message],
    customer_ids: Mapping[SenderKey, int],
    open_conversations: Mapping[int, Conversation],
    now: datetime,
) -> dict[int, Message]:
    """The customer answered: their pending conversation goes back to the queue; returns
    customer -> first message, to be routed (the previous advisor is preferred)."""
    resumed: dict[int, Message] = {}
    for message in backlog:
        customer_id = customer_ids[(message.channel, message.sender_address)]
        conversation = open_conversations.get(customer_id)
        if (
            conversation is None
            or customer_id in resumed
            or conversation.status != ConversationStatus.pending
        ):
            continue
        lifecycle.requeue(
            session,
            conversation,
            now,
            event="conversation.resumed",
            reason="the customer wrote again",
            by=lifecycle.CUSTOMER,
            channel=message.channel,
        )
        resumed[customer_id] = message
    return resumed


async def reopen_recent(
    session: AsyncSession,
    backlog: Sequence[Message],
    customer_ids: Mapping[SenderKey, int],
    open_conversations: dict[int, Conversation],
    *,
    window: timedelta,
    now: datetime,
) -> tuple[dict[int, Message], dict[int, int]]:
    """For customers still without an open conversation: reopen their latest one when it
    was resolved within the window. Returns (customer -> first message of the reopened
    ones, to be routed; customer -> latest conversation id for the others, which a new
    conversation links to)."""
    waiting = {
        customer_ids[(m.channel, m.sender_address)]: m
        for m in reversed(backlog)
        if customer_ids[(m.channel, m.sender_address)] not in open_conversations
    }
    reopened: dict[int, Message] = {}
    previous: dict[int, int] = {}
    for conversation in await _latest_locked(session, list(waiting)):
        customer_id = conversation.customer_id
        if _reopenable(conversation, window, now):
            message = waiting[customer_id]
            _reopen(session, conversation, message, now, "the customer wrote again in time")
            open_conversations[customer_id] = conversation
            reopened[customer_id] = message
        elif conversation.id is not None:
            previous[customer_id] = conversation.id
    return reopened, previous


async def _latest_locked(
    session: AsyncSession, customer_ids: Sequence[int]
) -> Sequence[Conversation]:
    """Each customer's latest conversation, locked in id order."""
    if not customer_ids:
        return []
    latest = (
        select(func.max(Conversation.id))
        .where(col(Conversation.customer_id).in_(sorted(customer_ids)))
        .group_by(col(Conversation.customer_id))
    )
    rows = await session.scalars(
        select(Conversation)
        .where(col(Conversation.id).in_(latest))
        .order_by(col(Conversation.id))
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return rows.all()


def _reopenable(conversation: Conversation, window: timedelta, now: datetime) -> bool:
    return (
        conversation.status == ConversationStatus.resolved
        and conversation.resolved_at is not None
        and conversation.resolved_at > now - window
    )


def _reopen(
    session: AsyncSession,
    conversation: Conversation,
    message: Message,
    now: datetime,
    reason: str,
) -> None:
    lifecycle.requeue(
        session,
        conversation,
        now,
        event="conversation.reopened",
        reason=reason,
        by=lifecycle.CUSTOMER,
        channel=message.channel,
    )
