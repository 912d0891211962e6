"""History: the customer timeline across channels, and the advisor's context card."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from router.api.deps import DB
from router.api.guard import allow
from router.customers import context_card
from router.customers import timeline as history
from router.customers.schemas import ContextCard, TimelineKind, TimelinePage
from router.models.advisors import Role
from router.models.channels import Channel
from router.models.security import Scope
from router.models.validation import MAX_ID, IdPath, IsoDateTime, OptionalIdQuery
from router.security.principal import Principal

router = APIRouter(prefix="/v1", tags=["history"])
Reader = Annotated[Principal, allow(Role.advisor, Scope.conversations_read)]
Cursor = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get(
    "/customers/{customer_id}/timeline",
    response_model=TimelinePage,
    summary="Everything that happened to a customer, across channels and conversations",
    description="Messages in and out (with an excerpt, channel and status), notes, "
    "assignments, transfers, status and channel changes, SLA and satisfaction events, in "
    "event order; newest first unless `order=asc`. Page with `before` / `after` (event ids, "
    "from `next_before` / `next_after`). `kind` may be repeated. `channel` keeps the items "
    "about a message on that channel. Staff see the conversations they may see; API keys "
    "never see internal notes. Routing explanations are on the conversation's events.",
)
async def customer_timeline(
    db: DB,
    viewer: Reader,
    customer_id: IdPath,
    kind: Annotated[list[TimelineKind] | None, Query(max_length=20)] = None,
    channel: Channel | None = None,
    conversation_id: OptionalIdQuery = None,
    since: IsoDateTime | None = None,
    until: IsoDateTime | None = None,
    before: Cursor = None,
    after: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Literal["asc", "desc"] = "desc",
) -> TimelinePage:
    query = history.TimelineQuery(
        kinds=frozenset(kind or ()),
        channel=channel,
        conversation_id=conversation_id,
        since=since,
        until=until,
        before=before,
        after=after,
        limit=limit,
        order=order,
    )
    return await history.customer_timeline(db, customer_id, viewer, query)


@router.get(
    "/conversations/{conversation_id}/context",
    response_model=ContextCard,
    summary="The context card: the customer, their recent conversations, facts and a summary",
    description="One call before answering: identities and tier, the latest conversations "
    "with intents, outcomes and satisfaction, the last advisor, the facts the customer gave "
    "(order, invoice, contract and tracking numbers, emails, phones, amounts, dates) and a "
    "short summary of what they said in this conversation.",
)
async def conversation_context(db: DB, viewer: Reader, conversation_id: IdPath) -> ContextCard:
    return await context_card.context_card(db, conversation_id, viewer)
