"""Queues advisors pull from: "my queue" and claiming a chosen conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from router.api.deps import DB
from router.api.guard import allow
from router.models.advisors import Role
from router.models.conversations import ConversationPublic
from router.models.queues import ClaimRequest, QueuePage
from router.models.security import Scope
from router.models.validation import IdPath
from router.routing import pull
from router.security.principal import Principal

router = APIRouter(prefix="/v1", tags=["queues"])
# Customer names and message previews: a conversations reader's scope.
Reader = Annotated[Principal, allow(Role.advisor, Scope.conversations_read)]
Staff = Annotated[Principal, allow(Role.advisor)]


@router.get(
    "/advisors/{advisor_id}/queue",
    response_model=QueuePage,
    summary="The waiting conversations this advisor may take, best first",
    description="In effective-priority order (rule priority, reply-window urgency, intense "
    "boost, then ageing), each with the customer, channel, readings, a preview, the wait, "
    "the SLA due time, why the advisor is eligible and whether a take or claim would be "
    "refused now. Eligibility is by skills, languages, team and channels, not by the "
    "current load; conversations the advisor declined (or let an offer of expire) stay out "
    "while they are kept away. `claimable` is false past the team's pick_limit, which "
    "counts positions in this order. Visible to the advisor, their supervisor and admins.",
)
async def advisor_queue(
    db: DB,
    viewer: Reader,
    advisor_id: IdPath,
    offset: Annotated[
        int, Query(ge=0, le=999, description="items to skip (offset + limit at most 1000)")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="page size (max 100)")] = 25,
) -> QueuePage:
    return await pull.my_queue(db, advisor_id, viewer, offset=offset, limit=limit)


@router.post(
    "/conversations/{conversation_id}/claim",
    response_model=ConversationPublic,
    summary="Claim a waiting conversation: assigned atomically to the advisor who chose it",
    description="Advisors claim for themselves; supervisors and admins may name one of their "
    "advisors. 409 names the reason: taken by someone else a moment earlier, the advisor "
    "is not available, at capacity, lacks a skill, declined it, or the team lets advisors "
    "claim only among the first K of their queue (pick_limit).",
)
async def claim_conversation(
    db: DB, actor: Staff, conversation_id: IdPath, payload: ClaimRequest | None = None
) -> ConversationPublic:
    return await pull.claim(db, conversation_id, payload or ClaimRequest(), actor)
