"""Conversations (tickets): list, read, their messages and timeline, transfer, resolve."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from router.api.deps import DB, AfterId, Limit, RuntimeDep
from router.api.guard import allow
from router.models.advisors import Role
from router.models.conversations import ConversationPublic, MessagePublic
from router.models.events import EventPublic
from router.models.security import Scope
from router.models.tickets import StatusChange, StatusTarget
from router.models.validation import IdPath
from router.routing import transfer
from router.routing.transfer import TransferRequest
from router.security.principal import Principal
from router.tickets import conversations, lifecycle
from router.tickets import listing as ticket_list
from router.tickets.listing import TicketQuery

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
Reader = Annotated[Principal, allow(Role.advisor, Scope.conversations_read)]
Writer = Annotated[Principal, allow(Role.advisor, Scope.conversations_write)]


@router.get(
    "",
    response_model=list[ConversationPublic],
    summary="List tickets: filtered, sorted, paged",
    description="Filters combine (AND); a repeated `status` or `ticket_status` means any of "
    "them, a repeated `tag` all of them. `sla=at_risk`: a running target in warning or "
    "breached; `sla=breached`: a target breached. `sort` is a key, `-` first for "
    "descending, ties broken by id in the same direction. When more rows follow, the "
    "`X-Next-Cursor` response header holds the `cursor` of the next page (same filters "
    "and sort).",
)
async def list_conversations(
    db: DB, viewer: Reader, response: Response, query: Annotated[TicketQuery, Query()]
) -> list[ConversationPublic]:
    page = await ticket_list.list_tickets(db, viewer, query)
    if page.next_cursor is not None:
        response.headers["X-Next-Cursor"] = page.next_cursor
    return page.items


@router.get("/{conversation_id}", response_model=ConversationPublic, summary="Read a conversation")
async def get_conversation(db: DB, viewer: Reader, conversation_id: IdPath) -> ConversationPublic:
    return await conversations.get_public(db, conversation_id, viewer)


@router.get(
    "/{conversation_id}/messages",
    response_model=list[MessagePublic],
    summary="A conversation's messages, oldest first",
)
async def list_messages(
    db: DB, viewer: Reader, conversation_id: IdPath, after_id: AfterId = 0, limit: Limit = 100
) -> list[MessagePublic]:
    rows = await conversations.conversation_messages(
        db, conversation_id, viewer, after_id=after_id, limit=limit
    )
    return [MessagePublic.of(row) for row in rows]


@router.get(
    "/{conversation_id}/events",
    response_model=list[EventPublic],
    summary="A conversation's timeline (routing decisions with explanations included)",
)
async def list_events(
    db: DB, viewer: Reader, conversation_id: IdPath, after_id: AfterId = 0, limit: Limit = 100
) -> list[EventPublic]:
    rows = await conversations.conversation_events(
        db, conversation_id, viewer, after_id=after_id, limit=limit
    )
    return [EventPublic.model_validate(row, from_attributes=True) for row in rows]


@router.post(
    "/{conversation_id}/resolve",
    response_model=ConversationPublic,
    summary="Resolve a conversation; the advisor's freed capacity takes waiting work",
    description="The same as POST /v1/conversations/{conversation_id}/status with "
    '`{"status": "resolved"}`, except that it takes no reason, so a ticket nobody answered '
    "may be resolved here without one (kept for existing integrations).",
)
async def resolve(
    db: DB, rt: RuntimeDep, actor: Writer, conversation_id: IdPath
) -> ConversationPublic:
    change = StatusChange(status=StatusTarget.resolved)
    return await lifecycle.change_status(
        db, rt.settings, conversation_id, change, actor, lenient=True
    )


@router.post(
    "/{conversation_id}/transfer",
    response_model=ConversationPublic,
    summary="Transfer to an advisor, or to a skill (with level) and/or a team, with a note",
    description="To an advisor who cannot take it now (status, capacity, cool-down): 409 with "
    "the reason. A refusal for care alone (cool-down, cap on intense conversations) may be "
    "overridden by a supervisor or an admin with `override_care` (an advisor: 403); the "
    "override and who made it are kept in the assignment's explanation and the timeline. "
    "To a skill or team: the requirements are replaced and the conversation is "
    "routed again, or waits. The note is kept on the conversation and in its timeline.",
)
async def transfer_conversation(
    payload: TransferRequest, db: DB, actor: Writer, conversation_id: IdPath
) -> ConversationPublic:
    return await transfer.transfer(db, conversation_id, payload, actor)
