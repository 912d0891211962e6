"""The supervisors' live figures per team: its queues now, its advisors now, and today so far.

Everything is read from the database in one read transaction, so every API process gives
the same answer. "Today" starts at midnight in the routing config's ``day_timezone`` (the
zone of the intense-spread report; UTC unless configured). Definitions:
router.supervision.kpi.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Advisor, Assignment, Conversation, Team
from router.models.advisors import AdvisorStatus
from router.models.kpi import LiveNoTeam, LiveQueue, LiveReport, LiveTeam
from router.routing import config as routing_config
from router.security.principal import Principal
from router.store import Database
from router.store.types import utcnow
from router.supervision import csat_report, kpi
from router.tickets.abandonment import IN_QUEUE
from skills import parse_class

_PRIORITY_SUFFIX = len("|0000")  # a class key is its fit key and four digits of priority


async def live_report(db: Database, viewer: Principal, *, team_id: int | None) -> LiveReport:
    """Live figures of one team, or of every team the viewer supervises (admins: all)."""
    now = utcnow()
    async with db.read_session() as session:
        policy = await routing_config.current(session)
        day_start = policy.day_start(now)
        teams = await kpi.visible_teams(session, viewer, team_id)
        rows = [await _team(session, team, day_start, now) for team in teams]
        no_team = await _no_team(session, now) if team_id is None else None
    return LiveReport(at=now, timezone=str(policy.day_zone), teams=rows, no_team=no_team)


async def _no_team(session: AsyncSession, now: datetime) -> LiveNoTeam:
    """The queue of no team: what a rule without a team leaves waiting for anyone."""
    queues = await _queues(session, None, now)
    waits = [q.oldest_wait_seconds for q in queues]
    return LiveNoTeam(
        waiting=sum(q.waiting for q in queues),
        oldest_wait_seconds=max(waits) if waits else None,
        queues=queues,
    )


async def _team(session: AsyncSession, team: Team, day_start: datetime, now: datetime) -> LiveTeam:
    assert team.id is not None
    queues = await _queues(session, team.id, now)
    statuses, held, capacity = await _advisors(session, team.id)
    today = (await kpi.counts(session, team, day_start, now, now=now)).get(0, kpi.Counts())
    surveys = csat_report.figures(
        await csat_report.survey_counts(session, [team.id], day_start, now)
    )
    waits = [q.oldest_wait_seconds for q in queues]
    return LiveTeam(
        team_id=team.id,
        name=team.name,
        day_start=day_start,
        service_level_seconds=team.service_level_seconds,
        service_level_percent=team.service_level_percent,
        waiting=sum(q.waiting for q in queues),
        oldest_wait_seconds=max(waits) if waits else None,
        queues=queues,
        advisors_by_status=statuses,
        held=held,
        capacity_available=capacity,
        occupancy=kpi.occupancy(held, capacity),
        today=kpi.figures(today),
        csat_sent_today=surveys.sent,
        csat_answered_today=surveys.answered,
        csat_average_today=surveys.average,
    )


async def _queues(session: AsyncSession, team_id: int | None, now: datetime) -> list[LiveQueue]:
    """The team's queue now (None: no team's), per fit key (the class key without its queue
    priority)."""
    key = col(Conversation.queue_class)
    fit_key = func.substr(key, 1, func.length(key) - _PRIORITY_SUFFIX)
    team = col(Conversation.queue_team_id)
    rows = await session.execute(
        select(fit_key, func.count(), func.min(Conversation.waiting_since))
        .where(
            team.is_(None) if team_id is None else team == team_id,
            col(Conversation.status).in_(sorted(IN_QUEUE)),
        )
        .group_by(fit_key)
        .order_by(fit_key)
    )
    return [_queue(name, int(count), now, since) for name, count, since in rows]


def _queue(name: str | None, count: int, now: datetime, since: datetime | None) -> LiveQueue:
    cls = parse_class(f"{name}|0000") if name else None
    wait = (now - since).total_seconds() if since is not None else 0.0
    return LiveQueue(
        queue=name,
        channel=cls.requirements.channel if cls else None,
        language=cls.requirements.language if cls else None,
        skills=dict(cls.requirements.skills) if cls else {},
        intense=cls.intense if cls else None,
        waiting=count,
        oldest_wait_seconds=round(max(0.0, wait), 1),
    )


async def _advisors(session: AsyncSession, team_id: int) -> tuple[dict[str, int], int, int]:
    """Advisors by status; conversations held by, and capacity of, the available ones."""
    by_status = dict.fromkeys((s.value for s in AdvisorStatus), 0)
    rows = await session.execute(
        select(Advisor.status, func.count(), func.sum(Advisor.capacity_total))
        .where(col(Advisor.team_id) == team_id)
        .group_by(col(Advisor.status))
    )
    capacity = 0
    for status, count, seats in rows:
        by_status[str(status)] = int(count)
        if status == AdvisorStatus.AVAILABLE:
            capacity = int(seats or 0)
    available = select(Advisor.id).where(
        col(Advisor.team_id) == team_id, col(Advisor.status) == AdvisorStatus.AVAILABLE
    )
    held = await session.scalar(
        select(func.count()).where(
            col(Assignment.advisor_id).in_(available),
            col(Assignment.ended_at).is_(None),
            col(Assignment.accepted_at).is_not(None),
        )
    )
    return by_status, int(held or 0), capacity
