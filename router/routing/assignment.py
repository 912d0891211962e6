"""Giving conversations to advisors, push (router) and pull (advisor), safely under concurrency.

Safety does not rely on the caller: the chosen advisor's row is locked and their load
recounted before the assignment row is written, waiting conversations are claimed with
``FOR UPDATE SKIP LOCKED``, and a partial unique index forbids two live assignments for one
conversation. None of these functions commit: the calling use case does.

Pushed work reaches an advisor as their team's routing mode says (router.routing.teams):
assigned at once (push), *offered* (an assignment not accepted yet, which holds the
capacity) until the advisor accepts, declines or lets the timeout pass
(router.routing.offers), never (pull), or up to a load (blended). Pulled and claimed work is
always assigned: the advisor asked for it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Advisor, Assignment, Conversation
from router.models.conversations import ConversationStatus
from router.routing import config as routing_config
from router.routing import profiles, queue
from router.routing.config import RoutingPolicy
from router.routing.context import (
    RoutingContext,
    offer_timeouts,
)
from router.routing.readings import kept_intent
from router.store.commit_log import after_commit
from router.store.types import utcnow
from router.tickets import events
from skills import (
    AdvisorProfile,
    AdvisorStatus,
    Decision,
    Facts,
    Requirements,
    RuleSpec,
    Situation,
    exclusion_reason,
    has_push_room,
    match_rule,
    requirements_for,
)

log = logging.getLogger(__name__)
_EXPLAIN_LIMIT = 20  # advisors listed in a stored explanation (counts stay exact)


async def assign(
    session: AsyncSession,
    conversation: Conversation,
    advisor: AdvisorProfile,
    *,
    mode: str,
    explanation: dict[str, Any],
    offer_seconds: int | None = None,
) -> Assignment:
    """Write the assignment, or the offer when ``offer_seconds`` is given; the advisor row
    must already be locked by the caller. An offered conversation keeps its place in the
    queue (``waiting_since``) in case it comes back."""
    now = utcnow()
    assert conversation.id is not None
    offered = offer_seconds is not None
    assignment = Assignment(
        conversation_id=conversation.id,
        advisor_id=advisor.id,
        channel=conversation.channel,
        mode=mode,
        rule_id=conversation.rule_id,
        explanation=explanation,
        assigned_at=now,
        accepted_at=None if offered else now,
        expires_at=now + timedelta(seconds=offer_seconds) if offer_seconds is not None else None,
        intense=conversation.intense,
    )
    session.add(assignment)
    conversation.status = ConversationStatus.offered if offered else ConversationStatus.assigned
    conversation.assignee_id = advisor.id
    if not offered:  # an offer keeps the wait going: declined, it resumes (no new alert)
        conversation.waiting_since = None
        conversation.wait_alerted_at = None  # a later wait may alert again
    conversation.updated_at = now
    advisor_row = await session.get(Advisor, advisor.id)
    assert advisor_row is not None
    advisor_row.last_assigned_at = now
    offer: dict[str, Any] = {}
    if offered:
        await session.flush()  # the offer's id is what the advisor answers to
        expires = assignment.expires_at
        offer = {"offer_id": assignment.id, "expires_at": expires and expires.isoformat()}
    events.record(
        session,
        "conversation.offered" if offered else "conversation.assigned",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=advisor.id,
        mode=mode,
        explanation=explanation,
        **offer,
    )
    return assignment


#: Routing decisions by (outcome: assigned, offered or waiting; the rule's policy).
Decisions = Counter[tuple[str, str]]


async def route_batch(
    session: AsyncSession, items: Sequence[tuple[Conversation, Facts]], context: RoutingContext
) -> Decisions:
    """Route new conversations together; returns the decisions by outcome and policy.

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
            context.remember(_with_one_more(decision.winner, conversation))
        plans.append((conversation, rule, requirements, decision))
    winners = sorted({d.winner.id for *_, d in plans if d.winner is not None})
    fresh = (
        await profiles.locked_profiles(session, winners, day_start=context.day_start)
        if winners
        else {}
    )
    decisions: Decisions = Counter()
    for conversation, rule, requirements, decision in plans:
        if decision.winner is None:
            _record_waiting(session, conversation, rule, requirements, decision, {}, context)
            decisions[_outcome(conversation, rule)] += 1
            continue
        advisor = fresh.get(decision.winner.id)
        if advisor is not None and _fits(advisor, conversation, requirements, context, {}):
            await _give(session, conversation, advisor, rule, decision, context, {})
            fresh[advisor.id] = _with_one_more(advisor, conversation)
            context.remember(fresh[advisor.id])
            decisions[_outcome(conversation, rule)] += 1
            continue
        if advisor is not None:
            context.remember(advisor)
        raced = {decision.winner.id: "filled up meanwhile"}
        taker = await route_one(session, conversation, rule, requirements, context, raced)
        if taker is not None:  # now locked by us too: its load here is the truth
            fresh[taker.id] = taker
        decisions[_outcome(conversation, rule)] += 1
    return decisions


def _outcome(conversation: Conversation, rule: RuleSpec) -> tuple[str, str]:
    """How routing left a conversation (metrics label), with its rule's policy."""
    status = conversation.status
    outcome = "waiting" if status == ConversationStatus.waiting else str(status)
    return outcome, str(rule.policy)


def _apply_rule(
    conversation: Conversation, facts: Facts, context: RoutingContext
) -> tuple[RuleSpec, Requirements]:
    """Match a rule and store what it asks for on the conversation; file it in the queue."""
    facts = _with_known_readings(conversation, facts, context.now)
    rule = match_rule(context.rules, facts)
    requirements = requirements_for(rule, facts)
    conversation.rule_id = rule.id
    conversation.priority = rule.priority
    conversation.requirements = requirements.to_dict()
    conversation.queue_team_id = requirements.team_id
    conversation.language = facts.language
    conversation.intent = facts.intent
    if facts.emotion is not None:
        conversation.emotion = facts.emotion
        conversation.emotion_intensity = facts.emotion_intensity
    conversation.intense = context.policy.care.is_intense(
        conversation.emotion, conversation.emotion_intensity or 0.0
    )
    queue.refile(conversation, context.policy, context.now)
    return rule, requirements


def _with_known_readings(conversation: Conversation, facts: Facts, now: datetime) -> Facts:
    """Facts complete with the arrival time and, when the facts carry no emotion, the one
    already read from the customer's messages (router.routing.care); an intent not read
    confidently keeps the conversation's last known one (router.routing.readings)."""
    if facts.at is None:
        facts = replace(facts, at=now)
    facts = replace(facts, intent=kept_intent(conversation.intent, facts.intent))
    if facts.emotion is None and conversation.emotion is not None:
        facts = replace(
            facts,
            emotion=conversation.emotion,
            emotion_intensity=conversation.emotion_intensity or 0.0,
        )
    return facts


def situation(
    conversation: Conversation, context: RoutingContext, avoid: dict[int, str]
) -> Situation:
    since = conversation.waiting_since
    return Situation(
        now=context.now.timestamp(),
        intense=conversation.intense,
        avoid=avoid,
        care=context.policy.care,
        pushed=True,
        waited_seconds=0.0 if since is None else (context.now - since).total_seconds(),
    )


def _fits(
    advisor: AdvisorProfile,
    conversation: Conversation,
    requirements: Requirements,
    context: RoutingContext,
    avoid: dict[int, str],
) -> bool:
    return exclusion_reason(advisor, requirements, situation(conversation, context, avoid)) is None


async def _decide(
    session: AsyncSession,
    conversation: Conversation,
    rule: RuleSpec,
    requirements: Requirements,
    context: RoutingContext,
    avoid: dict[int, str],
) -> Decision:
    index = await context.candidates(session)
    since = conversation.waiting_since
    return index.choose(
        requirements,
        rule.policy,
        now=time.time(),
        preferred_advisor_id=context.last_advisor.get(conversation.customer_id),
        intense=conversation.intense,
        avoid=avoid,
        care=context.policy.care,
        waited_seconds=0.0 if since is None else (context.now - since).total_seconds(),
    )


async def route_one(
    session: AsyncSession,
    conversation: Conversation,
    rule: RuleSpec,
    requirements: Requirements,
    context: RoutingContext,
    avoid: dict[int, str],
    *,
    record_waiting: bool = True,
) -> AdvisorProfile | None:
    """Advisor by advisor: lock the best candidate, recheck, move on if taken meanwhile.

    ``avoid`` starts with the advisors this conversation must not go to (with the reason);
    the lock skips advisors another worker holds (SKIP LOCKED): this path may already hold
    a batch's winners, so waiting here could close a cycle. Each round avoids one more
    advisor, so it ends. Returns the advisor who took the conversation, with it in their load.
    """
    while True:
        decision = await _decide(session, conversation, rule, requirements, context, avoid)
        if decision.winner is None:
            break
        locked = (
            await profiles.locked_profiles(
                session, [decision.winner.id], skip_locked=True, day_start=context.day_start
            )
        ).get(decision.winner.id)
        reason = (
            "being assigned by another worker"
            if locked is None
            else exclusion_reason(locked, requirements, situation(conversation, context, avoid))
        )
        if locked is not None and reason is None:
            await _give(session, conversation, locked, rule, decision, context, avoid)
            taker = _with_one_more(locked, conversation)
            context.remember(taker)
            return taker
        if locked is not None:
            context.remember(locked)
        avoid[decision.winner.id] = f"taken meanwhile: {reason}"
    if record_waiting:
        _record_waiting(session, conversation, rule, requirements, decision, avoid, context)
    return None


async def _give(
    session: AsyncSession,
    conversation: Conversation,
    advisor: AdvisorProfile,
    rule: RuleSpec,
    decision: Decision,
    context: RoutingContext,
    avoid: dict[int, str],
) -> None:
    explanation = _explain(rule.name, decision, avoid)
    offer = context.offer_seconds(advisor)
    await assign(
        session, conversation, advisor, mode="push", explanation=explanation, offer_seconds=offer
    )
    if not log.isEnabledFor(logging.INFO):
        return
    why = f"{decision.policy}, rule {rule.name}"
    if decision.ranked and decision.ranked[0][1].affinity:
        why = f"affinity, {why}"
    after_commit(
        session,
        log,
        "%s conversation %d to advisor %d (%s)",
        "offered" if offer is not None else "routed",
        conversation.id,
        advisor.id,
        why,
        **_ids(conversation, context),
    )


def _ids(conversation: Conversation, context: RoutingContext | None) -> dict[str, int]:
    """The ids a decision's log line carries."""
    assert conversation.id is not None
    ids = {"conversation_id": conversation.id}
    message_id = context.messages.get(conversation.id) if context is not None else None
    if message_id:
        ids["message_id"] = message_id
    return ids


def _record_waiting(
    session: AsyncSession,
    conversation: Conversation,
    rule: RuleSpec,
    requirements: Requirements,
    decision: Decision,
    avoid: dict[int, str],
    context: RoutingContext | None = None,
) -> None:
    if log.isEnabledFor(logging.INFO):
        # The sentence of a choice without a winner counts and never names advisors.
        why = decision.explanation.rstrip(".")
        why = why[:1].lower() + why[1:]
        if avoid:
            why += f"; {len(avoid)} avoided"
        after_commit(
            session,
            log,
            "conversation %d waits (rule %s): %s",
            conversation.id,
            rule.name,
            why,
            **_ids(conversation, context),
        )
    events.record(
        session,
        "conversation.waiting",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        rule=rule.name,
        requirements=requirements.to_dict(),
        explanation=_explain(rule.name, decision, avoid),
    )


def _with_one_more(advisor: AdvisorProfile, conversation: Conversation) -> AdvisorProfile:
    channel = str(conversation.channel)
    per_channel = dict(advisor.load_per_channel)
    per_channel[channel] = per_channel.get(channel, 0) + 1
    intense = int(conversation.intense)
    return replace(
        advisor,
        load_total=advisor.load_total + 1,
        load_per_channel=per_channel,
        last_assigned_at=time.time(),
        intense_load=advisor.intense_load + intense,
        intense_today=advisor.intense_today + intense,
    )


def _explain(rule_name: str, decision: Decision, avoid: dict[int, str]) -> dict[str, Any]:
    explanation = decision.to_dict(limit=_EXPLAIN_LIMIT)
    explanation["rule"] = rule_name
    if avoid:
        explanation["avoided"] = [{"advisor_id": k, "reason": v} for k, v in avoid.items()]
    return explanation


async def claim_for_advisor(
    session: AsyncSession,
    advisor: AdvisorProfile,
    *,
    mode: str,
    policy: RoutingPolicy,
    offer_seconds: int | None = None,
) -> Conversation | None:
    """The best waiting conversation ``advisor`` (locked) may take, assigned (or offered,
    with ``offer_seconds``) to them; see router.routing.queue for the order and its cost."""
    if advisor.status != AdvisorStatus.AVAILABLE or advisor.load_total >= advisor.capacity_total:
        return None
    pushed = mode == "push"
    if pushed and not has_push_room(advisor):
        return None  # the team serves this advisor's queue by pull beyond their load
    now = utcnow()
    conversation = await queue.claim(
        session, advisor, policy, now, pushed=pushed, explain_contention=mode == "pull"
    )
    if conversation is None:
        return None
    explanation = {
        "mode": mode,
        "reason": f"{advisor.name} asked for work and fits the requirements"
        if mode == "pull"
        else f"{advisor.name} had free capacity; best-placed fitting conversation",
        "requirements": conversation.requirements,
        "queue_priority": policy.queue.queue_priority(
            conversation.priority, conversation.urgency_points, conversation.intense
        ),
    }
    await assign(
        session,
        conversation,
        advisor,
        mode=mode,
        explanation=explanation,
        offer_seconds=offer_seconds,
    )
    after_commit(
        session,
        log,
        "advisor %d %s conversation %d (%s)",
        advisor.id,
        "pulled" if mode == "pull" else "was offered" if offer_seconds is not None else "got",
        conversation.id,
        "asked for work" if mode == "pull" else "freed capacity, best-placed in the queue",
        **_ids(conversation, None),
    )
    return conversation


async def fill_advisor(session: AsyncSession, advisor_id: int) -> list[Conversation]:
    """Push waiting conversations to an advisor who just freed capacity, until full."""
    policy = await routing_config.current(session)
    offers = await offer_timeouts(session)
    claimed: list[Conversation] = []
    while True:
        advisor = await profiles.locked_profile(
            session, advisor_id, day_start=policy.day_start(utcnow())
        )
        if advisor is None:
            return claimed
        offer = None if advisor.team_id is None else offers.get(advisor.team_id)
        conversation = await claim_for_advisor(
            session, advisor, mode="push", policy=policy, offer_seconds=offer
        )
        if conversation is None:
            return claimed
        claimed.append(conversation)
        await session.flush()
