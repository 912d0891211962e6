"""The return timer: a conversation its advisor took but left unanswered goes back to the queue.

An advisor who holds a conversation and stays silent past their team's
``return_after_seconds`` (router.routing.teams) is evidently not working on it, and its
customer waits for nothing. The assignment ends ("not answered"), the conversation goes back
to waiting at the place it had, that advisor is kept away from it for a while (like after a
decline, router.routing.offers), it is routed again (to a teammate when one fits), the
advisor is set away (like one who lets offers expire: no more work is pushed to someone
not at their desk; they come back by setting their status), the timeline tells it and the
team's supervisor is alerted. Nothing here waits on an advisor's lock: the rerouting skips
locked advisors, so schedulers never deadlock one another.
The timer stops at the advisor's first reply: ``note_answer`` stamps ``answered_at``.

``give_back`` is also how an offline advisor's work comes back (router.routing.presence).

Several schedulers share the work: due assignments are read in bounded batches, their
conversations locked SKIP LOCKED, conversation first, then the assignment (the order of
router.routing.offers), and each is judged on its locked state, so none returns twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Advisor, Assignment, Conversation, Message
from router.routing import offers, teams
from router.routing.context import RoutingContext
from router.store import Database
from router.store.types import utcnow
from router.supervision.raising import raise_alert
from router.tickets import events

log = logging.getLogger(__name__)

ALERT_RETURNED = "alert.returned_unanswered"
NOT_ANSWERED = "not answered"
BATCH = 100


@dataclass(frozen=True, slots=True)
class Held:
    """A live assignment (or offer) and its conversation, both locked."""

    conversation: Conversation
    assignment: Assignment


@dataclass(frozen=True, slots=True)
class Why:
    """Why a conversation goes back: the assignment's end reason, the sentence the timeline
    (and the exclusion, when the advisor is kept away) tells."""

    end_reason: str
    reason: str
    keep_away: bool


async def note_answer(
    session: AsyncSession, conversation_id: int, advisor_id: int, at: datetime
) -> None:
    """The advisor holding this conversation replied: its return timer stops (a reply by
    anyone else, their supervisor say, does not stop it)."""
    await session.execute(
        update(Assignment)
        .where(
            col(Assignment.conversation_id) == conversation_id,
            col(Assignment.advisor_id) == advisor_id,
            col(Assignment.ended_at).is_(None),
            col(Assignment.answered_at).is_(None),
        )
        .values(answered_at=at)
    )


async def return_unanswered(db: Database) -> int:
    """One batch of the assignments whose team's return time has passed unanswered."""
    async with db.session() as session:
        now = utcnow()
        due = await _due(session, now)
        if not due:
            return 0
        context = await RoutingContext.load(session, returning_customers=[])
        returned = 0
        for assignment_id, conversation_id, seconds in due:
            held = await lock_held(session, assignment_id, conversation_id)
            if held is None or held.assignment.accepted_at is None:
                continue  # answered, ended or being handled meanwhile
            why = Why(NOT_ANSWERED, f"not answered within {seconds} s", keep_away=True)
            waited = await give_back(session, held, why, context, now)
            await offers.set_away(
                session,
                held.assignment.advisor_id,
                context,
                "did not answer a conversation in time",
            )
            await _alert(session, held, seconds, waited, now)
            returned += 1
        await session.commit()
    if returned:
        log.info("%d unanswered conversation(s) went back to the queue", returned)
    return returned


async def lock_held(session: AsyncSession, assignment_id: int, conversation_id: int) -> Held | None:
    """The assignment and its conversation, locked, when it is still live and unanswered;
    None when another scheduler holds the conversation or it changed meanwhile."""
    conversation = await offers.lock_conversation(session, conversation_id, skip_locked=True)
    if conversation is None:
        return None
    row = await offers.lock_assignment(session, assignment_id)
    if row is None or row.ended_at is not None or row.answered_at is not None:
        return None
    return Held(conversation, row)


async def give_back(
    session: AsyncSession, held: Held, why: Why, context: RoutingContext, now: datetime
) -> int:
    """End the assignment, requeue the conversation at its place and route it again;
    returns how long its customer has waited (seconds)."""
    conversation, row = held.conversation, held.assignment
    place = await _place(session, conversation, row)
    row.ended_at = now
    row.end_reason = why.end_reason
    if why.keep_away:
        offers.keep_away(session, conversation, row.advisor_id, why.reason, context, now)
    conversation.waiting_since = place
    offers.back_in_queue(conversation, context, now)
    waited = round((now - place).total_seconds())
    events.record(
        session,
        "conversation.returned",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=row.advisor_id,
        assignment_id=row.id,
        reason=why.reason,
        end_reason=why.end_reason,
        waited_seconds=waited,
        held_seconds=round((now - (row.accepted_at or row.assigned_at)).total_seconds()),
    )
    await session.flush()
    await offers.reroute(session, [conversation], context)
    return waited


async def _place(session: AsyncSession, conversation: Conversation, row: Assignment) -> datetime:
    """Its place in the queue. An offer kept it (``waiting_since``); an accepted assignment
    cleared it, so it is since when the customer has waited for an answer: their first
    message after the last reply (when it was first queued, for a new conversation), at
    worst when it was taken."""
    if conversation.waiting_since is not None:
        return conversation.waiting_since
    last_reply = (
        select(func.coalesce(func.max(Message.id), 0))
        .where(
            col(Message.conversation_id) == conversation.id,
            col(Message.direction) == "outbound",
        )
        .scalar_subquery()
    )
    first: datetime | None = await session.scalar(
        select(func.min(Message.received_at)).where(
            col(Message.conversation_id) == conversation.id,
            col(Message.direction) == "inbound",
            col(Message.id) > last_reply,
        )
    )
    return first or row.assigned_at


async def _due(session: AsyncSession, now: datetime) -> list[tuple[int, int, int]]:
    """(assignment, conversation, return seconds) of accepted, unanswered live assignments
    older than their advisor's team's return time, oldest first."""
    timed = {
        team_id: service.return_after_seconds
        for team_id, service in (await teams.services(session)).items()
        if service.return_after_seconds is not None
    }
    by_seconds: dict[int, list[int]] = defaultdict(list)
    for team_id, seconds in timed.items():
        by_seconds[seconds].append(team_id)
    if not by_seconds:
        return []
    overdue = [
        col(Advisor.team_id).in_(sorted(team_ids))
        & (col(Assignment.accepted_at) <= now - timedelta(seconds=seconds))
        for seconds, team_ids in sorted(by_seconds.items())
    ]
    rows = await session.execute(
        select(Assignment.id, Assignment.conversation_id, Advisor.team_id)
        .join(Advisor, col(Advisor.id) == col(Assignment.advisor_id))
        .where(
            col(Assignment.answered_at).is_(None),
            col(Assignment.ended_at).is_(None),
            col(Assignment.accepted_at).is_not(None),
            or_(*overdue),
        )
        .order_by(col(Assignment.accepted_at))
        .limit(BATCH)
    )
    return [
        (assignment_id, conversation_id, timed[team_id])
        for assignment_id, conversation_id, team_id in rows
        if assignment_id is not None and team_id in timed
    ]


async def _alert(
    session: AsyncSession, held: Held, seconds: int, waited: int, now: datetime
) -> None:
    """Tell the advisor's supervisor (and their team's) that it came back unanswered, and
    where it went."""
    conversation, row = held.conversation, held.assignment
    advisor = await session.get(Advisor, row.advisor_id)
    assert conversation.id is not None and advisor is not None
    reason = f"{advisor.name} did not answer within {seconds} s: back in the queue"
    data = {
        "return_after_seconds": seconds,
        "waited_seconds": waited,
        "rerouted_to": conversation.assignee_id,  # the teammate who took it; None: waiting
        "conversation_status": str(conversation.status),
    }
    await raise_alert(session, conversation, ALERT_RETURNED, reason, data, now, about=advisor)
