"""Giving conversations to advisors, push (router) and pull (advisor), safely under concurrency.

Safety does not rely on the caller: the chosen advisor's row is locked and their load
recounted before the assignment row is written, waiting conversations are claimed with
``FOR UPDATE SKIP LOCKED``, and a partial unique index forbids two live assignments for one
conversation. None of these functions commit: the calling use case does.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Advisor, Assignment, Conversation
from router.models.conversations import ConversationStatus
from router.services import events, profiles
from router.store.types import utcnow
from skills import (
    AdvisorProfile,
    AdvisorStatus,
    Decision,
    Facts,
    Requirements,
    RuleSpec,
    choose,
    exclusion_reason,
    match_rule,
    requirements_for,
)

AFFINITY_WINDOW = timedelta(days=7)
_CLAIM_BATCH = 100
_EXPLAIN_LIMIT = 20  # advisors listed in a stored explanation (counts stay exact)


@dataclass
class RoutingContext:
    """What a batch of routing decisions shares, read once: rules, an advisor snapshot and
    each returning customer's last advisor. Decisions are still made safe by locking the
    chosen advisor and recounting their load; the snapshot only proposes candidates."""

    rules: list[RuleSpec]
    last_advisor: dict[int, int]  # customer id -> advisor id, within the affinity window
    advisors: dict[int, AdvisorProfile] = field(default_factory=dict)
    _loaded: bool = False

    @classmethod
    async def load(
        cls, session: AsyncSession, *, returning_customers: Sequence[int]
    ) -> RoutingContext:
        rules = await profiles.active_rules(session)
        return cls(rules, await _last_advisors(session, returning_customers))

    async def candidates(self, session: AsyncSession) -> list[AdvisorProfile]:
        if not self._loaded:
            self.advisors = {p.id: p for p in await profiles.available_profiles(session)}
            self._loaded = True
        return list(self.advisors.values())

    def remember(self, advisor: AdvisorProfile) -> None:
        """Fresher data about one advisor (after locking it, or after assigning to it)."""
        self.advisors[advisor.id] = advisor


async def _last_advisors(session: AsyncSession, customer_ids: Sequence[int]) -> dict[int, int]:
    """Affinity: each customer's most recent advisor within the window."""
    if not customer_ids:
        return {}
    rows = await session.execute(
        select(Conversation.customer_id, Assignment.advisor_id, Assignment.assigned_at)
        .join(Conversation, col(Conversation.id) == col(Assignment.conversation_id))
        .where(
            col(Conversation.customer_id).in_(list(customer_ids)),
            col(Assignment.assigned_at) >= utcnow() - AFFINITY_WINDOW,
        )
        .order_by(col(Assignment.assigned_at))
    )
    return {customer_id: advisor_id for customer_id, advisor_id, _ in rows}


async def assign(
    session: AsyncSession,
    conversation: Conversation,
    advisor: AdvisorProfile,
    *,
    mode: str,
    explanation: dict[str, Any],
) -> Assignment:
    """Write the assignment; the advisor row must already be locked by the caller."""
    now = utcnow()
    assert conversation.id is not None
    assignment = Assignment(
        conversation_id=conversation.id,
        advisor_id=advisor.id,
        channel=conversation.channel,
        mode=mode,
        rule_id=conversation.rule_id,
        explanation=explanation,
        assigned_at=now,
    )
    session.add(assignment)
    conversation.status = ConversationStatus.assigned
    conversation.assignee_id = advisor.id
    conversation.waiting_since = None
    conversation.updated_at = now
    advisor_row = await session.get(Advisor, advisor.id)
    assert advisor_row is not None
    advisor_row.last_assigned_at = now
    events.record(
        session,
        "conversation.assigned",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=advisor.id,
        mode=mode,
        explanation=explanation,
    )
    return assignment


async def route_batch(
    session: AsyncSession, items: Sequence[tuple[Conversation, Facts]], context: RoutingContext
) -> int:
    """Route new conversations together; returns how many were assigned.

    Winners are planned on the snapshot first, then locked all at once in id order and
    checked against their fresh load: workers routing at the same time always lock advisors
    in the same order, so they queue instead of deadlocking. A planned advisor who filled up
    meanwhile sends that conversation through the one-by-one path.
    """
    plans: list[tuple[Conversation, RuleSpec, Requirements, Decision]] = []
    for conversation, facts in items:
        rule, requirements = _apply_rule(conversation, facts, context)
        decision = await _decide(session, conversation, rule, requirements, context, {})
        if decision.winner is not None:  # plan: later conversations see this load
            context.remember(_with_one_more(decision.winner, conversation.channel))
        plans.append((conversation, rule, requirements, decision))
    winners = sorted({d.winner.id for *_, d in plans if d.winner is not None})
    fresh = await profiles.locked_profiles(session, winners) if winners else {}
    assigned = 0
    for conversation, rule, requirements, decision in plans:
        if decision.winner is None:
            _record_waiting(session, conversation, rule, requirements, decision, {})
            continue
        advisor = fresh.get(decision.winner.id)
        if advisor is not None and exclusion_reason(advisor, requirements) is None:
            explanation = _explain(rule.name, decision, {})
            await assign(session, conversation, advisor, mode="push", explanation=explanation)
            fresh[advisor.id] = _with_one_more(advisor, conversation.channel)
            context.remember(fresh[advisor.id])
            assigned += 1
            continue
        if advisor is not None:
            context.remember(advisor)
        raced = {decision.winner.id: "filled up meanwhile"}
        taker = await route_one(session, conversation, rule, requirements, context, raced)
        if taker is not None:  # now locked by us too: its load here is the truth
            fresh[taker.id] = taker
            assigned += 1
    return assigned


def _apply_rule(
    conversation: Conversation, facts: Facts, context: RoutingContext
) -> tuple[RuleSpec, Requirements]:
    """Match a rule and store what it asks for on the conversation."""
    rule = match_rule(context.rules, facts)
    requirements = requirements_for(rule, facts)
    conversation.rule_id = rule.id
    conversation.priority = rule.priority
    conversation.requirements = requirements.to_dict()
    conversation.queue_team_id = requirements.team_id
    conversation.language = facts.language
    conversation.intent = facts.intent
    return rule, requirements


async def _decide(
    session: AsyncSession,
    conversation: Conversation,
    rule: RuleSpec,
    requirements: Requirements,
    context: RoutingContext,
    excluded: dict[int, str],
) -> Decision:
    candidates = [p for p in await context.candidates(session) if p.id not in excluded]
    preferred = context.last_advisor.get(conversation.customer_id)
    return choose(
        candidates, requirements, rule.policy, now=time.time(), preferred_advisor_id=preferred
    )


async def route_one(
    session: AsyncSession,
    conversation: Conversation,
    rule: RuleSpec,
    requirements: Requirements,
    context: RoutingContext,
    excluded: dict[int, str],
    *,
    record_waiting: bool = True,
) -> AdvisorProfile | None:
    """Advisor by advisor: lock the best candidate, recheck, move on if taken meanwhile.

    The lock skips advisors another worker holds (SKIP LOCKED): this path already holds the
    batch's winners, so waiting here could close a cycle. Each round excludes one advisor,
    so it ends. Returns the advisor who took the conversation, with it in their load.
    """
    while True:
        decision = await _decide(session, conversation, rule, requirements, context, excluded)
        if decision.winner is None:
            break
        locked = (
            await profiles.locked_profiles(session, [decision.winner.id], skip_locked=True)
        ).get(decision.winner.id)
        reason = (
            "being assigned by another worker"
            if locked is None
            else exclusion_reason(locked, requirements)
        )
        if locked is not None and reason is None:
            explanation = _explain(rule.name, decision, excluded)
            await assign(session, conversation, locked, mode="push", explanation=explanation)
            taker = _with_one_more(locked, conversation.channel)
            context.remember(taker)
            return taker
        if locked is not None:
            context.remember(locked)
        excluded[decision.winner.id] = f"taken meanwhile: {reason}"
    if record_waiting:
        _record_waiting(session, conversation, rule, requirements, decision, excluded)
    return None


def _record_waiting(
    session: AsyncSession,
    conversation: Conversation,
    rule: RuleSpec,
    requirements: Requirements,
    decision: Decision,
    raced: dict[int, str],
) -> None:
    events.record(
        session,
        "conversation.waiting",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        rule=rule.name,
        requirements=requirements.to_dict(),
        explanation=_explain(rule.name, decision, raced),
    )


def _with_one_more(advisor: AdvisorProfile, channel: str) -> AdvisorProfile:
    per_channel = dict(advisor.load_per_channel)
    per_channel[channel] = per_channel.get(channel, 0) + 1
    return replace(
        advisor,
        load_total=advisor.load_total + 1,
        load_per_channel=per_channel,
        last_assigned_at=time.time(),
    )


def _explain(rule_name: str, decision: Decision, raced: dict[int, str]) -> dict[str, Any]:
    explanation = decision.to_dict(limit=_EXPLAIN_LIMIT)
    explanation["rule"] = rule_name
    if raced:
        explanation["raced"] = [{"advisor_id": k, "reason": v} for k, v in raced.items()]
    return explanation


async def claim_for_advisor(
    session: AsyncSession, advisor: AdvisorProfile, *, mode: str
) -> Conversation | None:
    """The best waiting conversation ``advisor`` (locked) may take, assigned to them.

    Waiting order: priority, then longest wait. The queue is read without locks; only the
    one conversation about to be taken is locked, with SKIP LOCKED, so concurrent claimers
    never wait for each other and never take the same conversation.
    """
    if advisor.status != AdvisorStatus.AVAILABLE or advisor.load_total >= advisor.capacity_total:
        return None
    after: tuple[int, datetime, int] | None = None
    while True:
        batch = (await session.execute(_waiting_page(after))).all()
        for conversation_id, priority, waiting_since, requirements in batch:
            after = (priority, waiting_since, conversation_id)
            if exclusion_reason(advisor, Requirements.from_dict(requirements)) is not None:
                continue
            conversation = await session.scalar(
                select(Conversation)
                .where(
                    col(Conversation.id) == conversation_id,
                    col(Conversation.status) == ConversationStatus.waiting,
                )
                .with_for_update(skip_locked=True, key_share=True)
            )
            if conversation is None:
                continue  # taken or being taken by someone else
            explanation = {
                "mode": mode,
                "reason": f"{advisor.name} asked for work and fits the requirements"
                if mode == "pull"
                else f"{advisor.name} had free capacity; best-placed fitting conversation",
                "requirements": conversation.requirements,
            }
            await assign(session, conversation, advisor, mode=mode, explanation=explanation)
            return conversation
        if len(batch) < _CLAIM_BATCH:
            return None


def _waiting_page(after: tuple[int, datetime, int] | None) -> Any:
    """One page of the waiting queue in order, after the keyset ``after``."""
    query = select(
        Conversation.id,
        Conversation.priority,
        Conversation.waiting_since,
        Conversation.requirements,
    ).where(col(Conversation.status) == ConversationStatus.waiting)
    if after is not None:
        priority, since, last_id = after
        query = query.where(
            or_(
                col(Conversation.priority) < priority,
                and_(
                    col(Conversation.priority) == priority, col(Conversation.waiting_since) > since
                ),
                and_(
                    col(Conversation.priority) == priority,
                    col(Conversation.waiting_since) == since,
                    col(Conversation.id) > last_id,
                ),
            )
        )
    return query.order_by(
        col(Conversation.priority).desc(), col(Conversation.waiting_since), col(Conversation.id)
    ).limit(_CLAIM_BATCH)


async def fill_advisor(session: AsyncSession, advisor_id: int) -> list[Conversation]:
    """Push waiting conversations to an advisor who just freed capacity, until full."""
    claimed: list[Conversation] = []
    while True:
        advisor = await profiles.locked_profile(session, advisor_id)
        if advisor is None:
            return claimed
        conversation = await claim_for_advisor(session, advisor, mode="push")
        if conversation is None:
            return claimed
        claimed.append(conversation)
        await session.flush()
