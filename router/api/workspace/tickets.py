"""Tickets: status changes, priority and tags, internal notes, assignee history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from router.api.deps import DB, AfterId, Limit, RuntimeDep
from router.api.guard import Staff, allow
from router.models.advisors import Role
from router.models.conversations import ConversationPublic
from router.models.security import Scope
from router.models.tickets import (
    AssignmentRecord,
    NoteCreate,
    NotePublic,
    StatusChange,
    TicketUpdate,
)
from router.models.validation import IdPath
from router.security.principal import Principal
from router.tickets import edit as ticket_edit
from router.tickets import lifecycle, notes

router = APIRouter(prefix="/v1/conversations", tags=["tickets"])
Reader = Annotated[Principal, allow(Role.advisor, Scope.conversations_read)]
Writer = Annotated[Principal, allow(Role.advisor, Scope.conversations_write)]


@router.post(
    "/{conversation_id}/status",
    response_model=ConversationPublic,
    summary="Move a ticket: pending (waiting on the customer), resolved, closed, or open again",
    description="pending: the advisor's seat is freed, they stay the owner, and the "
    "customer's next message puts it back in the queue. resolved: a ticket nobody answered "
    "or took needs a reason. closed: final; from resolved, or with a reason (e.g. spam). "
    "open: from pending or resolved, back in the queue and routed again (the previous "
    "advisor preferred). A refused change is a 409 (or a 422 for a missing reason) that "
    "says why. Allowed to the owner, their supervisor, admins and API keys.",
)
async def change_status(
    payload: StatusChange, db: DB, rt: RuntimeDep, actor: Writer, conversation_id: IdPath
) -> ConversationPublic:
    return await lifecycle.change_status(db, rt.settings, conversation_id, payload, actor)


@router.patch(
    "/{conversation_id}",
    response_model=ConversationPublic,
    summary="Change a ticket's priority and tags",
    description="Tags are lower-cased, match ^[a-z0-9][a-z0-9_.:-]{0,59}$, at most 20 per "
    "conversation. Anyone who sees the conversation may tag it; the priority (-100..100) "
    "takes the rights of a status change.",
)
async def update_ticket(
    payload: TicketUpdate, db: DB, actor: Writer, conversation_id: IdPath
) -> ConversationPublic:
    return await ticket_edit.update_ticket(db, conversation_id, payload, actor)


@router.post(
    "/{conversation_id}/notes",
    status_code=201,
    response_model=NotePublic,
    summary="Add an internal note (never sent to the customer)",
)
async def add_note(
    payload: NoteCreate, db: DB, author: Staff, conversation_id: IdPath
) -> NotePublic:
    return await notes.add_note(db, conversation_id, payload, author)


@router.get(
    "/{conversation_id}/notes",
    response_model=list[NotePublic],
    summary="A conversation's internal notes, oldest first",
)
async def list_notes(
    db: DB, viewer: Staff, conversation_id: IdPath, after_id: AfterId = 0, limit: Limit = 100
) -> list[NotePublic]:
    return await notes.list_notes(db, conversation_id, viewer, after_id=after_id, limit=limit)


@router.get(
    "/{conversation_id}/assignments",
    response_model=list[AssignmentRecord],
    summary="Who had the conversation (offers included), oldest first",
)
async def list_assignments(
    db: DB, viewer: Reader, conversation_id: IdPath, after_id: AfterId = 0, limit: Limit = 100
) -> list[AssignmentRecord]:
    return await notes.assignee_history(db, conversation_id, viewer, after_id=after_id, limit=limit)
