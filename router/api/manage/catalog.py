"""Teams and skills: reference data for advisors and rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from router.admin import catalog
from router.api.deps import DB
from router.api.guard import Admin, allow
from router.models.advisors import (
    Role,
    Skill,
    SkillCreate,
    TeamCreate,
    TeamPublic,
    TeamUpdate,
    team_public,
)
from router.models.security import Scope
from router.models.validation import IdPath
from router.security.principal import Principal

router = APIRouter(prefix="/v1", tags=["teams and skills"])
Reader = Annotated[Principal, allow(Role.advisor, Scope.catalog_read)]


@router.get("/teams", response_model=list[TeamPublic], summary="List teams")
async def list_teams(db: DB, _viewer: Reader) -> list[TeamPublic]:
    return [team_public(team) for team in await catalog.list_teams(db)]


@router.post("/teams", status_code=201, response_model=TeamPublic, summary="Create a team")
async def create_team(payload: TeamCreate, db: DB, _admin: Admin) -> TeamPublic:
    return team_public(await catalog.create_team(db, payload))


@router.get(
    "/teams/{team_id}", response_model=TeamPublic, summary="Read a team and its routing mode"
)
async def get_team(db: DB, _viewer: Reader, team_id: IdPath) -> TeamPublic:
    return team_public(await catalog.get_team(db, team_id))


@router.patch(
    "/teams/{team_id}",
    response_model=TeamPublic,
    summary="Set how the team's queue is served: push, offer, pull or blended (live)",
    description="Rules and escalation steps decide which queue a conversation waits in; the "
    "routing mode decides how it reaches an advisor. Switching to a mode that pushes more "
    "fills the team's available advisors from the queue at once. Null turns off "
    "push_after_seconds, pick_limit and return_after_seconds.",
)
async def update_team(payload: TeamUpdate, db: DB, _admin: Admin, team_id: IdPath) -> TeamPublic:
    return team_public(await catalog.update_team(db, team_id, payload))


@router.get("/skills", response_model=list[Skill], summary="List skills")
async def list_skills(db: DB, _viewer: Reader) -> list[Skill]:
    return await catalog.list_skills(db)


@router.post("/skills", status_code=201, response_model=Skill, summary="Create a skill")
async def create_skill(payload: SkillCreate, db: DB, _admin: Admin) -> Skill:
    return await catalog.create_skill(db, payload)
