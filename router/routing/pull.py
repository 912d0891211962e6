"""Pull: an advisor reads their queue and claims the conversation they choose.

Advisors act for themselves; supervisors for their teams' advisors; admins for anyone. A
claim locks the advisor (like a take-next), then the conversation with SKIP LOCKED: a
conversation being routed or claimed at that instant is refused with a 409 saying so rather
than waited for, which keeps the lock order of the push path and rules out deadlocks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict, Forbidden, InvalidRequest, NotFound
from router.models import Advisor, Assignment, Conversation
from router.models.conversations import ConversationPublic, ConversationStatus
from router.models.queues import ClaimRequest, QueueItem, QueuePage
from router.routing import advisor_queue, assignment, profiles, queue, teams
from router.routing import config as routing_config
from router.routing.advisor_queue import Details, Entry
from router.routing.config import RoutingPolicy
from router.security.principal import Principal, PrincipalKind
from router.security.visibility import advisor_clause, hidden, may_manage_advisor, sees_waiting
from router.store import Database
from router.store.types import utcnow
from router.tickets import conversations, tags
from skills import AdvisorProfile, Situation, effective_priority, eligible_because, exclusion_reason

MAX_DEPTH = 1000  # offset + limit: how deep a queue can be paged
TAKEN = "conversation {} is no longer waiting: another advisor took it a moment earlier"
RACE_WINDOW = timedelta(minutes=1)  # how long a lost claim is explained rather than a 404
_TAKEN_STATUSES = (ConversationStatus.assigned, ConversationStatus.offered)


async def visible_advisor(
    session: AsyncSession, advisor_id: int, viewer: Principal | None, *, lock: bool = False
) -> Advisor:
    """The advisor if ``viewer`` may see them (404 otherwise), locked when asked."""
    query = select(Advisor).where(col(Advisor.id) == advisor_id)
    clause = advisor_clause(viewer) if viewer is not None else None
    if clause is not None:
        query = query.where(clause)
    advisor = await session.scalar(query.with_for_update(key_share=True) if lock else query)
    if advisor is None:
        raise hidden("advisor", advisor_id)
    return advisor


async def acting_for(
    session: AsyncSession, advisor_id: int, viewer: Principal | None, *, lock: bool = False
) -> Advisor:
    """The advisor a queue read, take-next or claim is for, if ``viewer`` may act for them
    (their row locked when asked: a claim then reads their load after the lock)."""
    advisor = await visible_advisor(session, advisor_id, viewer, lock=lock)
    if viewer is not None and not viewer.sees_everything and viewer.id != advisor_id:
        if not may_manage_advisor(viewer, advisor):
            raise Forbidden("an advisor may pull and claim conversations only for themselves")
    return advisor


async def my_queue(
    db: Database, advisor_id: int, viewer: Principal | None, *, offset: int, limit: int
) -> QueuePage:
    """A page of the advisor's queue, best first, with what they need to choose."""
    if offset + limit > MAX_DEPTH:
        raise InvalidRequest(
            f"offset + limit may not exceed {MAX_DEPTH} (the queue is read from its head)",
            field="offset",
        )
    async with db.read_session() as session:
        target = await acting_for(session, advisor_id, viewer)
        policy = await routing_config.current(session)
        now = utcnow()
        advisor = (await profiles.profiles(session, [target], policy.day_start(now)))[0]
        pick_limit = (await teams.service(session, advisor.team_id)).pick_limit
        entries = await advisor_queue.ranked(session, advisor, policy, now, offset + limit + 1)
        page = entries[offset : offset + limit]
        found = await advisor_queue.details(session, [e.head.conversation_id for e in page])
    claimable = (
        None
        if pick_limit is None
        else advisor_queue.first_takeable(entries, advisor, policy, now, pick_limit)
    )
    items = [
        _item(entry, found[entry.head.conversation_id], advisor, policy, now, claimable)
        for entry in page
        if entry.head.conversation_id in found
    ]
    return QueuePage(
        advisor_id=advisor_id,
        offset=offset,
        limit=limit,
        has_more=len(entries) > offset + limit,
        pick_limit=pick_limit,
        items=items,
    )


def _item(
    entry: Entry,
    info: Details,
    advisor: AdvisorProfile,
    policy: RoutingPolicy,
    now: datetime,
    claimable: dict[int, int] | None,
) -> QueueItem:
    waited = max(0.0, now.timestamp() - entry.head.waiting_since)
    priority = entry.cls.queue_priority
    refusal = advisor_queue.refusal_now(advisor, entry, policy, now)
    within = claimable is None or entry.head.conversation_id in claimable
    return QueueItem(
        position=entry.position,
        conversation_id=entry.head.conversation_id,
        customer_id=info.customer_id,
        customer_name=info.customer_name,
        channel=info.channel,
        language=info.language,
        intent=info.intent,
        emotion=info.emotion,
        emotion_intensity=info.emotion_intensity,
        intense=info.intense,
        preview=info.preview,
        waiting_since=info.waiting_since,
        waiting_seconds=int(waited),
        queue_priority=priority,
        effective_priority=round(
            effective_priority(priority, waited, policy.queue.ageing_per_minute), 2
        ),
        first_response_due_at=info.first_response_due_at,
        eligible_because=eligible_because(advisor, entry.cls.requirements, entry.cls.intense),
        can_take_now=refusal is None,
        not_now_because=refusal,
        claimable=refusal is None and within,
    )


async def claim(
    db: Database, conversation_id: int, request: ClaimRequest, viewer: Principal | None
) -> ConversationPublic:
    """Assign the chosen waiting conversation to the advisor, atomically, or say why not."""
    advisor_id = _claimant(request, viewer)
    async with db.session() as session:
        # Locked as a take-next locks them (profiles.locked_profile), their load read after.
        target = await acting_for(session, advisor_id, viewer, lock=True)
        now = utcnow()
        locked = await _lock_visible_claimable(session, conversation_id, advisor_id, viewer, now)
        conversation = locked.conversation
        policy = await routing_config.current(session)
        advisor = (await profiles.profiles(session, [target], policy.day_start(now)))[0]
        position = await _check_claim(session, conversation, advisor, policy, now, locked.avoided)
        explanation: dict[str, Any] = {
            "mode": "claim",
            "reason": f"{advisor.name} chose it from their queue"
            if viewer is None or viewer.id == advisor_id
            else f"claimed for {advisor.name} by #{viewer.id}",
            "requirements": conversation.requirements,
            "eligible_because": eligible_because(
                advisor, queue.requirements_of(conversation), conversation.intense
            ),
            "queue_position": position,
        }
        await assignment.assign(
            session, conversation, advisor, mode="claim", explanation=explanation
        )
        result = tags.public_with(conversation, locked.tags)
        await session.commit()
        return result


def _claimant(request: ClaimRequest, viewer: Principal | None) -> int:
    if request.advisor_id is not None:
        return request.advisor_id
    if viewer is None or viewer.kind != PrincipalKind.staff:
        raise InvalidRequest("say which advisor claims it", field="advisor_id")
    return viewer.id


async def _visible_or_taken(
    session: AsyncSession, conversation_id: int, viewer: Principal | None
) -> None:
    """404 for a conversation the caller may not see, except one that waited in a queue
    they see until another advisor took it a moment ago: the race a claim must explain
    (409). Nothing else about a conversation they cannot see is told."""
    try:
        await conversations.visible(session, conversation_id, viewer)
    except NotFound:
        if not await _just_taken(session, conversation_id, viewer):
            raise
        raise Conflict(TAKEN.format(conversation_id), field="conversation_id") from None


async def _just_taken(
    session: AsyncSession, conversation_id: int, viewer: Principal | None
) -> bool:
    current = await session.get(Conversation, conversation_id)
    if current is None or current.status not in _TAKEN_STATUSES:
        return False
    if viewer is not None and not viewer.sees_everything:
        if current.queue_team_id is not None and current.queue_team_id not in viewer.team_ids:
            return False
    taken_at = await session.scalar(
        select(Assignment.assigned_at).where(
            col(Assignment.conversation_id) == conversation_id,
            col(Assignment.ended_at).is_(None),
        )
    )
    return taken_at is not None and utcnow() - taken_at <= RACE_WINDOW


async def _lock_visible_claimable(
    session: AsyncSession,
    conversation_id: int,
    advisor_id: int,
    viewer: Principal | None,
    now: datetime,
) -> queue.Locked:
    """The conversation locked (``SKIP LOCKED``) if it is waiting and ``viewer`` may see it,
    with whether the advisor is kept away from it now and its tags, in one statement;
    otherwise the
    refusal a visibility check then a lock would give (404, or 409 taken / being routed /
    not waiting)."""
    found = await queue.lock_waiting_avoided(session, conversation_id, advisor_id, now)
    if found is not None and (viewer is None or sees_waiting(viewer, found.conversation)):
        return found
    # Not waiting, held by another transaction, or not plainly visible: the checks as they
    # were made one by one (a locked row stays readable; visibility is read, not assumed).
    await _visible_or_taken(session, conversation_id, viewer)
    if found is None:  # locked after the visibility read, as before
        found = await queue.lock_waiting_avoided(session, conversation_id, advisor_id, now)
    if found is None:
        raise await _not_claimable(session, conversation_id)
    return found


async def _not_claimable(session: AsyncSession, conversation_id: int) -> Conflict:
    """Why a visible conversation could not be locked as waiting."""
    current = await session.get(Conversation, conversation_id, populate_existing=True)
    assert current is not None  # it was visible a moment ago; conversations are not deleted
    if current.status == ConversationStatus.waiting:
        return Conflict(
            f"conversation {conversation_id} is being routed or claimed at this moment; try again",
            field="conversation_id",
        )
    if current.status in _TAKEN_STATUSES:
        return Conflict(TAKEN.format(conversation_id), field="conversation_id")
    return Conflict(
        f"conversation {conversation_id} is {current.status}, not waiting",
        field="conversation_id",
    )


async def _check_claim(
    session: AsyncSession,
    conversation: Conversation,
    advisor: AdvisorProfile,
    policy: RoutingPolicy,
    now: datetime,
    avoided: bool,
) -> int | None:
    """Refuse a claim the advisor may not make (409 with the reason); returns the
    conversation's place in their queue when the team limits picking to its head."""
    assert conversation.id is not None
    if not conversation.requirements:
        raise Conflict(
            f"conversation {conversation.id} is not in a queue yet (being routed); try again",
            field="conversation_id",
        )
    if avoided:
        raise Conflict(
            f"advisor {advisor.id} declined conversation {conversation.id} (or let its offer "
            "expire) and is kept away from it for now",
            field="conversation_id",
        )
    situation = Situation(now=now.timestamp(), intense=conversation.intense, care=policy.care)
    refusal = exclusion_reason(advisor, queue.requirements_of(conversation), situation)
    if refusal is not None:
        raise Conflict(
            f"advisor {advisor.id} cannot take conversation {conversation.id}: {refusal}",
            field="conversation_id",
        )
    pick_limit = (await teams.service(session, advisor.team_id)).pick_limit
    if pick_limit is None:
        return None
    ahead = await advisor_queue.ranked(session, advisor, policy, now, 4 * pick_limit + 20)
    allowed = advisor_queue.first_takeable(ahead, advisor, policy, now, pick_limit)
    position = allowed.get(conversation.id)
    if position is None:
        raise Conflict(
            f"advisor {advisor.id}'s team lets advisors claim only among the first "
            f"{pick_limit} of their queue they can take now, and conversation "
            f"{conversation.id} is further back",
            field="conversation_id",
        )
    return position
