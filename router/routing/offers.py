"""Offers: a pushed conversation waiting for its advisor's yes, no, or silence.

An offer is an assignment row not accepted yet (``accepted_at`` NULL); it holds the
advisor's capacity. Accepting turns it into the assignment. Declining, or letting it expire
(the waiting room's round expires offers past ``expires_at``, so an offer made by a process
that died expires all the same), ends it, keeps that advisor away from that conversation for
the configured time (``routing_exclusion``, which eligibility reports), puts the
conversation back in the queue at its original place and routes it again. An advisor who
lets an offer expire is set away: they are evidently not at their desk, and would otherwise
keep catching offers nobody answers.

Locks: the conversation row first, then the assignment row, everywhere (the same order as
assignment), so accept, decline and expiry serialise per conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict, Forbidden, NotFound
from router.models import Advisor, Assignment, Conversation, RoutingExclusion
from router.models.advisors import AdvisorStatus
from router.models.conversations import ConversationStatus
from router.routing import assignment, queue
from router.routing.context import RoutingContext, avoided
from router.security.principal import Principal
from router.security.visibility import conversation_clause, hidden, may_manage_advisor
from router.store import Database
from router.store.types import utcnow
from router.tickets import events
from skills import Requirements

log = logging.getLogger(__name__)
_EXPIRE_BATCH = 100


# Returned by the API: one pending (or just answered) offer.
class OfferPublic(BaseModel):
    id: int = Field(description="offer id (an assignment waiting for acceptance)")
    conversation_id: int = Field(description="the conversation offered")
    advisor_id: int = Field(description="the advisor it is offered to")
    channel: str = Field(description="channel of the conversation")
    offered_at: datetime = Field(description="when it was offered (UTC)")
    expires_at: datetime | None = Field(
        description="when it goes to someone else unless accepted (UTC); null: no timeout"
    )
    accepted_at: datetime | None = Field(description="when it was accepted (UTC); null: not (yet)")
    ended_at: datetime | None = Field(
        description="when the offer ended (UTC); null: still open or held"
    )
    end_reason: str | None = Field(
        description="why it ended: declined, expired, transferred, resolved...; null while open "
        "or held"
    )
    explanation: dict[str, object] = Field(
        description="why this advisor: the rule, requirements and score"
    )

    @classmethod
    def of(cls, row: Assignment) -> OfferPublic:
        return cls(
            id=row.id or 0,
            conversation_id=row.conversation_id,
            advisor_id=row.advisor_id,
            channel=row.channel,
            offered_at=row.assigned_at,
            expires_at=row.expires_at,
            accepted_at=row.accepted_at,
            ended_at=row.ended_at,
            end_reason=row.end_reason,
            explanation=row.explanation,
        )


async def list_pending(db: Database, advisor_id: int, viewer: Principal) -> list[OfferPublic]:
    """An advisor's pending offers, oldest first (themselves, their supervisor, admins)."""
    async with db.read_session() as session:
        advisor = await session.get(Advisor, advisor_id)
        if advisor is None or not _may_answer_for(viewer, advisor):
            raise hidden("advisor", advisor_id)
        rows = await session.scalars(
            select(Assignment)
            .where(
                col(Assignment.advisor_id) == advisor_id,
                col(Assignment.accepted_at).is_(None),
                col(Assignment.ended_at).is_(None),
            )
            .order_by(col(Assignment.id))
        )
        return [OfferPublic.of(row) for row in rows]


async def accept(db: Database, offer_id: int, viewer: Principal) -> OfferPublic:
    async with db.session() as session:
        offer, conversation = await _pending(session, offer_id, viewer)
        now = utcnow()
        offer.accepted_at = now
        conversation.status = ConversationStatus.assigned
        conversation.waiting_since = None
        conversation.wait_alerted_at = None  # a later wait may alert again
        conversation.updated_at = now
        events.record(
            session,
            "conversation.assigned",
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
            advisor_id=offer.advisor_id,
            mode=offer.mode,
            offer_id=offer.id,
            explanation=offer.explanation,
        )
        await session.commit()
        return OfferPublic.of(offer)


async def decline(db: Database, offer_id: int, viewer: Principal) -> OfferPublic:
    async with db.session() as session:
        offer, conversation = await _pending(session, offer_id, viewer)
        context = await RoutingContext.load(session, returning_customers=[])
        await _release(session, offer, conversation, "declined", context, by=viewer.id)
        await assignment.fill_advisor(session, offer.advisor_id)
        await session.commit()
        return OfferPublic.of(offer)


async def expire_due(db: Database) -> int:
    """End the offers whose time is up (several schedulers share them: SKIP LOCKED)."""
    async with db.session() as session:
        now = utcnow()
        due = (
            await session.execute(
                select(Assignment.id, Assignment.conversation_id)
                .where(
                    col(Assignment.accepted_at).is_(None),
                    col(Assignment.ended_at).is_(None),
                    col(Assignment.expires_at) <= now,
                )
                .order_by(col(Assignment.expires_at))
                .limit(_EXPIRE_BATCH)
            )
        ).all()
        expired = 0
        context = await RoutingContext.load(session, returning_customers=[])
        for offer_id, conversation_id in due:
            conversation = await lock_conversation(session, conversation_id, skip_locked=True)
            offer = await lock_assignment(session, offer_id)
            if conversation is None or offer is None or not _is_pending(offer):
                continue  # answered or being answered meanwhile
            await set_away(session, offer.advisor_id, context)
            await _release(session, offer, conversation, "expired", context, by=None)
            expired += 1
        await session.commit()
    if expired:
        log.info("%d offer(s) expired and went back to the queue", expired)
    return expired


# -- internals --------------------------------------------------------------------------------


def _may_answer_for(viewer: Principal, advisor: Advisor) -> bool:
    """The offered advisor, their supervisor (or one of their team's) and admins."""
    return (
        viewer.id == advisor.id
        or may_manage_advisor(viewer, advisor)
        or (viewer.role is not None and viewer.id == advisor.supervisor_id)
    )


async def _pending(
    session: AsyncSession, offer_id: int, viewer: Principal
) -> tuple[Assignment, Conversation]:
    """The offer and its conversation, locked, checked pending and answerable by ``viewer``."""
    found = await session.get(Assignment, offer_id)
    if found is None:
        raise NotFound(f"offer {offer_id} does not exist", field="offer_id")
    conversation = await lock_conversation(session, found.conversation_id, viewer=viewer)
    offer = await lock_assignment(session, offer_id)
    if conversation is None or offer is None:
        raise NotFound(f"offer {offer_id} does not exist", field="offer_id")
    advisor = await session.get(Advisor, offer.advisor_id)
    assert advisor is not None
    if not _may_answer_for(viewer, advisor):
        raise Forbidden("only the offered advisor, their supervisor or an admin may answer")
    if not _is_pending(offer):
        state = "accepted" if offer.accepted_at is not None else offer.end_reason or "ended"
        raise Conflict(f"offer {offer_id} is no longer pending ({state})", field="offer_id")
    return offer, conversation


def _is_pending(offer: Assignment) -> bool:
    return offer.accepted_at is None and offer.ended_at is None


async def lock_conversation(
    session: AsyncSession,
    conversation_id: int,
    *,
    viewer: Principal | None = None,
    skip_locked: bool = False,
) -> Conversation | None:
    """The conversation, locked and read afresh (None: not visible to ``viewer``, or held
    by another transaction with ``skip_locked``)."""
    query = select(Conversation).where(col(Conversation.id) == conversation_id)
    clause = conversation_clause(viewer) if viewer is not None else None
    if clause is not None:
        query = query.where(clause)
    result: Conversation | None = await session.scalar(
        query.with_for_update(key_share=True, skip_locked=skip_locked).execution_options(
            populate_existing=True
        )
    )
    return result


async def lock_assignment(session: AsyncSession, assignment_id: int) -> Assignment | None:
    """An assignment or offer, locked and read afresh (lock its conversation first)."""
    result: Assignment | None = await session.scalar(
        select(Assignment)
        .where(col(Assignment.id) == assignment_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return result


async def _release(
    session: AsyncSession,
    offer: Assignment,
    conversation: Conversation,
    outcome: str,
    context: RoutingContext,
    *,
    by: int | None,
) -> None:
    """End the offer, keep its advisor away for a while, requeue the conversation at its
    original place and route it again (the advisor excluded, with the reason)."""
    now = utcnow()
    offer.ended_at = now
    offer.end_reason = outcome
    reason = (
        f"declined this conversation at {now:%H:%M:%S}"
        if outcome == "declined"
        else f"let its offer expire at {now:%H:%M:%S}"
    )
    until = keep_away(session, conversation, offer.advisor_id, reason, context, now)
    back_in_queue(conversation, context, now)
    events.record(
        session,
        f"conversation.offer_{outcome}",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=offer.advisor_id,
        offer_id=offer.id,
        by=by,
        excluded_until=until.isoformat(),
    )
    await session.flush()
    await reroute(session, [conversation], context)


def keep_away(
    session: AsyncSession,
    conversation: Conversation,
    advisor_id: int,
    reason: str,
    context: RoutingContext,
    now: datetime,
) -> datetime:
    """Keep this advisor from being given (or claiming) this conversation for the configured
    time (eligibility reports ``reason``); returns until when."""
    assert conversation.id is not None
    until = now + context.policy.exclusion
    session.add(
        RoutingExclusion(
            conversation_id=conversation.id,
            advisor_id=advisor_id,
            reason=reason,
            created_at=now,
            expires_at=until,
        )
    )
    return until


def back_in_queue(conversation: Conversation, context: RoutingContext, now: datetime) -> None:
    """Waiting again, nobody's, filed at its place (``waiting_since``, which the caller
    keeps or restores); route it afterwards (``reroute``)."""
    conversation.status = ConversationStatus.waiting
    conversation.assignee_id = None
    conversation.updated_at = now
    queue.refile(conversation, context.policy, now)


async def reroute(
    session: AsyncSession, conversations: Sequence[Conversation], context: RoutingContext
) -> int:
    """Route waiting conversations again under their rule and current requirements, away
    from the advisors they must avoid; those nobody can take stay where they are."""
    rules = {rule.id: rule for rule in context.rules}
    default = next(rule for rule in context.rules if rule.is_default)
    avoid = await avoided(session, [c.id for c in conversations if c.id is not None], context.now)
    taken = 0
    for conversation in conversations:
        rule = rules.get(conversation.rule_id, default)
        requirements = Requirements.from_dict(conversation.requirements)
        taker = await assignment.route_one(
            session,
            conversation,
            rule,
            requirements,
            context,
            dict(avoid.get(conversation.id or 0, {})),
        )
        taken += taker is not None
    return taken


async def set_away(
    session: AsyncSession,
    advisor_id: int,
    context: RoutingContext,
    reason: str = "did not answer an offer in time",
) -> None:
    """An available advisor who evidently is not at their desk is set away, so that no more
    work is pushed to them (they come back by setting their status)."""
    now = context.now
    advisor = await session.get(Advisor, advisor_id)
    if advisor is None or advisor.status != AdvisorStatus.AVAILABLE:
        return
    advisor.status = AdvisorStatus.AWAY
    advisor.updated_at = now
    events.record(
        session,
        "advisor.status_changed",
        advisor_id=advisor_id,
        previous=AdvisorStatus.AVAILABLE,
        current=AdvisorStatus.AWAY,
        reason=reason,
    )
    if context.index is not None:  # the snapshot must not offer them more work either
        known = context.index.get(advisor_id)
        if known is not None:
            context.remember(replace(known, status=AdvisorStatus.AWAY))
