"""Threads: the conversation a reply belongs to, and reopening it.

A message names what it answers (email In-Reply-To/References, a Messenger ``reply_to``, a
WhatsApp ``context``), stored at intake in ``metadata.threading``. Those ids are the
``external_id`` of an inbound message or the ``provider_message_id`` of one of our replies
(the Message-ID our email carried), so the conversation is one indexed look-up away. A reply
to a resolved conversation reopens it, when its customer has no other one open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from channels.base import Threading
from channels.text import stable_id
from router.models import Conversation, Message
from router.models.conversations import ConversationStatus
from router.services import events
from router.store.types import utcnow

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
        if ident in found:
            return await session.get(Conversation, found[ident])
    return None


async def reopen_threads(
    session: AsyncSession,
    backlog: Sequence[Message],
    customer_ids: Mapping[SenderKey, int],
    open_conversations: dict[int, Conversation],
) -> dict[int, Message]:
    """Reopen the resolved conversation a customer's first waiting message answers.

    Only for customers with no open conversation (at most one is open per customer);
    returns customer -> that message, like a newly opened conversation, to be routed.
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
            or conversation.status != ConversationStatus.resolved
        ):
            continue
        _reopen(session, conversation, message)
        open_conversations[customer_id] = conversation
        reopened[customer_id] = message
    return reopened


def _reopen(session: AsyncSession, conversation: Conversation, message: Message) -> None:
    now = utcnow()
    conversation.status = ConversationStatus.waiting
    conversation.waiting_since = now
    conversation.resolved_at = None
    conversation.assignee_id = None
    conversation.updated_at = now
    events.record(
        session,
        "conversation.reopened",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        channel=message.channel,
        reason="a reply in its thread",
    )
