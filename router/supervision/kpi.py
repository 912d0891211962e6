"""Team KPIs: every definition, written once, for the live and the interval reports.

A team's conversations are those in its queue or held by one of its advisors
(the scope of the SLA report, ``router.tickets.listing.team_clause``, written here with
the advisors' ids listed so that both branches of the OR read an index; one in no team's
queue that no advisor ever held belongs to no team). Over a period
[start, end), cut into buckets of ``step`` seconds (or one bucket):

- **offered**: the team's conversations *opened* (``created_at``) in the bucket. A
  conversation counts once, where it opened: a reopened one is not offered again.
- **answered**: of those, the ones an advisor *accepted* (the first assignment with
  ``accepted_at``: pushed, offer accepted, pulled or claimed), whenever that happened.
  The answer time is first ``accepted_at`` minus ``created_at``. Not the first reply: the
  router controls when a conversation reaches an advisor, the advisor when they write.
- **answered_in_target**: answered within the team's ``service_level_seconds``.
- **abandoned**: offered, never answered, and ``abandoned_at`` set (left the queue resolved
  or closed, router.tickets.abandonment). Answered and abandoned never overlap.
- **service level** = answered_in_target / settled, where settled = answered, abandoned,
  or still unanswered after the target (its outcome is known: a miss). Conversations that
  opened less than the target ago and wait are not counted yet either way.
- **ASA** (average speed of answer) = mean answer time of the answered.
- **handled**: accepted assignments of the team's advisors that *ended* in the bucket
  (resolved, pending, transferred, returned...); a transfer makes two handled legs.
- **AHT** (average handling time) = mean of ``ended_at - accepted_at`` of the handled. With
  concurrent conversations this is time held, not exclusive effort: a team figure, never
  reported per advisor.
- **transfers**: handled assignments whose end reason is ``transferred``.
- **occupancy**: seat-seconds held / seat-seconds offered, over advisors while *available*:
  live, the accepted conversations available advisors hold / their ``capacity_total``; by
  interval, see router.supervision.occupancy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_
from sqlalchemy import select as select_many
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import NotFound
from router.models import Advisor, Assignment, Conversation, Team
from router.models.kpi import ServiceFigures
from router.security.principal import Principal
from router.store.timemath import floor_of, moment, seconds_between

TRANSFERRED = "transferred"  # the end reason router.routing.transfer gives


@dataclass
class Counts:
    """The sums a bucket's figures derive from (additive: buckets can be merged)."""

    offered: int = 0
    answered: int = 0
    in_target: int = 0
    abandoned: int = 0
    settled: int = 0
    answer_seconds: float = 0.0
    handled: int = 0
    handle_seconds: float = 0.0
    transfers: int = 0


def figures(counts: Counts) -> ServiceFigures:
    """The reported figures of some counts: the ratios are defined here only."""
    return ServiceFigures(
        offered=counts.offered,
        answered=counts.answered,
        answered_in_target=counts.in_target,
        abandoned=counts.abandoned,
        service_level=_ratio(counts.in_target, counts.settled, 4),
        asa_seconds=_ratio(counts.answer_seconds, counts.answered, 1),
        handled=counts.handled,
        aht_seconds=_ratio(counts.handle_seconds, counts.handled, 1),
        transfers=counts.transfers,
    )


def _ratio(part: float, whole: float, digits: int) -> float | None:
    return round(part / whole, digits) if whole else None


def occupancy(held: float, capacity: float) -> float | None:
    """Held over offered seats (0..1 while nobody holds more than their capacity)."""
    return _ratio(held, capacity, 4)


async def visible_teams(
    session: AsyncSession, viewer: Principal, team_id: int | None
) -> list[Team]:
    """The teams reported on: one, or every team the viewer supervises (admins: all). A
    team the viewer does not supervise is reported as not found, as in the other reports."""
    if team_id is not None:
        visible = viewer.sees_everything or team_id in viewer.team_ids
        team = await session.get(Team, team_id) if visible else None
        if team is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        return [team]
    query = select(Team).order_by(col(Team.id))
    if not viewer.sees_everything:
        query = query.where(col(Team.id).in_(sorted(viewer.team_ids)))
    return list((await session.scalars(query)).all())


def team_advisors(team_id: int) -> Any:
    """The ids of the team's advisors (its members now)."""
    return select(Advisor.id).where(col(Advisor.team_id) == team_id).order_by(col(Advisor.id))


def bucket_of(column: Any, start: datetime, step: int | None) -> ColumnElement[int]:
    """The index of the bucket of [start, start + step) a moment falls in (0: no step)."""
    if step is None:
        return literal(0)
    return floor_of(seconds_between(moment(start), column) / step)


async def counts(
    session: AsyncSession,
    team: Team,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    step: int | None = None,
) -> dict[int, Counts]:
    """Counts per bucket index of [start, end), aggregated in the database."""
    assert team.id is not None
    advisors = list(await session.scalars(team_advisors(team.id)))
    per_bucket: dict[int, Counts] = {}
    for index, offered, answered, in_target, abandoned, settled, seconds in await session.execute(
        _offered(team, advisors, start, end, now, step)
    ):
        per_bucket[int(index)] = Counts(
            offered=int(offered),
            answered=int(answered),
            in_target=int(in_target or 0),
            abandoned=int(abandoned or 0),
            settled=int(settled or 0),
            answer_seconds=float(seconds or 0),
        )
    for index, handled, seconds, transfers in await session.execute(
        _handled(advisors, start, end, step)
    ):
        found = per_bucket.setdefault(int(index), Counts())
        found.handled, found.handle_seconds = int(handled), float(seconds or 0)
        found.transfers = int(transfers or 0)
    return per_bucket


def _offered(
    team: Team, advisors: list[int], start: datetime, end: datetime, now: datetime, step: int | None
) -> Any:
    first_accepted = (
        select(func.min(Assignment.accepted_at))
        .where(
            col(Assignment.conversation_id) == col(Conversation.id),
            col(Assignment.accepted_at).is_not(None),
        )
        .scalar_subquery()
    )
    opened = (
        select(
            bucket_of(Conversation.created_at, start, step).label("bucket"),
            col(Conversation.created_at).label("opened"),
            col(Conversation.abandoned_at).label("abandoned"),
            first_accepted.label("accepted"),
        )
        .where(
            or_(
                col(Conversation.queue_team_id) == team.id,
                col(Conversation.assignee_id).in_(advisors),
            ),
            col(Conversation.created_at) >= start,
            col(Conversation.created_at) < end,
        )
        .subquery()
    )
    wait = seconds_between(opened.c.opened, opened.c.accepted)
    never_answered = opened.c.accepted.is_(None)
    overdue = now - timedelta(seconds=team.service_level_seconds)
    settled = or_(
        opened.c.accepted.is_not(None), opened.c.abandoned.is_not(None), opened.c.opened <= overdue
    )
    return select_many(  # sqlmodel's select types at most four columns
        opened.c.bucket,
        func.count(),
        func.count(opened.c.accepted),
        func.sum(case((wait <= team.service_level_seconds, 1), else_=0)),
        func.sum(case((never_answered & opened.c.abandoned.is_not(None), 1), else_=0)),
        func.sum(case((settled, 1), else_=0)),
        func.sum(wait),
    ).group_by(opened.c.bucket)


def _handled(advisors: list[int], start: datetime, end: datetime, step: int | None) -> Any:
    ended = col(Assignment.ended_at)
    return (
        select(
            bucket_of(ended, start, step).label("bucket"),
            func.count(),
            func.sum(seconds_between(Assignment.accepted_at, ended)),
            func.sum(case((col(Assignment.end_reason) == TRANSFERRED, 1), else_=0)),
        )
        .where(
            col(Assignment.advisor_id).in_(advisors),
            ended >= start,
            ended < end,
            col(Assignment.accepted_at).is_not(None),
        )
        .group_by("bucket")
    )
