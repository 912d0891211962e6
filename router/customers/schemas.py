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
    id: int = Field(description="message id")
    direction: str = Field(description="inbound (from the customer) or outbound (a reply)")
    channel: str = Field(description="channel the message went through (email, chat, whatsapp...)")
    status: str = Field(
        description="the message's status (received, processed, held, queued, sent, delivered, "
        "read, failed...)"
    )
    subject: str | None = Field(description="e-mail subject; null on channels without one")
    excerpt: str = Field(
        description="the start of the text (the whole text when truncated is false)"
    )
    truncated: bool = Field(
        description="true when excerpt is shorter than the message: fetch the message for the rest"
    )
    sender_name: str | None = Field(
        description="the sender's display name as the channel gave it; null when unknown"
    )
    advisor_id: int | None = Field(
        description="outbound: the advisor who wrote the reply; null for inbound or automated "
        "messages"
    )


# The note an item is about.
class TimelineNote(BaseModel):
    id: int = Field(description="note id")
    author_id: int | None = Field(
        description="advisor who wrote it; null once that advisor is deleted"
    )
    excerpt: str = Field(
        description="the start of the note (the whole note when truncated is false)"
    )
    truncated: bool = Field(description="true when excerpt is shorter than the note")


# One thing that happened to the customer, from the event of that name.
class TimelineItem(BaseModel):
    id: int = Field(description="the event id (the cursor)")
    type: str = Field(
        description="the event type it comes from (e.g. message.received, conversation.resolved, "
        "assignment.accepted)"
    )
    kind: TimelineKind = Field(description="the event's family, for filtering and icons")
    at: datetime = Field(description="when it happened (UTC)")
    conversation_id: int | None = Field(
        description="the conversation it belongs to; null for events about the customer only"
    )
    advisor_id: int | None = Field(
        description="the advisor involved (assignee, author, who transferred); null when none"
    )
    message_id: int | None = Field(description="the message involved; null when none")
    data: dict[str, Any] = Field(
        description="the event's details (depends on type: reason, from/to, status...)"
    )
    message: TimelineMessage | None = Field(
        default=None, description="kind message or delivery: the message, shortened; null otherwise"
    )
    note: TimelineNote | None = Field(
        default=None, description="kind note (staff only): the note, shortened; null otherwise"
    )


# A page of the timeline and where the next one starts.
class TimelinePage(BaseModel):
    customer_id: int = Field(description="the customer (the kept one after a merge)")
    items: list[TimelineItem] = Field(description="events, newest first")
    next_before: int | None = Field(
        default=None, description="newest-first pages: pass as `before` for the next page"
    )
    next_after: int | None = Field(
        default=None, description="oldest-first pages: pass as `after` for the next page"
    )


# Who the customer is.
class CardCustomer(BaseModel):
    id: int = Field(description="customer id")
    name: str | None = Field(description="display name; null when no channel gave one")
    tier: str = Field(description="customer tier (e.g. standard, gold): rules may route on it")
    email: str | None = Field(description="the customer's e-mail address, when known")
    phone: str | None = Field(
        description="the customer's phone number (E.164 when the channel gives it), when known"
    )


# Where the customer can be reached.
class CardIdentity(BaseModel):
    channel: str = Field(description="channel of this identity")
    address: str = Field(
        description="the customer's address on that channel (e-mail address, phone number, "
        "page-scoped id, handle)"
    )
    display_name: str | None = Field(description="the name shown on that channel; null when none")


# One of the customer's recent conversations and how it went.
class CardConversation(BaseModel):
    id: int = Field(description="conversation id")
    current: bool = Field(description="the conversation this card is for")
    status: ConversationStatus = Field(description="router status of the conversation")
    ticket_status: TicketStatus = Field(
        description="helpdesk view of the status (new, open, pending, resolved, closed)"
    )
    channel: str = Field(description="channel the conversation started on")
    intent: str | None = Field(
        description="what the customer wanted, as classified (e.g. delivery, refund); null when "
        "unknown"
    )
    created_at: datetime = Field(description="when it opened (UTC)")
    resolved_at: datetime | None = Field(description="when it was last resolved; null while open")
    closed_at: datetime | None = Field(description="when it was closed; null unless closed")
    outcome: str | None = Field(description="the reason given for its latest status change")
    csat_score: int | None = Field(
        description="satisfaction score the customer gave (1-5); null when not asked or not "
        "answered"
    )


# The advisor who last handled the customer (before this conversation's current one).
class CardAdvisor(BaseModel):
    id: int = Field(description="advisor id")
    name: str = Field(description="advisor's name")
    at: datetime = Field(description="when that advisor last handled the customer (UTC)")
    conversation_id: int | None = Field(
        description="the conversation they handled; null if it has since been erased"
    )


# A fact the customer gave, and where.
class CardFact(BaseModel):
    kind: str = Field(
        description="what the fact is: order_number, invoice_number, contract_number, "
        "ticket_number, tracking_number, email, phone, amount, date"
    )
    value: str = Field(
        description="normalised value (e.g. FR-2024-00123, +33612345678, 129.90 EUR, "
        "2026-03-14; a date written without a year gets the year nearest the message's date)"
    )
    raw: str = Field(description="as the customer wrote it")
    conversation_id: int = Field(description="conversation in which it was written")
    message_id: int = Field(description="message in which it was written (its latest mention)")
    at: datetime = Field(description="when that message was received (UTC)")


# What the classifier read in the customer's latest message.
class CardReading(BaseModel):
    intent: str | None = Field(
        description="intent of the latest classified customer message; null before classification"
    )
    intent_confidence: float | None = Field(
        default=None, description="classifier's confidence in the intent, 0..1; null when unknown"
    )
    emotion: str | None = Field(
        description="emotion read in the latest customer message (e.g. neutral, anger, "
        "frustration); null when unknown"
    )
    emotion_intensity: float | None = Field(
        default=None,
        description="strength of that emotion, 0 (none) .. 1 (very strong); null when unknown",
    )
    language: str | None = Field(
        description="language of the conversation, ISO 639-1 (e.g. fr, en); null when not detected"
    )
    message_id: int | None = Field(
        default=None,
        description="the message this reading comes from; null when none was classified",
    )


# GET /v1/conversations/{id}/context: everything the advisor reads before answering.
class ContextCard(BaseModel):
    conversation_id: int = Field(description="the conversation the card is for")
    customer: CardCustomer = Field(description="who the customer is")
    identities: list[CardIdentity] = Field(
        description="every channel address known for the customer"
    )
    conversations: list[CardConversation] = Field(description="the latest 10, newest first")
    last_advisor: CardAdvisor | None = Field(
        description="the advisor who last handled this customer (in any conversation); null for a "
        "new customer"
    )
    facts: list[CardFact] = Field(description="most recent first, without duplicates")
    summary: str = Field(description="what the customer already said in this conversation")
    reading: CardReading = Field(
        description="what the classifier read in the latest customer message"
    )
    tags: list[str] = Field(description="the conversation's tags, sorted")
