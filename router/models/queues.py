"""What an advisor's queue, a claim and a waiting conversation's standing look like in the
API (plain pydantic: nothing here is a table)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from router.models.validation import MAX_ID, RequestBody


# One waiting conversation in GET /v1/advisors/{id}/queue.
class QueueItem(BaseModel):
    position: int = Field(description="1 = the conversation this advisor would take next")
    conversation_id: int
    customer_id: int
    customer_name: str | None
    channel: str
    language: str | None
    intent: str | None
    emotion: str | None
    emotion_intensity: float | None
    intense: bool
    preview: str = Field(description="the customer's latest message, shortened")
    waiting_since: datetime
    waiting_seconds: int
    queue_priority: int = Field(description="rule priority + reply-window urgency + intense boost")
    effective_priority: float = Field(description="queue priority + ageing: the waiting order")
    first_response_due_at: datetime | None = Field(description="SLA due time, when one applies")
    eligible_because: str = Field(description="why this advisor may take it")
    can_take_now: bool
    not_now_because: str | None = Field(
        default=None, description="why a take or claim would be refused now (capacity, ...)"
    )
    claimable: bool = Field(description="within the team's pick limit, and takeable now")


# GET /v1/advisors/{id}/queue.
class QueuePage(BaseModel):
    advisor_id: int
    offset: int
    limit: int
    has_more: bool
    pick_limit: int | None = Field(description="claims only among the first K (team setting)")
    items: list[QueueItem]


# Body of POST /v1/conversations/{id}/claim (empty: the caller claims for themselves).
class ClaimRequest(RequestBody):
    advisor_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="a supervisor or admin claiming for one of their advisors",
    )


# A waiting conversation's place in its queue, for integrators and the web-chat visitor.
class QueueStanding(BaseModel):
    position: int = Field(description="1 = next to be served in this queue")
    ahead: int
    estimated_wait_seconds: int | None = Field(
        description="from the queue's recent service rate; null when nothing was served lately"
    )
    served_per_hour: float = Field(description="the queue's recent service rate")
    queue: str = Field(description="the queue: channel and team")


# What the web-chat visitor sees of it (GET /v1/chat/queue, socket "queue" frames): no team
# names or service figures for an anonymous visitor.
class VisitorStanding(BaseModel):
    position: int
    ahead: int
    estimated_wait_seconds: int | None
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
