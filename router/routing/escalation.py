"""The waiting room's clock: offers that expire, work returned unanswered, urgency that rises,
requirements relaxed as conversations wait, and waiting work retried.

Run periodically by every worker process. Each round expires the offers whose time is up
(router.routing.offers), returns to the queue what advisors left unanswered past their
team's return time (router.routing.returns) or held while offline past the grace
(router.routing.presence), refiles conversations whose reply-window urgency rose
(router.routing.queue), then claims a page of the longest-waiting conversations (SKIP
LOCKED: several schedulers share the work, never doubling it), applies the escalation steps
their rule reached, records what changed, and offers every claimed conversation, best
effective priority first, to advisors with free capacity, so that no conversation waits
while some advisor could take it at its current step. Last, the intense conversations still
waiting too long are reported to supervisors (router.routing.waiting_alerts).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from router.models import Conversation
from router.models.conversations import ConversationStatus
from router.routing import assignment, offers, presence, queue, returns, waiting_alerts
from router.routing.context import RoutingContext, avoided
from router.store import Database
from router.store.types import utcnow
from router.tickets import events
from skills import (
    CandidateIndex,
    Facts,
    QueuePolicy,
    Requirements,
    RuleSpec,
    effective_priority,
    has_push_room,
    push_refusal,
    reached,
    requirements_for,
)

log = logging.getLogger(__name__)
PAGE = 500


@dataclass(frozen=True)
class Round:
    examined: int
    escalated: int
    assigned: int
    expired: int = 0
    refiled: int = 0
    alerted: int = 0  # intense conversations waiting too long, reported to supervisors
    returned: int = 0  # unanswered, or held by an advisor offline past the grace


async def waiting_room_round(db: Database) -> Round:
    """Expire due offers, return unanswered work, refresh urgency, escalate and retry the
    oldest page, then alert about intense conversations still waiting too long."""
    expired = await offers.expire_due(db)
    returned = await returns.return_unanswered(db) + await presence.return_from_offline(db)
    async with db.session() as session:
        context = await RoutingContext.load(session, returning_customers=[])
        refiled = await queue.refresh_due(session, context.policy, context.now)
        await session.commit()
    result = await escalate_and_retry(db)
    alerted = await waiting_alerts.alert_long_waits(db)  # what the retry could not place
    return Round(
        result.examined,
        result.escalated,
        result.assigned,
        expired,
        refiled,
        alerted=alerted,
        returned=returned,
    )


async def escalate_and_retry(db: Database) -> Round:
    """One round over the oldest page of the waiting queue.

    When some advisor has room for pushed work, the page is claimed (locked, SKIP LOCKED)
    and offered. When nobody has room, only the conversations whose escalation step is due
    (and, when only blended advisors past their push limit have room, those that waited
    past the team's threshold) are locked: a round that locked the whole page (500
    conversations) for its transaction made every customer writing into one of them wait
    for it (the p99 tail of the ingest benchmark)."""
    async with db.session() as session:
        context = await RoutingContext.load(session, returning_customers=[])
        room = _push_room(await context.candidates(session))
        if room == 0.0:
            waiting = (await session.scalars(_oldest(locked=True))).all()
            examined = len(waiting)
        else:
            page = (await session.scalars(_oldest(locked=False))).all()
            examined = len(page)
            required = _now_required(context)
            due = [
                c.id
                for c in page
                if c.id is not None and (_step_due(c, required) or _waited(c, context) >= room)
            ]
            waiting = (await session.scalars(_lock_still_waiting(due))).all() if due else []
        if not waiting:
            return Round(examined, 0, 0)
        free = room != math.inf
        escalated, assigned = await _escalate_and_offer(session, waiting, context, free=free)
        await session.commit()
    if escalated or assigned:
        log.info(
            "waiting room: %d examined, %d escalated, %d assigned", examined, escalated, assigned
        )
    return Round(examined, escalated, assigned)


def _push_room(index: CandidateIndex) -> float:
    """How long a conversation must have waited for some advisor to be pushed it now: 0
    when some advisor has room for any, a blended team's threshold when only advisors past
    their push limit have room, infinity when nobody has room for pushed work."""
    room = math.inf
    for advisor in index.advisors():
        if not has_push_room(advisor):
            continue
        if push_refusal(advisor, 0.0) is None:
            return 0.0
        room = min(room, advisor.push_after_seconds or math.inf)
    return room


def _waited(conversation: Conversation, context: RoutingContext) -> float:
    since = conversation.waiting_since or conversation.created_at
    return (context.now - since).total_seconds()


def _oldest(*, locked: bool) -> SelectOfScalar[Conversation]:
    query = (
        select(Conversation)
        .where(col(Conversation.status) == ConversationStatus.waiting)
        .order_by(col(Conversation.waiting_since), col(Conversation.id))
        .limit(PAGE)
    )
    return query.with_for_update(skip_locked=True, key_share=True) if locked else query


def _lock_still_waiting(ids: Sequence[int]) -> SelectOfScalar[Conversation]:
    """The read was not locked: lock the ones still waiting and read them afresh."""
    return (
        select(Conversation)
        .where(
            col(Conversation.id).in_(ids), col(Conversation.status) == ConversationStatus.waiting
        )
        .order_by(col(Conversation.id))
        .with_for_update(skip_locked=True, key_share=True)
        .execution_options(populate_existing=True)
    )


_Required = Callable[[Conversation], tuple[RuleSpec, Requirements, float]]


def _step_due(conversation: Conversation, required: _Required) -> bool:
    """Whether the conversation's requirements change at its wait now."""
    _rule, requirements, _waited = required(conversation)
    return requirements.to_dict() != conversation.requirements


def _now_required(context: RoutingContext) -> _Required:
    """For a waiting conversation: its rule, the requirements its wait reached, and how long
    it has waited (the rules indexed once per round)."""
    rules = {rule.id: rule for rule in context.rules}
    default = next(rule for rule in context.rules if rule.is_default)

    def required(conversation: Conversation) -> tuple[RuleSpec, Requirements, float]:
        rule = rules.get(conversation.rule_id, default)
        since = conversation.waiting_since or conversation.created_at
        waited = (context.now - since).total_seconds()
        return rule, _current(rule, conversation, waited), waited

    return required


async def _escalate_and_offer(
    session: AsyncSession,
    waiting: Sequence[Conversation],
    context: RoutingContext,
    *,
    free: bool,
) -> tuple[int, int]:
    """Escalate each conversation as far as its wait allows and, when some advisor has
    room, route it, best effective priority first. Returns (escalated, assigned)."""
    now = context.now
    escalated = assigned = 0
    avoid = await avoided(session, [c.id for c in waiting if c.id], now)
    required = _now_required(context)
    for conversation in sorted(waiting, key=_order(now, context.policy.queue)):
        rule, requirements, waited = required(conversation)
        if requirements.to_dict() != conversation.requirements:
            _record_escalation(session, conversation, rule, waited, requirements.to_dict())
            queue.refile(conversation, context.policy, now)
            escalated += 1
        if free:
            avoiding = dict(avoid.get(conversation.id or 0, {}))
            taker = await assignment.route_one(
                session, conversation, rule, requirements, context, avoiding, record_waiting=False
            )
            assigned += taker is not None
    return escalated, assigned


def _order(
    now: datetime, policy: QueuePolicy
) -> Callable[[Conversation], tuple[float, datetime, int]]:
    """Sort key of the waiting order: effective priority, then age, then id."""
    ageing = policy.ageing_per_minute

    def key(c: Conversation) -> tuple[float, datetime, int]:
        since = c.waiting_since or c.created_at
        queue_priority = policy.queue_priority(c.priority, c.urgency_points, c.intense)
        waited = (now - since).total_seconds()
        return (-effective_priority(queue_priority, waited, ageing), since, c.id or 0)

    return key


def _current(rule: RuleSpec, conversation: Conversation, waited: float) -> Requirements:
    """The requirements now: the rule's, relaxed by the steps reached; those a person set
    by a transfer stay as they are."""
    if conversation.transferred_at is not None and conversation.requirements:
        return Requirements.from_dict(conversation.requirements)
    facts = Facts(
        channel=conversation.channel,
        language=conversation.language,
        intent=conversation.intent,
        text="",
    )
    return requirements_for(rule, facts, waited_seconds=waited)


def _record_escalation(
    session: AsyncSession,
    conversation: Conversation,
    rule: RuleSpec,
    waited: float,
    requirements: dict[str, Any],
) -> None:
    events.record(
        session,
        "conversation.escalated",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        rule=rule.name,
        step=reached(rule.escalation, waited),
        waited_seconds=round(waited),
        previous=conversation.requirements,
        requirements=requirements,
    )
    conversation.requirements = requirements
    conversation.queue_team_id = requirements.get("team_id")
    conversation.updated_at = utcnow()
