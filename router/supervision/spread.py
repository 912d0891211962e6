"""Team figures for supervisors: how intense conversations were spread across advisors."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import case, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import NotFound
from router.models import Advisor, Assignment, Team
from router.routing import config as routing_config
from router.security.principal import Principal
from router.store import Database
from router.store.types import utcnow


# One advisor's day.
class AdvisorSpread(BaseModel):
    advisor_id: int = Field(description="advisor id")
    name: str = Field(description="advisor name")
    team_id: int | None = Field(description="their team; null when none")
    intense: int = Field(description="intense conversations taken (accepted) that day")
    total: int = Field(description="conversations taken that day")


# Returned by GET /v1/reports/intense-spread.
class IntenseSpread(BaseModel):
    day: date = Field(description="the day counted, in timezone")
    timezone: str = Field(
        description="IANA time zone the day is counted in (the routing configuration's)"
    )
    team_id: int | None = Field(description="the team asked for; null: all teams the caller sees")
    advisors: list[AdvisorSpread] = Field(description="one entry per advisor, most intense first")
    intense_total: int = Field(
        description="intense conversations taken that day, all advisors together"
    )
    spread: int = Field(description="most minus fewest intense conversations per advisor")


async def intense_spread(
    db: Database, viewer: Principal, *, team_id: int | None, day: date | None
) -> IntenseSpread:
    """Per advisor of the team (all the viewer's teams when omitted), the intense and total
    conversations taken on ``day`` (today by default) in the routing config's time zone."""
    async with db.read_session() as session:
        policy = await routing_config.current(session)
        day = day or utcnow().astimezone(policy.day_zone).date()
        start = datetime.combine(day, time(), tzinfo=policy.day_zone)
        end = start + timedelta(days=1)
        teams = await _teams(session, viewer, team_id)
        advisors = (
            await session.scalars(
                select(Advisor).where(col(Advisor.team_id).in_(teams)).order_by(col(Advisor.id))
            )
            if teams is not None
            else await session.scalars(select(Advisor).order_by(col(Advisor.id)))
        ).all()
        taken = await _taken(session, [a.id for a in advisors if a.id is not None], start, end)
    rows = [
        AdvisorSpread(
            advisor_id=a.id or 0,
            name=a.name,
            team_id=a.team_id,
            intense=taken.get(a.id or 0, (0, 0))[0],
            total=taken.get(a.id or 0, (0, 0))[1],
        )
        for a in advisors
    ]
    intense = [r.intense for r in rows]
    return IntenseSpread(
        day=day,
        timezone=str(policy.day_zone),
        team_id=team_id,
        advisors=rows,
        intense_total=sum(intense),
        spread=max(intense) - min(intense) if intense else 0,
    )


async def _taken(
    session: AsyncSession, advisor_ids: list[int], start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per advisor, (intense, all) conversations taken (accepted) in [start, end)."""
    counts = await session.execute(
        select(
            Assignment.advisor_id,
            func.sum(case((col(Assignment.intense), 1), else_=0)),
            func.count(),
        )
        .where(
            col(Assignment.advisor_id).in_(advisor_ids),
            col(Assignment.assigned_at) >= start,
            col(Assignment.assigned_at) < end,
            col(Assignment.accepted_at).is_not(None),
        )
        .group_by(col(Assignment.advisor_id))
    )
    return {advisor_id: (int(intense or 0), int(total)) for advisor_id, intense, total in counts}


async def _teams(session: AsyncSession, viewer: Principal, team_id: int | None) -> list[int] | None:
    """The teams to report on (None: every advisor); a team the viewer does not supervise
    is reported as not found."""
    if team_id is not None:
        visible = viewer.sees_everything or team_id in viewer.team_ids
        if not visible or await session.get(Team, team_id) is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        return [team_id]
    return None if viewer.sees_everything else sorted(viewer.team_ids)
