"""The ticket lifecycle: people move tickets between statuses, the ticket clock moves the
ones whose time is up, and the customer's next message brings one back (``requeue``).

Transitions are decided by router.tickets.transitions (pure). Leaving the live work
(pending, resolved, closed) ends the live assignment and frees the advisor's seat, but the
advisor stays the owner (``assignee_id``). Back in the queue (pending -> open, resolved ->
reopened) the conversation is routed again; the routing engine's affinity prefers the
advisor who had it. Every change records an event with who did it, and the SLA clock is
told (router.tickets.sla); each resolution may send a satisfaction survey.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from router.errors import Conflict, Forbidden
from router.models import Conversation
from router.models.conversations import (
    OPEN_STATUSES,
    ConversationPublic,
    ConversationStatus,
    ticket_status,
)
from router.models.tickets import StatusChange, StatusTarget
from router.routing import assignment, care, queue
from router.routing.context import RoutingContext, avoided
from router.security import ownership
from router.security.principal import Principal
from router.settings import Settings
from router.store import Database
from router.store.types import utcnow
from router.tickets import abandonment, conversations, csat, events, sla, tags
from router.tickets.transitions import transition
from skills import Requirements

BATCH = 200  # conversations per ticket-clock transaction
MAX_BATCHES = 25  # per round and kind: a backlog is worked off over the next rounds
CUSTOMER: dict[str, Any] = {"kind": "customer"}  # ``by`` of changes the customer caused
WINDOW_PASSED = "reopen window passed"
NO_ANSWER = "no answer from the customer"


async def change_status(
    db: Database,
    settings: Settings,
    conversation_id: int,
    change: StatusChange,
    viewer: Principal | None,
    *,
    lenient: bool = False,
) -> ConversationPublic:
    """Move one ticket to ``change.status`` (refused with the reason when it may not);
    ``lenient``: see ``ticket_rules.transition``."""
    async with db.session() as session:
        conversation = await conversations.lock_visible(session, conversation_id, viewer)
        await check_may_change(session, viewer, conversation)
        event = transition(
            ConversationStatus(conversation.status),
            ticket_status(conversation.status, conversation.first_response_at),
            change.status,
            owned=conversation.assignee_id is not None,
            reason=change.reason,
            lenient=lenient,
        )
        now = utcnow()
        by = events.actor(viewer)
        if change.status == StatusTarget.open:
            await _back_to_queue(session, conversation, event, change.reason, by, now)
        else:
            await settle(
                session, settings, conversation, change.status, event, change.reason, by, now
            )
        result = await tags.public(session, conversation)
        await session.commit()
        return result


async def check_may_change(
    session: AsyncSession, viewer: Principal | None, conversation: Conversation
) -> None:
    if not await ownership.may_act_on(session, viewer, conversation):
        raise Forbidden(
            "only the advisor who owns this conversation, their supervisor or an admin may "
            "change its status"
        )


async def settle(
    session: AsyncSession,
    settings: Settings,
    conversation: Conversation,
    target: StatusTarget,
    event: str,
    reason: str | None,
    by: dict[str, Any],
    now: datetime,
) -> None:
    """Pending, resolved or closed: the live assignment ends and the seat goes to waiting
    work; the owner stays. Resolved or closed straight from the queue, it was abandoned
    (router.tickets.abandonment)."""
    assert conversation.id is not None
    previous, owner = conversation.status, conversation.assignee_id
    abandonment.note(session, conversation, ConversationStatus(target.value), now)
    released = await care.end_live_assignment(session, conversation.id, target.value, now)
    conversation.status = ConversationStatus(target.value)
    conversation.waiting_since = None
    conversation.wait_alerted_at = None
    conversation.pending_since = now if target == StatusTarget.pending else None
    if target == StatusTarget.resolved:
        conversation.resolved_at = now
    if target == StatusTarget.closed:
        conversation.closed_at = now
    conversation.status_reason = reason
    conversation.updated_at = now
    sla.on_status_change(conversation, now)
    _record(session, conversation, event, previous, reason, by, owner)
    await session.flush()
    for advisor_id in released:
        await assignment.fill_advisor(session, advisor_id)
    if target == StatusTarget.resolved and settings.csat_enabled:
        await csat.survey_after_resolution(session, conversation, settings)


def requeue(
    session: AsyncSession,
    conversation: Conversation,
    now: datetime,
    *,
    event: str,
    reason: str | None,
    by: dict[str, Any],
    **data: Any,
) -> None:
    """Back to waiting in the queue (from pending, or reopened from resolved); the caller
    routes it. The previous owner is only a preference now (routing affinity)."""
    previous, owner = conversation.status, conversation.assignee_id
    conversation.status = ConversationStatus.waiting
    conversation.waiting_since = now
    conversation.wait_alerted_at = None  # a new wait: it may alert again
    conversation.assignee_id = None
    conversation.resolved_at = None
    conversation.pending_since = None
    conversation.status_reason = reason
    conversation.updated_at = now
    sla.on_status_change(conversation, now)
    _record(session, conversation, event, previous, reason, by, owner, **data)


def _record(
    session: AsyncSession,
    conversation: Conversation,
    event: str,
    previous: str,
    reason: str | None,
    by: dict[str, Any],
    owner: int | None,
    **data: Any,
) -> None:
    change: dict[str, Any] = {
        "from": str(previous),
        "to": str(conversation.status),
        "reason": reason,
        "by": by,
    }
    events.record(
        session,
        event,
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=owner,
        **change,
        **data,
    )


async def _back_to_queue(
    session: AsyncSession,
    conversation: Conversation,
    event: str,
    reason: str | None,
    by: dict[str, Any],
    now: datetime,
) -> None:
    if conversation.status == ConversationStatus.resolved:
        await _check_nothing_else_open(session, conversation)
    requeue(session, conversation, now, event=event, reason=reason, by=by)
    try:
        await session.flush()
    except IntegrityError:  # the customer's next message opened one meanwhile
        raise Conflict(
            f"customer {conversation.customer_id} has another open conversation now",
            field="status",
        ) from None
    await _route_again(session, conversation)


async def _check_nothing_else_open(session: AsyncSession, conversation: Conversation) -> None:
    """A customer has at most one open conversation: their messages go there."""
    other = await session.scalar(
        select(Conversation.id).where(
            col(Conversation.customer_id) == conversation.customer_id,
            col(Conversation.status).in_(OPEN_STATUSES),
            col(Conversation.id) != conversation.id,
        )
    )
    if other is not None:
        raise Conflict(
            f"customer {conversation.customer_id} has another open conversation ({other}); "
            "it cannot be reopened while that one is open",
            field="status",
        )


async def _route_again(session: AsyncSession, conversation: Conversation) -> None:
    """Route with the requirements it had, preferring the customer's last advisor."""
    assert conversation.id is not None
    context = await RoutingContext.load(session, returning_customers=[conversation.customer_id])
    if conversation.requirements:
        requirements = Requirements.from_dict(conversation.requirements)
    else:  # never routed (should not happen): anyone on its channel and language
        requirements = Requirements(
            channel=str(conversation.channel), skills={}, language=conversation.language
        )
        conversation.requirements = requirements.to_dict()
    queue.refile(conversation, context.policy, context.now)
    rule = next(
        (r for r in context.rules if r.id == conversation.rule_id),
        next(r for r in context.rules if r.is_default),
    )
    avoid = (await avoided(session, [conversation.id], context.now)).get(conversation.id, {})
    await assignment.route_one(session, conversation, rule, requirements, context, dict(avoid))


async def expire(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """The ticket clock: close resolved conversations whose reopen window has passed, and
    resolve pending ones the customer left unanswered too long; returns how many changed.

    Bounded batches, each its own transaction; rows another worker holds are skipped
    (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer), and a locked row is
    judged on its current state, so concurrent or repeated rounds change nothing twice.
    """
    now = now or utcnow()
    cutoff = now - timedelta(hours=settings.reopen_window_hours)
    due = _due(ConversationStatus.resolved, col(Conversation.resolved_at), cutoff)
    changed = await _in_batches(
        db,
        due,
        lambda s, c: settle(
            s,
            settings,
            c,
            StatusTarget.closed,
            "conversation.closed",
            WINDOW_PASSED,
            events.actor(None),
            now,
        ),
    )
    if settings.pending_resolve_hours is not None:
        cutoff = now - timedelta(hours=settings.pending_resolve_hours)
        due = _due(ConversationStatus.pending, col(Conversation.pending_since), cutoff)
        changed += await _in_batches(
            db,
            due,
            lambda s, c: settle(
                s,
                settings,
                c,
                StatusTarget.resolved,
                "conversation.resolved",
                NO_ANSWER,
                events.actor(None),
                now,
            ),
        )
    return changed


def _due(status: ConversationStatus, stamp: Any, cutoff: datetime) -> SelectOfScalar[Conversation]:
    return (
        select(Conversation)
        .where(col(Conversation.status) == status, stamp <= cutoff)
        .order_by(stamp, col(Conversation.id))
        .limit(BATCH)
        .with_for_update(skip_locked=True, key_share=True)
    )


async def _in_batches(
    db: Database,
    due: SelectOfScalar[Conversation],
    apply: Callable[[AsyncSession, Conversation], Awaitable[None]],
) -> int:
    changed = 0
    for _ in range(MAX_BATCHES):
        async with db.session() as session:
            rows = (await session.scalars(due)).all()
            for conversation in rows:
                await apply(session, conversation)
            await session.commit()
        changed += len(rows)
        if len(rows) < BATCH:
            break
    return changed
