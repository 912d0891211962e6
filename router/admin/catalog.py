"""Reference data admins define: skills and teams."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from router.errors import Conflict, NotFound
from router.models import Advisor, Skill, Team
from router.models.advisors import AdvisorStatus, SkillCreate, TeamCreate, TeamUpdate
from router.routing import assignment, teams
from router.store import Database
from router.tickets import events


async def list_teams(db: Database) -> list[Team]:
    async with db.read_session() as session:
        return list((await session.scalars(select(Team).order_by(col(Team.id)))).all())


async def list_skills(db: Database) -> list[Skill]:
    async with db.read_session() as session:
        return list((await session.scalars(select(Skill).order_by(col(Skill.name)))).all())


async def create_team(db: Database, data: TeamCreate) -> Team:
    return await _create_named(db, Team.model_validate(data.model_dump(mode="json")), "team")


async def get_team(db: Database, team_id: int) -> Team:
    async with db.read_session() as session:
        team = await session.get(Team, team_id)
        if team is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        return team


async def update_team(db: Database, team_id: int, data: TeamUpdate) -> Team:
    """Change how the team's queue is served, live: when pushing may now give more than
    before (to push or offer, a higher blended limit or a wait threshold), the team's
    available advisors are filled from the queue at once."""
    changes = data.model_dump(mode="json", exclude_unset=True)
    async with db.session() as session:
        # key_share: alerts and advisors referencing the team must not wait for this lock.
        team = await session.get(Team, team_id, with_for_update={"key_share": True})
        if team is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        before = teams.service_of(team)
        for key, value in changes.items():
            setattr(team, key, value)
        events.record(session, "team.updated", id=team_id, **changes)
        await session.flush()
        if teams.pushes_more(teams.service_of(team), before):
            members = await session.scalars(
                select(Advisor.id)
                .where(
                    col(Advisor.team_id) == team_id,
                    col(Advisor.status) == AdvisorStatus.AVAILABLE,
                )
                .order_by(col(Advisor.id))
            )
            for advisor_id in members.all():
                if advisor_id is not None:
                    await assignment.fill_advisor(session, advisor_id)
        await session.commit()
        await session.refresh(team)
        return team


async def create_skill(db: Database, data: SkillCreate) -> Skill:
    return await _create_named(db, Skill(name=data.name, description=data.description), "skill")


Named = TypeVar("Named", Team, Skill)


async def _create_named(db: Database, row: Named, kind: str) -> Named:
    """Insert a row whose name is unique; a taken name is a 409 naming it."""
    async with db.session() as session:
        session.add(row)
        try:
            await session.flush()
        except IntegrityError:
            raise Conflict(f"a {kind} named {row.name!r} already exists", field="name") from None
        events.record(session, f"{kind}.created", id=row.id, name=row.name)
        await session.commit()
        return row
