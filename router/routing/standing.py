"""A waiting conversation's place in its queue and the wait to expect.

The queue is the conversations waiting on the same channel for the same team (the team of
the requirements, or none). Those ahead are the ones the waiting order serves first: a higher
effective priority (queue priority + ageing), or the same and an older wait. The expected
wait is the place divided by the queue's service rate over the last ``SERVICE_WINDOW``
(conversations of that queue an advisor took, pushed, pulled or claimed): the figure a
contact centre announces ("you are 3rd, about 2 minutes"), not a promise. Never commits.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Assignment, ChannelIdentity, Conversation, Team
from router.models.conversations import ConversationStatus
from router.models.queues import QueueStanding
from router.routing import config as routing_config
from router.routing.config import RoutingPolicy
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
    served = await _served(session, conversation, now, shared_rate)
    per_hour = served * 3600 / SERVICE_WINDOW.total_seconds()
    estimate = None if served == 0 else math.ceil((ahead + 1) * 3600 / per_hour)
    return QueueStanding(
        position=ahead + 1,
        ahead=ahead,
        estimated_wait_seconds=estimate,
        served_per_hour=round(per_hour, 1),
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


_served_cache: dict[tuple[str, str, int | None], tuple[float, int]] = {}
_SERVED_TTL = 10.0  # seconds a queue's service count is reused (web chat sockets re-read)


async def _served(
    session: AsyncSession, conversation: Conversation, now: datetime, shared: bool
) -> int:
    """Conversations of its queue an advisor took within the window (``shared``: read once
    per queue every ``_SERVED_TTL`` seconds in this process)."""
    key = (str(session.get_bind().engine.url), conversation.channel, conversation.queue_team_id)
    moment = time.monotonic()
    cached = _served_cache.get(key)
    if shared and cached is not None and cached[0] > moment:
        return cached[1]
    count = await session.scalar(
        select(func.count())
        .select_from(Assignment)
        .join(Conversation, col(Conversation.id) == col(Assignment.conversation_id))
        .where(
            col(Assignment.channel) == conversation.channel,
            col(Assignment.accepted_at) >= now - SERVICE_WINDOW,
            _same_team(conversation),
        )
    )
    if len(_served_cache) > 1000:
        _served_cache.clear()
    _served_cache[key] = (moment + _SERVED_TTL, int(count or 0))
    return int(count or 0)


async def _label(session: AsyncSession, conversation: Conversation) -> str:
    if conversation.queue_team_id is None:
        return f"{conversation.channel}, any team"
    team = await session.get(Team, conversation.queue_team_id)
    return f"{conversation.channel}, team {team.name if team else conversation.queue_team_id}"
