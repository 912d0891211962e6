"""Customers' personal data: export (right of access) and erasure (right to be forgotten)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from router.api.deps import DB
from router.api.guard import Admin
from router.customers import privacy
from router.models.validation import IdPath

router = APIRouter(prefix="/v1/customers", tags=["customers (GDPR)"])


class ErasureReport(BaseModel):
    customer_id: int = Field(
        description="the customer erased (the row stays, emptied, so that ids keep pointing "
        "somewhere)"
    )
    messages_redacted: int = Field(
        description="messages whose text, sender details and attachments were replaced"
    )
    identities_deleted: int = Field(
        description="channel identities (addresses, phone numbers, handles) deleted"
    )
    events_scrubbed: int = Field(description="timeline events whose personal data was removed")


@router.get(
    "/{customer_id}/export",
    summary="Everything stored about a customer, as one JSON document",
)
async def export_customer(db: DB, _admin: Admin, customer_id: IdPath) -> dict[str, Any]:
    return await privacy.export_customer(db, customer_id)


@router.post(
    "/{customer_id}/erase",
    response_model=ErasureReport,
    summary="Erase a customer: identities deleted, messages redacted, aggregates kept, audited",
)
async def erase_customer(db: DB, admin: Admin, customer_id: IdPath) -> ErasureReport:
    erased = await privacy.erase_customer(db, customer_id, actor=str(admin.id))
    return ErasureReport(**erased.__dict__)
