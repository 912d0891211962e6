"""Reference data admins define: skills and teams."""

from __future__ import annotations

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
    async with db.session() as session:
        team = Team(name=data.name)
        session.add(team)
        try:
            await session.flush()
        except IntegrityError:
            raise Conflict(f"a team named {data.name!r} already exists", field="name") from None
        events.record(session, "team.created", team_id=team.id, name=team.name)
        await session.commit()
        return team


async def create_skill(db: Database, data: SkillCreate) -> Skill:
    async with db.session() as session:
        skill = Skill(name=data.name, description=data.description)
        session.add(skill)
        try:
            await session.flush()
        except IntegrityError:
            raise Conflict(f"a skill named {data.name!r} already exists", field="name") from None
        events.record(session, "skill.created", skill_id=skill.id, name=skill.name)
        await session.commit()
        return skill
