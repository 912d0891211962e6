"""Integrator intake: POST a message, read it back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from router.api.deps import DB, Intake
from router.api.guard import allow
from router.intake import accept as intake
from router.models.advisors import Role
from router.models.conversations import MessageAccepted, MessageCreate, MessagePublic
from router.models.security import Scope
from router.models.validation import IdPath
from router.security.principal import Principal
from router.tickets import conversations

router = APIRouter(prefix="/v1/messages", tags=["messages"])


@router.post(
    "",
    status_code=202,
    response_model=MessageAccepted,
    summary="Submit an inbound customer message (idempotent on channel + external_id)",
    description="The external_id is stripped of surrounding spaces (case is kept). The same "
    "key with the same content again is a duplicate (202, the stored id); with other content "
    "it is refused with 409 `idempotency_conflict` naming the stored message_id.",
)
async def post_message(
    payload: MessageCreate,
    writer: Intake,
    caller: Annotated[Principal, allow(Role.admin, Scope.messages_write)],
) -> MessageAccepted:
    return await intake.accept_message(writer, payload, caller)


@router.get("/{message_id}", response_model=MessagePublic, summary="Read a message")
async def get_message(
    db: DB,
    viewer: Annotated[Principal, allow(Role.advisor, Scope.messages_read)],
    message_id: IdPath,
) -> MessagePublic:
    return MessagePublic.of(await conversations.get_message(db, message_id, viewer))
