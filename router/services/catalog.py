"""Reference data admins define: skills and teams."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from router.errors import Conflict
from router.models import Skill, Team
from router.models.advisors import SkillCreate, TeamCreate
from router.services import events
from router.store import Database


async def list_teams(db: Database) -> list[Team]:
    async with db.read_session() as session:
        return list((await session.scalars(select(Team).order_by(col(Team.id)))).all())


async def list_skills(db: Database) -> list[Skill]:
    async with db.read_session() as session:
        return list((await session.scalars(select(Skill).order_by(col(Skill.name)))).all())


async def create_team(db: Database, data: TeamCreate) -> Team:
    return await _create_named(db, Team(name=data.name), "team")


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
