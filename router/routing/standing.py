"""A waiting conversation's place in its queue and the wait to expect.

The queue is the conversations waiting on the same channel for the same team (the team of
the requirements, or none). Those ahead are the ones the waiting order serves first: a higher
effective priority (queue priority + ageing), or the same and an older wait. The expected
wait is the place divided by the queue's service rate: the figure a contact centre
announces ("you are 3rd, about 2 minutes"), not a promise. Never commits.

Two readings of that rate, both lower bounds, and the estimate takes the larger:
* throughput: the conversations of the queue an advisor took (pushed, pulled or claimed)
  over the last ``SERVICE_WINDOW``. Right when advisors were saturated; when they were not,
  it is the arrival rate, far below what they can serve (replaying the demo day,
  ``bench/estimated_wait.py``, it overstated waits 2 to 77 times);
* seats: the team's conversations (any channel) held by advisors now, each freeing its
  seat after the team's mean handling time (of those ended within the window): busy /
  handling time. The team, not the channel's queue: its advisors take from every channel.
On the demo day the estimate went from 3.7 to 2.2 times the realised mean wait, and on a
single M/M/N queue from 1.11 to 1.00 (docs/benchmarks.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Assignment, ChannelIdentity, Conversation, Team
from router.models.conversations import ConversationStatus
from router.models.queues import QueueStanding
from router.routing import config as routing_config
from router.routing.config import RoutingPolicy
from router.store.timemath import moment, seconds_between
from router.store.types import utcnow

SERVICE_WINDOW = timedelta(minutes=30)
_HORIZON_MINUTES = 10 * 365 * 24 * 60


async def of(
    session: AsyncSession, conversation: Conversation, *, shared_rate: bool = False
) -> QueueStanding | None:
    """Its standing while it waits; None once an advisor has it (or it is not queued).
    ``shared_rate``: reuse the queue's service count read in the last few seconds (what
    every waiting web-chat visitor's socket asks for)."""
    if conversation.status != ConversationStatus.waiting or conversation.id is None:
        return None
    policy = await routing_config.current(session)
    now = utcnow()
    ahead = await _ahead(session, conversation, policy)
    per_second = (await _service(session, conversation, now, shared_rate)).per_second()
    estimate = None if per_second == 0 else math.ceil((ahead + 1) / per_second)
    return QueueStanding(
        position=ahead + 1,
        ahead=ahead,
        estimated_wait_seconds=estimate,
        served_per_hour=round(per_second * 3600, 1),
        queue=await _label(session, conversation),
    )


async def for_visitor(session: AsyncSession, visitor_id: str) -> QueueStanding | None:
    """The standing of a web-chat visitor's open conversation, if it waits."""
    conversation = await waiting_chat(session, visitor_id)
    return None if conversation is None else await of(session, conversation, shared_rate=True)


async def waiting_chat(session: AsyncSession, visitor_id: str) -> Conversation | None:
    """A web-chat visitor's conversation waiting in the queue, if any."""
    conversation: Conversation | None = await session.scalar(
        select(Conversation)
        .join(ChannelIdentity, col(ChannelIdentity.customer_id) == col(Conversation.customer_id))
        .where(
            col(ChannelIdentity.channel) == "chat",
            col(ChannelIdentity.address) == visitor_id,
            col(Conversation.channel) == "chat",
            col(Conversation.status) == ConversationStatus.waiting,
        )
        .order_by(col(Conversation.id).desc())
        .limit(1)
    )
    return conversation


def _same_team(conversation: Conversation) -> ColumnElement[bool]:
    team = col(Conversation.queue_team_id)
    wanted = conversation.queue_team_id
    return team.is_(None) if wanted is None else team == wanted


def _same_queue(conversation: Conversation) -> ColumnElement[bool]:
    return and_(
        col(Conversation.status) == ConversationStatus.waiting,
        col(Conversation.channel) == conversation.channel,
        _same_team(conversation),
    )


async def _ahead(session: AsyncSession, conversation: Conversation, policy: RoutingPolicy) -> int:
    """How many of its queue the waiting order serves first. The stored priority parts take
    few distinct values: per value, the ones ahead are those that started waiting before a
    bound (ageing turns a priority gap into a head start in time)."""
    queue = policy.queue
    mine = queue.queue_priority(
        conversation.priority, conversation.urgency_points, conversation.intense
    )
    since = conversation.waiting_since or conversation.created_at
    levels = await session.execute(
        select(Conversation.priority, Conversation.urgency_points, Conversation.intense)
        .where(_same_queue(conversation))
        .distinct()
    )
    earlier: list[ColumnElement[bool]] = []
    for priority, urgency, intense in levels:
        gap = queue.queue_priority(priority, urgency, intense) - mine
        bound = _bound(since, gap, queue.ageing_per_minute)
        if bound is False:
            continue
        level = and_(
            col(Conversation.priority) == priority,
            col(Conversation.urgency_points) == urgency,
            col(Conversation.intense).is_(bool(intense)),
        )
        if isinstance(bound, datetime):
            level = and_(level, col(Conversation.waiting_since) < bound)
        earlier.append(level)
    if not earlier:
        return 0
    count = await session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(_same_queue(conversation), col(Conversation.id) != conversation.id, or_(*earlier))
    )
    return int(count or 0)


def _bound(since: datetime, gap: int, ageing_per_minute: float) -> datetime | bool:
    """Members of a level ``gap`` points above are ahead when they have waited since before
    the returned time (True: all of them, False: none)."""
    if ageing_per_minute > 0 and gap != 0:
        minutes = gap / ageing_per_minute
        if abs(minutes) > _HORIZON_MINUTES:  # a gap no wait can make up
            return gap > 0
        return since + timedelta(minutes=minutes)
    if gap != 0:
        return gap > 0
    return since


@dataclass(frozen=True, slots=True)
class Service:
    """What a queue's recent service says of its rate (see the module's docstring)."""

    taken: int  # conversations of the queue an advisor took within the window
    busy: int  # conversations of the queue's team (any channel) an advisor holds now
    handling_seconds: float | None  # the team's mean handling of those ended in the window

    def per_second(self) -> float:
        """Conversations per second the queue can expect to be served at (0: no reading)."""
        throughput = self.taken / SERVICE_WINDOW.total_seconds()
        seats = self.busy / self.handling_seconds if self.handling_seconds else 0.0
        return max(throughput, seats)


_service_cache: dict[tuple[str, str, int | None], tuple[float, Service]] = {}
_SERVICE_TTL = 10.0  # seconds a queue's service reading is reused (web chat sockets re-read)


async def _service(
    session: AsyncSession, conversation: Conversation, now: datetime, shared: bool
) -> Service:
    """The queue's service reading, in one statement (``shared``: read once per queue every
    ``_SERVICE_TTL`` seconds in this process)."""
    key = (str(session.get_bind().engine.url), conversation.channel, conversation.queue_team_id)
    clock = time.monotonic()
    cached = _service_cache.get(key)
    if shared and cached is not None and cached[0] > clock:
        return cached[1]
    since = moment(now - SERVICE_WINDOW)
    accepted, ended = col(Assignment.accepted_at), col(Assignment.ended_at)
    taken = and_(col(Assignment.channel) == conversation.channel, accepted >= since)
    row = (
        await session.execute(
            select(
                func.count(case((taken, 1))),
                func.count(case((and_(accepted.is_not(None), ended.is_(None)), 1))),
                func.avg(case((ended >= since, seconds_between(accepted, ended)))),
            )
            .select_from(Assignment)
            .join(Conversation, col(Conversation.id) == col(Assignment.conversation_id))
            .where(
                or_(taken, ended.is_(None), ended >= since),  # an index for each term
                _same_team(conversation),
            )
        )
    ).one()
    reading = Service(int(row[0] or 0), int(row[1] or 0), float(row[2]) if row[2] else None)
    if len(_service_cache) > 1000:
        _service_cache.clear()
    _service_cache[key] = (clock + _SERVICE_TTL, reading)
    return reading


async def _label(session: AsyncSession, conversation: Conversation) -> str:
    if conversation.queue_team_id is None:
        return f"{conversation.channel}, any team"
    team = await session.get(Team, conversation.queue_team_id)
    return f"{conversation.channel}, team {team.name if team else conversation.queue_team_id}"
