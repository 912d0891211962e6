"""Teams and skills: reference data for advisors and rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from router.admin import catalog
from router.api.deps import DB
from router.api.guard import Admin, allow
from router.models.advisors import Role, Skill, SkillCreate, Team, TeamCreate, TeamUpdate
from router.models.security import Scope
from router.models.validation import IdPath
from router.security.principal import Principal

router = APIRouter(prefix="/v1", tags=["teams and skills"])
Reader = Annotated[Principal, allow(Role.advisor, Scope.catalog_read)]


@router.get("/teams", response_model=list[Team], summary="List teams")
async def list_teams(db: DB, _viewer: Reader) -> list[Team]:
    return await catalog.list_teams(db)


@router.post("/teams", status_code=201, response_model=Team, summary="Create a team")
async def create_team(payload: TeamCreate, db: DB, _admin: Admin) -> Team:
    return await catalog.create_team(db, payload)


@router.patch(
    "/teams/{team_id}",
    response_model=Team,
    summary="Set how pushed work reaches the team: auto-assigned, or offered with a timeout",
)
async def update_team(payload: TeamUpdate, db: DB, _admin: Admin, team_id: IdPath) -> Team:
    return await catalog.update_team(db, team_id, payload)


@router.get("/skills", response_model=list[Skill], summary="List skills")
async def list_skills(db: DB, _viewer: Reader) -> list[Skill]:
    return await catalog.list_skills(db)


@router.post("/skills", status_code=201, response_model=Skill, summary="Create a skill")
async def create_skill(payload: SkillCreate, db: DB, _admin: Admin) -> Skill:
    return await catalog.create_skill(db, payload)
