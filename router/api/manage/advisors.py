"""Advisors, teams and skills (minimal management) and the pull endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from router.admin import advisors
from router.api.deps import DB
from router.api.guard import Admin, allow
from router.models.advisors import AdvisorCreate, AdvisorPublic, AdvisorUpdate, Role
from router.models.conversations import ConversationPublic
from router.models.security import Scope
from router.models.validation import IdPath, OptionalIdQuery
from router.security.principal import Principal

router = APIRouter(prefix="/v1", tags=["advisors"])
Reader = Annotated[Principal, allow(Role.advisor, Scope.advisors_read)]
Writer = Annotated[Principal, allow(Role.advisor, Scope.advisors_write)]


@router.get("/advisors", response_model=list[AdvisorPublic], summary="List advisors")
async def list_advisors(
    db: DB, viewer: Reader, team_id: OptionalIdQuery = None
) -> list[AdvisorPublic]:
    return await advisors.list_advisors(db, viewer, team_id)


@router.post(
    "/advisors", status_code=201, response_model=AdvisorPublic, summary="Create an advisor"
)
async def create_advisor(payload: AdvisorCreate, db: DB, _admin: Admin) -> AdvisorPublic:
    return await advisors.create_advisor(db, payload)


@router.get("/advisors/{advisor_id}", response_model=AdvisorPublic, summary="Read an advisor")
async def get_advisor(db: DB, viewer: Reader, advisor_id: IdPath) -> AdvisorPublic:
    return await advisors.get_advisor(db, advisor_id, viewer)


@router.patch(
    "/advisors/{advisor_id}",
    response_model=AdvisorPublic,
    summary="Update an advisor (status, capacity, skills...)",
    description="Advisors may change their own status; supervisors the status, capacities and "
    "languages of their teams' advisors; admins everything.",
)
async def update_advisor(
    payload: AdvisorUpdate, db: DB, actor: Writer, advisor_id: IdPath
) -> AdvisorPublic:
    return await advisors.update_advisor(db, advisor_id, payload, actor)


@router.post(
    "/advisors/{advisor_id}/next",
    response_model=ConversationPublic,
    responses={204: {"description": "no waiting conversation fits this advisor"}},
    summary="Pull the best waiting conversation this advisor fits, claimed atomically",
    description="204 when no waiting conversation fits; 409 with the reason when the advisor "
    "is not available or at capacity, or when the conversations they fit are being routed at "
    "that instant (try again).",
)
async def next_conversation(
    db: DB, actor: Annotated[Principal, allow(Role.advisor)], advisor_id: IdPath
) -> ConversationPublic | Response:
    conversation = await advisors.claim_next(db, advisor_id, actor)
    if conversation is None:
        return Response(status_code=204)
    return ConversationPublic.model_validate(conversation, from_attributes=True)
