"""Service levels on tickets: the policy a conversation gets when it opens, its clock moved by
the first reply and by status changes, and the ticket clock recording warnings and breaches.

The logic is ``clocks.sla_clock.Clock`` (pure). This module loads it from the conversation and
stores it back: ``sla_clock`` holds the policy's terms as applied (a later edit of the policy
does not move running tickets) with the clock's starts and pauses; the public columns hold
the due times and states; ``sla_next_check_at`` says when the ticket clock must look next.
The hooks called inside other use cases (``on_first_response``, ``on_status_change``) are
synchronous and do no I/O: what they need travels on the conversation row. Alarms become
``sla.warning`` / ``sla.breached`` events, at most once per target (the state is the guard).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_object_session
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from clocks.sla import Target, Terms, match_policy, sla_hours
from clocks.sla_clock import Alarm, Clock, Phase
from router.models import Conversation, SlaPolicy
from router.models.conversations import ConversationStatus, SlaState
from router.settings import Settings
from router.store import Database
from router.store.types import utcnow
from router.tickets import events
from skills import RuleError

log = logging.getLogger(__name__)

BATCH = 200  # conversations per ticket-clock transaction
MAX_BATCHES = 25  # per round: a backlog is worked off over the next rounds
PHASES = {
    ConversationStatus.waiting: Phase.running,
    ConversationStatus.offered: Phase.running,
    ConversationStatus.assigned: Phase.running,
    ConversationStatus.pending: Phase.paused,
    ConversationStatus.resolved: Phase.done,
    ConversationStatus.closed: Phase.done,
}
Step = Callable[[Clock], tuple[Clock, list[Alarm]]]


async def apply_policy(
    session: AsyncSession, conversations: Sequence[Conversation], now: datetime | None = None
) -> None:
    """Give newly opened conversations their policy (the first active one that fits their
    priority and channel) and due times, counted from ``now`` (default: when each opened);
    no policy fits, no SLA. One that already has a clock keeps it (a reopened
    conversation: see ``on_status_change``)."""
    if all(conversation.sla_clock is not None for conversation in conversations):
        return  # most batches open nothing: no need to read the policies
    policies = await active_terms(session)
    for conversation in conversations:
        if conversation.sla_clock is not None:
            continue
        terms = match_policy(policies, conversation.priority, conversation.channel)
        if terms is not None:
            conversation.sla_policy_id = terms.policy_id
            _store(conversation, Clock.start(terms, now or conversation.created_at))


def on_first_response(conversation: Conversation, now: datetime) -> None:
    """An advisor answered: the first-response target is met before its due time, else
    breached (recorded now if the ticket clock had not got there yet)."""
    _move(conversation, lambda clock: clock.answered(now))


def on_status_change(conversation: Conversation, now: datetime) -> None:
    """Call after every status change. Pending pauses the resolution clock and leaving
    pending resumes it, its due time pushed by the business time spent pending; resolved
    and closed settle both targets (met, or breached when late); back to waiting after
    resolved (reopened) restarts the resolution target in full, the first response staying
    as it was settled."""
    _move(conversation, lambda clock: clock.changed(PHASES[conversation.status], now))


async def reapply_after_priority_change(
    session: AsyncSession, conversation: Conversation, now: datetime
) -> None:
    """The priority changed: the policy that now fits applies, its targets counted from the
    original starts (a breach already recorded stands). When no policy fits, the current
    one stays: a promise made to the customer is not dropped silently."""
    terms = match_policy(await active_terms(session), conversation.priority, conversation.channel)
    clock = load(conversation)
    if terms is None or (clock is not None and clock.terms.policy_id == terms.policy_id):
        return
    if clock is not None:
        answered = conversation.first_response_at is not None
        clock, alarms = clock.retarget(terms, now, answered=answered)
    elif PHASES[conversation.status] != Phase.done:
        clock, alarms = _late_start(conversation, terms, now)
    else:
        return
    conversation.sla_policy_id = terms.policy_id
    _store(conversation, clock)
    _record(session, conversation, clock, alarms)


async def check_due(db: Database, _settings: Settings, now: datetime | None = None) -> int:
    """Record the warnings and breaches whose time has come; returns how many.

    Bounded batches, each its own transaction; rows another worker holds are skipped
    (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has a single writer), and a row is
    judged on its state once locked, so running twice or concurrently records nothing twice.
    """
    now = now or utcnow()
    recorded = 0
    for _ in range(MAX_BATCHES):
        async with db.session() as session:
            rows = (await session.scalars(_due(now))).all()
            for conversation in rows:
                recorded += _check(session, conversation, now)
            await session.commit()
        if len(rows) < BATCH:
            break
    return recorded


async def active_terms(session: AsyncSession) -> list[Terms]:
    """The active policies, in matching order (a stored policy that no longer parses, e.g.
    its time zone left the tz database, is skipped with a warning)."""
    rows = await session.scalars(
        select(SlaPolicy)
        .where(col(SlaPolicy.active))
        .order_by(col(SlaPolicy.position), col(SlaPolicy.id))
    )
    return [terms for terms in (terms_of(policy) for policy in rows) if terms is not None]


def terms_of(policy: SlaPolicy) -> Terms | None:
    try:
        hours = None if policy.business_hours is None else sla_hours(policy.business_hours)
    except RuleError as error:
        log.warning("SLA policy %s skipped: %s", policy.id, error)
        return None
    return Terms(
        policy_id=policy.id or 0,
        first_response_seconds=policy.first_response_seconds,
        resolution_seconds=policy.resolution_seconds,
        warning_ratio=policy.warning_ratio,
        hours=hours,
        position=policy.position,
        min_priority=policy.min_priority,
        channel=policy.channel,
    )


def load(conversation: Conversation) -> Clock | None:
    """The conversation's clock; None without a policy (or if the stored form is damaged,
    which is logged: the ticket then runs without SLA rather than failing replies)."""
    if conversation.sla_clock is None:
        return None
    try:
        return Clock.from_dict(
            conversation.sla_clock, conversation.first_response_sla, conversation.resolution_sla
        )
    except (RuleError, ValueError) as error:
        log.warning("conversation %s: SLA clock unreadable (%s)", conversation.id, error)
        return None


def _late_start(
    conversation: Conversation, terms: Terms, now: datetime
) -> tuple[Clock, list[Alarm]]:
    """A policy applied after the fact: counted from the opening, replaying what is known."""
    clock, alarms = Clock.start(terms, conversation.created_at), []
    if conversation.first_response_at is not None:
        clock, late = clock.answered(conversation.first_response_at)
        alarms += late
    if conversation.status == ConversationStatus.pending:
        clock, late = clock.changed(Phase.paused, conversation.pending_since or now)
        alarms += late
    clock, late = clock.check(now)
    return clock, alarms + late


def _move(conversation: Conversation, step: Step) -> None:
    clock = load(conversation)
    if clock is None:
        return
    clock, alarms = step(clock)
    _store(conversation, clock)
    if alarms:
        session = async_object_session(conversation)
        if session is None:
            raise RuntimeError("SLA alarms need the conversation to belong to a session")
        _record(session, conversation, clock, alarms)


def _check(session: AsyncSession, conversation: Conversation, now: datetime) -> int:
    clock = load(conversation)
    if clock is None:
        conversation.sla_next_check_at = None
        return 0
    clock, alarms = clock.check(now)
    _store(conversation, clock)
    _record(session, conversation, clock, alarms)
    return len(alarms)


def _due(now: datetime) -> SelectOfScalar[Conversation]:
    return (
        select(Conversation)
        .where(col(Conversation.sla_next_check_at) <= now)
        .order_by(col(Conversation.sla_next_check_at))  # ix_conversation_sla_check
        .limit(BATCH)
        .with_for_update(skip_locked=True, key_share=True)
    )


def _store(conversation: Conversation, clock: Clock) -> None:
    conversation.sla_clock = clock.to_dict()
    conversation.first_response_due_at = clock.due(Target.first_response)
    # Paused (waiting on the customer): no resolution due time until the clock runs again.
    paused = clock.paused_at is not None
    conversation.resolution_due_at = None if paused else clock.due(Target.resolution)
    conversation.first_response_sla = _state(clock, Target.first_response)
    conversation.resolution_sla = _state(clock, Target.resolution)
    conversation.sla_next_check_at = clock.next_check()


def _state(clock: Clock, target: Target) -> SlaState | None:
    state = clock.state(target)
    return None if state is None else SlaState(state.value)


def _record(
    session: AsyncSession, conversation: Conversation, clock: Clock, alarms: list[Alarm]
) -> None:
    for alarm in alarms:
        events.record(
            session,
            f"sla.{alarm.kind.value}",
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
            advisor_id=conversation.assignee_id,
            target=alarm.target.value,
            due_at=alarm.due_at.isoformat(),
            policy_id=clock.terms.policy_id,
            by=events.actor(None),
        )
