"""Editing a ticket: its priority and its tags (PATCH /v1/conversations/{id}).

Anyone who may see the conversation may tag it (tags are for finding work); changing the
priority moves it in the queue and may change its SLA, so it takes the same rights as a
status change (router.tickets.lifecycle.check_may_change).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Conversation
from router.models.conversations import ConversationPublic, ConversationStatus
from router.models.tickets import TicketUpdate
from router.routing import config as routing_config
from router.routing import queue
from router.security.principal import Principal, PrincipalKind
from router.store import Database
from router.store.types import utcnow
from router.tickets import conversations, events, lifecycle, sla, tags


async def update_ticket(
    db: Database, conversation_id: int, update: TicketUpdate, viewer: Principal | None
) -> ConversationPublic:
    async with db.session() as session:
        conversation = await conversations.lock_visible(session, conversation_id, viewer)
        now = utcnow()
        if update.priority is not None and update.priority != conversation.priority:
            await lifecycle.check_may_change(session, viewer, conversation)
            await _reprioritise(session, conversation, update.priority, viewer, now)
        if update.add_tags or update.remove_tags:
            await _retag(session, conversation, update, viewer)
        await session.flush()
        result = await tags.public(session, conversation)
        await session.commit()
        return result


async def _reprioritise(
    session: AsyncSession,
    conversation: Conversation,
    priority: int,
    viewer: Principal | None,
    now: datetime,
) -> None:
    previous = conversation.priority
    conversation.priority = priority
    conversation.updated_at = now
    if conversation.status == ConversationStatus.waiting:  # its place in the queue moves
        queue.refile(conversation, await routing_config.current(session), now)
    await sla.reapply_after_priority_change(session, conversation, now)
    events.record(
        session,
        "conversation.priority_changed",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=conversation.assignee_id,
        by=events.actor(viewer),
        **{"from": previous, "to": priority},
    )


async def _retag(
    session: AsyncSession,
    conversation: Conversation,
    update: TicketUpdate,
    viewer: Principal | None,
) -> None:
    assert conversation.id is not None
    staff = viewer is not None and viewer.kind == PrincipalKind.staff
    added, removed = await tags.change(
        session,
        conversation.id,
        update.add_tags,
        update.remove_tags,
        viewer.id if staff and viewer is not None else None,
    )
    if not added and not removed:
        return
    conversation.updated_at = utcnow()
    events.record(
        session,
        "conversation.tagged",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=conversation.assignee_id,
        added=added,
        removed=removed,
        by=events.actor(viewer),
    )
