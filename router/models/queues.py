"""What an advisor's queue, a claim and a waiting conversation's standing look like in the
API (plain pydantic: nothing here is a table)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from router.models.validation import MAX_ID, RequestBody


# One waiting conversation in GET /v1/advisors/{id}/queue.
class QueueItem(BaseModel):
    position: int = Field(description="1 = the conversation this advisor would take next")
    conversation_id: int = Field(description="the waiting conversation")
    customer_id: int = Field(description="its customer")
    customer_name: str | None = Field(description="customer display name; null when unknown")
    channel: str = Field(description="channel of the conversation")
    language: str | None = Field(description="language it needs, ISO 639-1; null: any")
    intent: str | None = Field(description="classified intent; null when unknown")
    emotion: str | None = Field(description="the customer's latest emotion; null when unknown")
    emotion_intensity: float | None = Field(description="its strength, 0..1; null when unknown")
    intense: bool = Field(description="true when the customer is very upset (care rules apply)")
    preview: str = Field(description="the customer's latest message, shortened")
    waiting_since: datetime = Field(description="since when it waits (UTC)")
    waiting_seconds: int = Field(description="how long it has waited, in seconds")
    queue_priority: int = Field(description="rule priority + reply-window urgency + intense boost")
    effective_priority: float = Field(description="queue priority + ageing: the waiting order")
    first_response_due_at: datetime | None = Field(description="SLA due time, when one applies")
    eligible_because: str = Field(description="why this advisor may take it")
    can_take_now: bool = Field(
        description="true when the advisor may claim it now (fits, has capacity, care rules allow)"
    )
    not_now_because: str | None = Field(
        default=None, description="why a take or claim would be refused now (capacity, ...)"
    )
    claimable: bool = Field(description="within the team's pick limit, and takeable now")


# GET /v1/advisors/{id}/queue.
class QueuePage(BaseModel):
    advisor_id: int = Field(description="the advisor whose queue this is")
    offset: int = Field(description="items skipped (the offset asked)")
    limit: int = Field(description="most items returned (the limit asked)")
    has_more: bool = Field(description="true when more items follow: ask again with offset + limit")
    pick_limit: int | None = Field(description="claims only among the first K (team setting)")
    items: list[QueueItem] = Field(
        description="waiting conversations the advisor fits, in the order they will be served"
    )


# Body of POST /v1/conversations/{id}/claim (empty: the caller claims for themselves).
class ClaimRequest(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"advisor_id": 12}]})
    advisor_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="a supervisor or admin claiming for one of their advisors",
    )


# A waiting conversation's place in its queue, for integrators and the web-chat visitor.
class QueueStanding(BaseModel):
    position: int = Field(description="1 = next to be served in this queue")
    ahead: int = Field(description="conversations served before this one in its queue")
    estimated_wait_seconds: int | None = Field(
        description="from the queue's recent service rate; null when nothing was served lately"
    )
    served_per_hour: float = Field(description="the queue's recent service rate")
    queue: str = Field(description="the queue: channel and team")


# What the web-chat visitor sees of it (GET /v1/chat/queue, socket "queue" frames): no team
# names or service figures for an anonymous visitor.
class VisitorStanding(BaseModel):
    position: int = Field(description="place in the queue, 1 = next to be served")
    ahead: int = Field(description="visitors served first")
    estimated_wait_seconds: int | None = Field(
        description="estimated wait in seconds, from how many conversations this queue served "
        "recently; null when none was served lately"
    )
    leave_message: Literal["outside_hours", "long_wait"] | None = Field(
        default=None,
        description="why the widget offers to leave a message answered by e-mail: outside "
        "the business hours of the conversation's SLA policy, or waiting longer than its "
        "team's service-level time; null: keep waiting",
    )

    @classmethod
    def of(cls, standing: QueueStanding, leave_message: str | None = None) -> VisitorStanding:
        return cls(
            position=standing.position,
            ahead=standing.ahead,
            estimated_wait_seconds=standing.estimated_wait_seconds,
            leave_message=leave_message,
        )
