"""The customer timeline and the advisor's context card: kinds of items and API schemas."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from router.models.conversations import ConversationStatus, TicketStatus


class TimelineKind(StrEnum):
    message = "message"  # a message in or out (automated mail about ours included)
    delivery = "delivery"  # what became of an outbound message: sent, delivered, read, failed
    note = "note"  # an internal note (staff only)
    assignment = "assignment"  # offered to, accepted by, assigned to an advisor
    transfer = "transfer"
    status = "status"  # opened, pending, resolved, closed, reopened, merged
    channel = "channel"  # the customer moved to another channel
    routing = "routing"  # waiting in a queue, escalated
    ticket = "ticket"  # priority and tags
    sla = "sla"
    csat = "csat"
    alert = "alert"  # care alerts (anger rising, angry first message, intense waiting long)
    customer = "customer"  # the customer record: created, identity linked, merged


#: The one table from event types to timeline kinds; types not listed stay off the timeline.
EVENT_KINDS: dict[str, TimelineKind] = {
    "message.received": TimelineKind.message,
    "message.queued": TimelineKind.message,
    "message.bounce": TimelineKind.message,
    "message.complaint": TimelineKind.message,
    "message.auto_reply": TimelineKind.message,
    "message.receipt": TimelineKind.message,
    "message.sent": TimelineKind.delivery,
    "message.delivered": TimelineKind.delivery,
    "message.read": TimelineKind.delivery,
    "message.failed": TimelineKind.delivery,
    "message.retry_scheduled": TimelineKind.delivery,
    "note.added": TimelineKind.note,
    "conversation.offered": TimelineKind.assignment,
    "conversation.offer_declined": TimelineKind.assignment,
    "conversation.offer_expired": TimelineKind.assignment,
    "conversation.assigned": TimelineKind.assignment,
    "conversation.transferred": TimelineKind.transfer,
    "conversation.returned": TimelineKind.assignment,  # unanswered, or its advisor offline
    "conversation.opened": TimelineKind.status,
    "conversation.pending": TimelineKind.status,
    "conversation.resolved": TimelineKind.status,
    "conversation.closed": TimelineKind.status,
    "conversation.reopened": TimelineKind.status,
    "conversation.resumed": TimelineKind.status,  # back from pending
    "conversation.merged": TimelineKind.status,
    "conversation.abandoned": TimelineKind.status,
    "conversation.channel_switched": TimelineKind.channel,
    "conversation.waiting": TimelineKind.routing,
    "conversation.escalated": TimelineKind.routing,
    "conversation.priority_changed": TimelineKind.ticket,
    "conversation.tagged": TimelineKind.ticket,
    "sla.warning": TimelineKind.sla,
    "sla.breached": TimelineKind.sla,
    "csat.sent": TimelineKind.csat,
    "csat.answered": TimelineKind.csat,
    "alert.anger_rising": TimelineKind.alert,
    "alert.angry_first_message": TimelineKind.alert,
    "alert.intense_waiting": TimelineKind.alert,
    "alert.returned_unanswered": TimelineKind.alert,
    "customer.created": TimelineKind.customer,
    "customer.identity_linked": TimelineKind.customer,
    "customer.merged": TimelineKind.customer,
}

#: Event data left out of the timeline (routing explanations: see the conversation's events).
BULKY_DATA = frozenset({"explanation"})


# The message an item is about (an excerpt: the full text is on GET /v1/messages/{id}).
class TimelineMessage(BaseModel):
    id: int
    direction: str
    channel: str
    status: str
    subject: str | None
    excerpt: str
    truncated: bool
    sender_name: str | None
    advisor_id: int | None


# The note an item is about.
class TimelineNote(BaseModel):
    id: int
    author_id: int | None
    excerpt: str
    truncated: bool


# One thing that happened to the customer, from the event of that name.
class TimelineItem(BaseModel):
    id: int = Field(description="the event id (the cursor)")
    type: str
    kind: TimelineKind
    at: datetime
    conversation_id: int | None
    advisor_id: int | None
    message_id: int | None
    data: dict[str, Any]
    message: TimelineMessage | None = None
    note: TimelineNote | None = None


# A page of the timeline and where the next one starts.
class TimelinePage(BaseModel):
    customer_id: int
    items: list[TimelineItem]
    next_before: int | None = Field(
        default=None, description="newest-first pages: pass as `before` for the next page"
    )
    next_after: int | None = Field(
        default=None, description="oldest-first pages: pass as `after` for the next page"
    )


# Who the customer is.
class CardCustomer(BaseModel):
    id: int
    name: str | None
    tier: str
    email: str | None
    phone: str | None


# Where the customer can be reached.
class CardIdentity(BaseModel):
    channel: str
    address: str
    display_name: str | None


# One of the customer's recent conversations and how it went.
class CardConversation(BaseModel):
    id: int
    current: bool = Field(description="the conversation this card is for")
    status: ConversationStatus
    ticket_status: TicketStatus
    channel: str
    intent: str | None
    created_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    outcome: str | None = Field(description="the reason given for its latest status change")
    csat_score: int | None


# The advisor who last handled the customer (before this conversation's current one).
class CardAdvisor(BaseModel):
    id: int
    name: str
    at: datetime
    conversation_id: int | None


# A fact the customer gave, and where.
class CardFact(BaseModel):
    kind: str
    value: str
    raw: str
    conversation_id: int
    message_id: int
    at: datetime


# What the classifier read in the customer's latest message.
class CardReading(BaseModel):
    intent: str | None
    intent_confidence: float | None = None
    emotion: str | None
    emotion_intensity: float | None = None
    language: str | None
    message_id: int | None = None


# GET /v1/conversations/{id}/context: everything the advisor reads before answering.
class ContextCard(BaseModel):
    conversation_id: int
    customer: CardCustomer
    identities: list[CardIdentity]
    conversations: list[CardConversation] = Field(description="the latest 10, newest first")
    last_advisor: CardAdvisor | None
    facts: list[CardFact] = Field(description="most recent first, without duplicates")
    summary: str = Field(description="what the customer already said in this conversation")
    reading: CardReading
    tags: list[str]
