"""Teams and skills: reference data for advisors and rules."""

from __future__ import annotations

from fastapi import APIRouter

from router.api.deps import DB
from router.models.advisors import Skill, SkillCreate, Team, TeamCreate
from router.services import catalog

router = APIRouter(prefix="/v1", tags=["teams and skills"])


@router.get("/teams", response_model=list[Team], summary="List teams")
async def list_teams(db: DB) -> list[Team]:
    return await catalog.list_teams(db)


@router.post("/teams", status_code=201, response_model=Team, summary="Create a team")
async def create_team(payload: TeamCreate, db: DB) -> Team:
    return await catalog.create_team(db, payload)


@router.get("/skills", response_model=list[Skill], summary="List skills")
async def list_skills(db: DB) -> list[Skill]:
    return await catalog.list_skills(db)


@router.post("/skills", status_code=201, response_model=Skill, summary="Create a skill")
async def create_skill(payload: SkillCreate, db: DB) -> Skill:
    return await catalog.create_skill(db, payload)
