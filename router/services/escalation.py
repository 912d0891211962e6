"""The waiting room's clock: relax requirements as conversations wait, and retry them.

Run periodically by every worker process. Each round claims a page of waiting
conversations (SKIP LOCKED: several schedulers share the work, never doubling it), applies
the escalation steps their rule reached, records what changed, and offers every claimed
conversation to advisors with free capacity, so that no conversation waits while some
advisor could take it at its current step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Conversation
from router.models.conversations import ConversationStatus
from router.services import assignment, events
from router.store import Database
from router.store.types import utcnow
from skills import Facts, Requirements, RuleSpec, reached, requirements_for

log = logging.getLogger(__name__)
PAGE = 500


@dataclass(frozen=True)
class Round:
    examined: int
    escalated: int
    assigned: int


async def escalate_and_retry(db: Database) -> Round:
    """One round over the oldest page of the waiting queue."""
    async with db.session() as session:
        waiting = (
            await session.scalars(
                select(Conversation)
                .where(col(Conversation.status) == ConversationStatus.waiting)
                .order_by(
                    col(Conversation.priority).desc(),
                    col(Conversation.waiting_since),
                    col(Conversation.id),
                )
                .limit(PAGE)
                .with_for_update(skip_locked=True, key_share=True)
            )
        ).all()
        if not waiting:
            return Round(0, 0, 0)
        context = await assignment.RoutingContext.load(session, returning_customers=[])
        rules = {rule.id: rule for rule in context.rules}
        default = next(rule for rule in context.rules if rule.is_default)
        now = utcnow()
        escalated = assigned = 0
        free = any(p.load_total < p.capacity_total for p in await context.candidates(session))
        for conversation in waiting:
            rule = rules.get(conversation.rule_id, default)
            waited = (now - (conversation.waiting_since or conversation.created_at)).total_seconds()
            requirements = _current(rule, conversation, waited)
            if requirements.to_dict() != conversation.requirements:
                _record_escalation(session, conversation, rule, waited, requirements.to_dict())
                escalated += 1
            if free:
                taker = await assignment.route_one(
                    session, conversation, rule, requirements, context, {}, record_waiting=False
                )
                assigned += taker is not None
        await session.commit()
    if escalated or assigned:
        log.info(
            "waiting room: %d examined, %d escalated, %d assigned",
            len(waiting),
            escalated,
            assigned,
        )
    return Round(len(waiting), escalated, assigned)


def _current(rule: RuleSpec, conversation: Conversation, waited: float) -> Requirements:
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
