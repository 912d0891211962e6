"""Held messages under review: list them with the reason, route or dismiss each."""

from __future__ import annotations

from fastapi import APIRouter

from router.api.deps import DB, AfterId, BrokerDep, Limit
from router.api.guard import Supervisor
from router.intake import review
from router.models.conversations import HeldMessagePublic
from router.models.validation import IdPath

router = APIRouter(prefix="/v1/held-messages", tags=["review"])


@router.get(
    "",
    response_model=list[HeldMessagePublic],
    summary="Held inbound messages (bounces, auto-replies, no sender, malformed...), oldest first",
    description="Each with `held_because`. Page with `after_id` set to the last id seen. "
    "Supervisors see those linked to their teams' conversations; admins all, unattached "
    "ones included.",
)
async def list_held(
    db: DB, viewer: Supervisor, after_id: AfterId = 0, limit: Limit = 100
) -> list[HeldMessagePublic]:
    rows = await review.list_held(db, viewer, after_id=after_id, limit=limit)
    return [review.public(row) for row in rows]


@router.post(
    "/{message_id}/route",
    response_model=HeldMessagePublic,
    summary="Release a held message into the pipeline, as a normal inbound message",
    description="409 when it is no longer held, or has no sender to answer (dismiss it).",
)
async def route_held(
    db: DB, broker: BrokerDep, viewer: Supervisor, message_id: IdPath
) -> HeldMessagePublic:
    return review.public(await review.route_held(db, broker, message_id, viewer))


@router.post(
    "/{message_id}/dismiss",
    response_model=HeldMessagePublic,
    summary="Set a held message aside for good (status dismissed; still readable)",
    description="409 when it is no longer held.",
)
async def dismiss_held(db: DB, viewer: Supervisor, message_id: IdPath) -> HeldMessagePublic:
    return review.public(await review.dismiss_held(db, message_id, viewer))
