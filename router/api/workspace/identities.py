"""A customer's channel identities, and merging two records of one person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from router.api.deps import DB
from router.api.guard import Supervisor, allow
from router.customers import identities, merge
from router.models.advisors import Role
from router.models.customers import IdentityPublic
from router.models.security import Scope
from router.models.validation import MAX_ID, IdPath, RequestBody
from router.security.principal import Principal

router = APIRouter(prefix="/v1/customers", tags=["customers"])


class MergeRequest(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"duplicate_id": 2087}]})
    duplicate_id: int = Field(ge=1, le=MAX_ID, description="the record merged into this one")


class MergeResult(BaseModel):
    customer_id: int = Field(description="the customer kept: everything now belongs to it")
    merged_customer_id: int = Field(
        description="the duplicate folded into it (kept as a pointer to customer_id)"
    )
    identities: int = Field(description="channel identities moved to the kept customer")
    conversations: int = Field(description="conversations moved to the kept customer")
    messages: int = Field(description="messages moved to the kept customer")
    events: int = Field(description="timeline events moved to the kept customer")
    folded_conversation_id: int | None = Field(
        description="when both customers had an open conversation, the one closed into the other; "
        "null otherwise"
    )


@router.get(
    "/{customer_id}/identities",
    response_model=list[IdentityPublic],
    summary="A customer's identities on each channel (email, phone, social ids)",
)
async def list_identities(
    db: DB,
    viewer: Annotated[Principal, allow(Role.advisor, Scope.customers_read)],
    customer_id: IdPath,
) -> list[IdentityPublic]:
    rows = await identities.customer_identities(db, customer_id, viewer)
    return [IdentityPublic.model_validate(row, from_attributes=True) for row in rows]


@router.post(
    "/{customer_id}/merge",
    response_model=MergeResult,
    summary="Merge a duplicate customer into this one: identities and timelines move here",
)
async def merge_customers(
    payload: MergeRequest, db: DB, actor: Supervisor, customer_id: IdPath
) -> MergeResult:
    report = await merge.merge_customers(db, customer_id, payload.duplicate_id, actor)
    return MergeResult(**report.__dict__)
