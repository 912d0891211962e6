"""Advisors, teams and skills (minimal management) and the pull endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Response

from router.api.deps import DB
from router.models.advisors import AdvisorCreate, AdvisorPublic, AdvisorUpdate
from router.models.conversations import ConversationPublic
from router.models.validation import IdPath, OptionalIdQuery
from router.services import advisors

router = APIRouter(prefix="/v1", tags=["advisors"])


@router.get("/advisors", response_model=list[AdvisorPublic], summary="List advisors")
async def list_advisors(db: DB, team_id: OptionalIdQuery = None) -> list[AdvisorPublic]:
    return await advisors.list_advisors(db, team_id)


@router.post(
    "/advisors", status_code=201, response_model=AdvisorPublic, summary="Create an advisor"
)
async def create_advisor(payload: AdvisorCreate, db: DB) -> AdvisorPublic:
    return await advisors.create_advisor(db, payload)


@router.get("/advisors/{advisor_id}", response_model=AdvisorPublic, summary="Read an advisor")
async def get_advisor(db: DB, advisor_id: IdPath) -> AdvisorPublic:
    return await advisors.get_advisor(db, advisor_id)


@router.patch(
    "/advisors/{advisor_id}",
    response_model=AdvisorPublic,
    summary="Update an advisor (status, capacity, skills...)",
)
async def update_advisor(payload: AdvisorUpdate, db: DB, advisor_id: IdPath) -> AdvisorPublic:
    return await advisors.update_advisor(db, advisor_id, payload)


@router.post(
    "/advisors/{advisor_id}/next",
    response_model=ConversationPublic,
    responses={204: {"description": "no waiting conversation fits this advisor"}},
    summary="Pull the best waiting conversation this advisor fits, claimed atomically",
)
async def next_conversation(db: DB, advisor_id: IdPath) -> ConversationPublic | Response:
    conversation = await advisors.claim_next(db, advisor_id)
    if conversation is None:
        return Response(status_code=204)
    return ConversationPublic.model_validate(conversation, from_attributes=True)
