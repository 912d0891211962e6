"""Integrator intake: POST a message, read it back."""

from __future__ import annotations

from fastapi import APIRouter

from router.api.deps import DB, Intake
from router.models.conversations import MessageAccepted, MessageCreate, MessagePublic
from router.models.validation import IdPath
from router.services import conversations, intake

router = APIRouter(prefix="/v1/messages", tags=["messages"])


@router.post(
    "",
    status_code=202,
    response_model=MessageAccepted,
    summary="Submit an inbound customer message (idempotent on channel + external_id)",
)
async def post_message(payload: MessageCreate, writer: Intake) -> MessageAccepted:
    return await intake.accept_message(writer, payload)


@router.get("/{message_id}", response_model=MessagePublic, summary="Read a message")
async def get_message(db: DB, message_id: IdPath) -> MessagePublic:
    return MessagePublic.of(await conversations.get_message(db, message_id))
