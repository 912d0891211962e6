"""Reference data admins define: skills and teams."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from router.errors import Conflict, NotFound
from router.models import Skill, Team
from router.models.advisors import SkillCreate, TeamCreate, TeamUpdate
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


async def update_team(db: Database, team_id: int, data: TeamUpdate) -> Team:
    """Change how pushed work reaches the team (auto-assign or offers, and their timeout)."""
    changes = data.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    async with db.session() as session:
        team = await session.get(Team, team_id, with_for_update=True)
        if team is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        for key, value in changes.items():
            setattr(team, key, value)
        events.record(session, "team.updated", id=team_id, **changes)
        await session.commit()
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
