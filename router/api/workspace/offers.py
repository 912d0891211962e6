"""Offers: the offered advisor (or their supervisor, or an admin) accepts or declines."""

from __future__ import annotations

from fastapi import APIRouter

from router.api.deps import DB
from router.api.guard import Staff
from router.models.validation import IdPath
from router.routing import offers
from router.routing.offers import OfferPublic

router = APIRouter(prefix="/v1", tags=["offers"])


@router.get(
    "/advisors/{advisor_id}/offers",
    response_model=list[OfferPublic],
    summary="An advisor's pending offers, oldest first",
)
async def list_offers(db: DB, viewer: Staff, advisor_id: IdPath) -> list[OfferPublic]:
    return await offers.list_pending(db, advisor_id, viewer)


@router.post(
    "/offers/{offer_id}/accept",
    response_model=OfferPublic,
    summary="Accept an offer: the conversation is now assigned to the advisor",
)
async def accept(db: DB, actor: Staff, offer_id: IdPath) -> OfferPublic:
    return await offers.accept(db, offer_id, actor)


@router.post(
    "/offers/{offer_id}/decline",
    response_model=OfferPublic,
    summary="Decline an offer: the conversation goes back to the queue at its place and is "
    "routed again; the advisor is kept away from it for a while",
)
async def decline(db: DB, actor: Staff, offer_id: IdPath) -> OfferPublic:
    return await offers.decline(db, offer_id, actor)
