"""Conversations (tickets), their messages and their assignments to advisors."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from router.models.channels import Channel
from router.models.queues import QueueStanding
from router.models.validation import IsoDateTime, RequestBody, storable_json, storable_text
from router.store.types import JSONType, UTCDateTime, empty_dict, empty_list, utcnow

#: A customer has at most one of these: their next message joins it.
OPEN_STATUSES = ("waiting", "offered", "assigned", "pending")
_OPEN = text("status IN ('waiting', 'offered', 'assigned', 'pending')")
_INTENSE_WAITING = text("status = 'waiting' AND intense AND wait_alerted_at IS NULL")
_VISITOR_LEFT = text("status = 'waiting' AND visitor_left_at IS NOT NULL")


class ConversationStatus(StrEnum):
    """Where a conversation stands; the first three are the router's, the rest the ticket's."""

    waiting = "waiting"
    offered = "offered"  # offered to an advisor who has not accepted yet (capacity reserved)
    assigned = "assigned"
    # Waiting on the customer: the advisor's seat is freed, the advisor stays the owner
    # (assignee_id) and the customer's next message puts it back in the queue.
    pending = "pending"
    resolved = "resolved"  # reopened if the customer writes again within the reopen window
    closed = "closed"  # final: a later message opens a new conversation linked to this one


class TicketStatus(StrEnum):
    """The helpdesk view of a conversation (derived, see ``ticket_status``)."""

    new = "new"  # in the queue, nobody has answered yet
    open = "open"  # being handled (assigned, or back in the queue after a first answer)
    pending = "pending"
    resolved = "resolved"
    closed = "closed"


class SlaState(StrEnum):
    ok = "ok"  # running, not near its due time
    warning = "warning"  # past the policy's warning share of the target
    breached = "breached"  # past due and not met
    met = "met"  # done in time


def ticket_status(status: str, first_response_at: datetime | None) -> TicketStatus:
    if status in (
        ConversationStatus.pending,
        ConversationStatus.resolved,
        ConversationStatus.closed,
    ):
        return TicketStatus(status)
    if status == ConversationStatus.assigned or first_response_at is not None:
        return TicketStatus.open
    return TicketStatus.new


class MessageStatus(StrEnum):
    received = "received"  # stored, not yet through the pipeline
    processed = "processed"
    failed = "failed"  # inbound: dead-lettered after repeated failures; outbound: not sent
    held = "held"  # automated mail (bounce, auto-reply, receipt): kept, linked, never routed
    dismissed = "dismissed"  # held, then set aside by a supervisor (router.intake.review)
    # Outbound messages (advisor replies): stored queued, sent by the outbound worker.
    queued = "queued"
    sending = "sending"  # claimed by a worker; back to queued or on to sent/failed
    sent = "sent"
    delivered = "delivered"  # provider receipt (or pushed to the web chat widget)
    read = "read"


#: Outbound progress only moves forward: a late "delivered" never undoes "read".
DELIVERY_ORDER = {
    MessageStatus.sent: 1,
    MessageStatus.delivered: 2,
    MessageStatus.read: 3,
}


# Fields a client may see of a conversation.
class ConversationBase(SQLModel):
    customer_id: int = Field(foreign_key="customer.id", description="the customer")
    status: ConversationStatus = Field(
        default=ConversationStatus.waiting,
        sa_type=String(20),
        description="where the conversation stands: waiting, offered, assigned, pending, "
        "resolved, closed",
    )
    channel: Channel = Field(
        sa_type=String(20), description="channel of the conversation's first message"
    )
    language: str | None = Field(
        default=None,
        max_length=8,
        description="language of the conversation, ISO 639-1 (e.g. fr, en, it, zh); other: "
        "clearly a language the detector cannot name; null when the text said too little",
    )
    intent: str | None = Field(
        default=None,
        max_length=60,
        description="what the customer wants, as classified or set (e.g. delivery, refund); null "
        "when unknown",
    )
    priority: int = Field(
        default=0,
        description="queue priority from the matching rule or set by staff (-100..100, higher is "
        "served first)",
    )
    assignee_id: int | None = Field(
        default=None,
        foreign_key="advisor.id",
        index=True,
        description="the advisor who owns it (assigned or pending); null while in the queue",
    )
    # The team whose queue holds it (from the requirements): what an advisor's team may see.
    queue_team_id: int | None = Field(
        default=None,
        foreign_key="team.id",
        index=True,
        description="the team whose queue holds it (from the rule's requirements); null when any "
        "team may take it",
    )
    rule_id: int | None = Field(
        default=None,
        foreign_key="routing_rule.id",
        ondelete="SET NULL",
        description="the routing rule that matched; null when none or it was deleted",
    )
    requirements: dict[str, Any] = Field(
        default_factory=empty_dict,
        sa_type=JSONType,
        description="what an advisor needs to take it: skills with minimum levels, language, team "
        "(the rule's, escalated over time)",
    )
    waiting_since: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="since when it waits in the queue (UTC); null when not waiting",
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, description="when it opened (UTC)"
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, description="last change (UTC)"
    )
    last_message_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        description="latest message in either direction (UTC)",
    )
    resolved_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="when it was last resolved (UTC); null while open",
    )
    # The customer left (or it was resolved) before any advisor took it.
    abandoned_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="when the customer left (or it was resolved) before any advisor took it; null "
        "otherwise",
    )
    # The customer's latest emotion as read from their messages (care and rules read it).
    emotion: str | None = Field(
        default=None,
        max_length=20,
        description="the customer's latest emotion as read from their messages; null before "
        "classification",
    )
    emotion_intensity: float | None = Field(
        default=None, description="its strength, 0 (none) .. 1 (very strong); null when unknown"
    )
    intense: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": text("false")},
        description="true when the customer is very upset: care rules limit how many such "
        "conversations an advisor holds",
    )
    urgency_points: int = Field(
        default=0,
        description="reply-window urgency added to the priority while waiting",
        sa_column_kwargs={"server_default": "0"},
    )
    handover_note: str | None = Field(
        default=None, max_length=2000, description="the note of the latest transfer"
    )
    transferred_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="last transfer (UTC); null: never transferred",
    )
    # Ticket lifecycle.
    previous_conversation_id: int | None = Field(
        default=None,
        foreign_key="conversation.id",
        ondelete="SET NULL",
        description="the customer's conversation before this one (closed or out of the window)",
    )
    first_response_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="the first advisor reply (UTC); null: not answered yet",
    )
    pending_since: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="since when it waits on the customer (UTC); null unless pending",
    )
    closed_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="when it was closed (UTC); null unless closed",
    )
    status_reason: str | None = Field(
        default=None, max_length=500, description="the reason given for the latest status change"
    )
    # Service levels: the policy that applied when it opened, its due times and their state.
    sla_policy_id: int | None = Field(
        default=None,
        foreign_key="sla_policy.id",
        ondelete="SET NULL",
        description="the SLA policy that applied when it opened; null when none matched",
    )
    first_response_due_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="when the first reply is due under the policy (business hours applied); null: "
        "no target",
    )
    resolution_due_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="when resolution is due under the policy; null: no target",
    )
    first_response_sla: SlaState | None = Field(
        default=None,
        sa_type=String(10),
        description="state of the first-response target (ok, warning, breached, met); null: no "
        "target",
    )
    resolution_sla: SlaState | None = Field(
        default=None,
        sa_type=String(10),
        description="state of the resolution target (ok, warning, breached, met); null: no target",
    )


# The table. At most one open conversation per customer (partial unique index). Waiting
# conversations are filed by class (see skills.queue): ``queue_class`` names their
# requirements, intensity and queue priority; ``urgency_due_at`` when urgency next rises.
class Conversation(ConversationBase, table=True):
    __table_args__ = (
        Index(
            "uq_conversation_open_customer",
            "customer_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_conversation_waiting", "status", "waiting_since", "id"),
        Index("ix_conversation_class", "status", "queue_class", "waiting_since", "id"),
        Index("ix_conversation_urgency", "status", "urgency_due_at"),
        Index("ix_conversation_customer", "customer_id", "id"),
        # Conversations a team was offered over a period (router.supervision.kpi).
        Index("ix_conversation_team_created", "queue_team_id", "created_at"),
        Index("ix_conversation_assignee_created", "assignee_id", "created_at"),
        Index("ix_conversation_sla_check", "sla_next_check_at"),
        Index(
            "ix_conversation_intense_waiting",
            "waiting_since",
            sqlite_where=_INTENSE_WAITING,
            postgresql_where=_INTENSE_WAITING,
        ),
        Index(
            "ix_conversation_visitor_left",
            "visitor_left_at",
            sqlite_where=_VISITOR_LEFT,
            postgresql_where=_VISITOR_LEFT,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # When the SLA sweep must look at it next (a warning or a due time); None: nothing due.
    sla_next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The SLA clock (clocks.sla.Clock): the policy's terms as applied, starts and pauses.
    sla_clock: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    queue_class: str | None = Field(default=None)
    # Supervisor told that this intense conversation waits too long (once per wait).
    wait_alerted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the web chat visitor's last socket closed (None: there, or not a web chat).
    visitor_left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    urgency_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Anger-like intensities of the latest customer messages, oldest first.
    emotion_trail: list[list[Any]] = Field(
        default_factory=empty_list,
        sa_column=Column(JSONType, nullable=False, server_default=text("'[]'")),
    )


# Returned by the API.
class ConversationPublic(ConversationBase):
    id: int = PydanticField(description="conversation id")
    tags: list[str] = PydanticField(
        default_factory=empty_list, description="tags set by staff, sorted"
    )
    queue: QueueStanding | None = PydanticField(
        default=None,
        description="while waiting, on GET /v1/conversations/{id}: its place in the queue and "
        "the estimated wait",
    )
    customer_name: str | None = PydanticField(
        default=None, description="in lists: the customer's display name"
    )
    preview: str | None = PydanticField(
        default=None, description="in lists: the start of the customer's latest message"
    )

    @computed_field(  # type: ignore[prop-decorator]
        description="helpdesk view of status: new (nobody answered yet), open, pending, "
        "resolved, closed"
    )
    @property
    def ticket_status(self) -> TicketStatus:
        return ticket_status(self.status, self.first_response_at)


# API schemas below are plain pydantic: a 'metadata' field would shadow SQLModel's.


# Sender of an inbound message as the integrator knows them.
class Sender(RequestBody):
    id: str = PydanticField(min_length=1, max_length=320, description="channel-specific sender id")
    name: str | None = PydanticField(
        default=None, max_length=200, description="display name; null when unknown"
    )
    email: str | None = PydanticField(
        default=None,
        max_length=320,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="e-mail address (required for the email channel)",
    )
    phone: str | None = PydanticField(
        default=None,
        max_length=40,
        pattern=r"^\+?[0-9 ().-]{3,40}$",
        description="phone number, ideally E.164 (+33612345678)",
    )

    _text = field_validator("id", "name", "email")(storable_text)


# Body of POST /v1/messages (the integrator contract).
class MessageCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "channel": "api",
                    "external_id": "shop-ticket-48213",
                    "sender": {
                        "id": "customer-1042",
                        "name": "Camille Martin",
                        "email": "camille.martin@example.com",
                        "phone": "+33612345678",
                    },
                    "text": (
                        "Bonjour, ma commande FR-2024-00123 n'est "
                        "toujours pas arrivée. Pouvez-vous vérifier ?"
                    ),
                    "sent_at": "2026-03-14T09:30:00+01:00",
                    "metadata": {"order_id": "FR-2024-00123", "source": "shop-contact-form"},
                }
            ]
        }
    )
    channel: Channel = PydanticField(description="channel the message came through")
    external_id: str = PydanticField(
        min_length=1, max_length=200, description="provider message id"
    )
    sender: Sender = PydanticField(
        description="who wrote it: at least the address for the channel (email for email, phone "
        "for sms and whatsapp...)"
    )
    text: str = PydanticField(
        max_length=200_000, description="the message body as plain text (up to 200,000 characters)"
    )
    subject: str | None = PydanticField(
        default=None,
        max_length=998,
        description="e-mail subject (up to 998 characters); null on other channels",
    )
    sent_at: IsoDateTime | None = PydanticField(
        default=None,
        description="when the customer sent it (ISO 8601 with a time zone); null: the time it was "
        "received",
    )
    metadata: dict[str, Any] = PydanticField(
        default_factory=empty_dict,
        description="free JSON kept with the message (e.g. order id, page URL); rules may match "
        "on it",
    )

    _text = field_validator("external_id", "text", "subject")(storable_text)
    _metadata = field_validator("metadata")(storable_json)

    @field_validator("external_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        # Intake strips the key (router.intake.idempotency): blank would become empty.
        if not value.strip():
            raise ValueError("must not be blank")
        return value


# Answer of POST /v1/messages.
class MessageAccepted(BaseModel):
    id: int = PydanticField(
        description="the stored message's id; poll GET /v1/messages/{id} to see where it went"
    )
    duplicate: bool = PydanticField(
        description="true when this channel+external_id was already stored"
    )


# The table: every message, inbound or outbound; (channel, external_id) is the idempotency key.
class Message(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_message_channel_external_id"),
        Index("ix_message_backlog", "channel", "sender_address", "status", "id"),
        Index("ix_message_unpublished", "status", "published_at", "received_at"),
        Index("ix_message_conversation", "conversation_id", "id"),
        # Receipts and email threading name our outbound messages by the provider's id.
        Index("ix_message_provider", "channel", "provider_message_id"),
        # A web chat visitor's feed; "everything sent to this recipient" receipts.
        Index("ix_message_recipient", "channel", "recipient_address", "id"),
        # The outbound scheduler: queued rows due for a (re)try, stale sending rows.
        Index("ix_message_outbound_due", "status", "channel", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=200)
    direction: str = Field(default="inbound", max_length=10)
    sender_address: str = Field(max_length=320)
    sender_name: str | None = Field(default=None, max_length=200)
    sender_email: str | None = Field(default=None, max_length=320)
    sender_phone: str | None = Field(default=None, max_length=40)
    subject: str | None = Field(default=None, max_length=998)
    text: str
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    meta: dict[str, Any] = Field(
        default_factory=empty_dict, sa_column=Column("metadata", JSONType, nullable=False)
    )
    # What the classifier read (model version, language, intent, emotion...), once processed.
    classification: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    status: MessageStatus = Field(
        default=MessageStatus.received, sa_column=Column(String(20), nullable=False)
    )
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    published_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="when the broker confirmed it (outbox)"
    )
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=2000)
    review_reason: str | None = Field(
        default=None, max_length=500, description="why a person should check the original"
    )
    # Outbound only: who wrote it, to whom, the provider's id, and the send attempts.
    advisor_id: int | None = Field(default=None, foreign_key="advisor.id")
    recipient_address: str | None = Field(default=None, max_length=320)
    provider_message_id: str | None = Field(default=None, max_length=200)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The sender of a stored message as read back. Not ``Sender``: stored data is shown as it
# is (a held email may have no usable From), never validated again, so a read cannot fail.
class SenderPublic(BaseModel):
    id: str | None = PydanticField(
        description="channel-specific sender id; null when the message carried none (an "
        "email without a usable From, stored held for review)"
    )
    name: str | None = PydanticField(default=None, description="display name; null when unknown")
    email: str | None = PydanticField(default=None, description="e-mail address; null when unknown")
    phone: str | None = PydanticField(default=None, description="phone number; null when unknown")


# Returned by the API.
class MessagePublic(BaseModel):
    id: int = PydanticField(description="message id")
    channel: str = PydanticField(description="channel it came or went through")
    external_id: str = PydanticField(
        description="the provider's (or integrator's) id, unique per channel: the idempotency key"
    )
    direction: str = PydanticField(description="inbound (from the customer) or outbound (a reply)")
    sender: SenderPublic = PydanticField(description="who wrote it, as given by the channel")
    subject: str | None = PydanticField(description="e-mail subject; null on other channels")
    text: str = PydanticField(description="the body as plain text")
    sent_at: datetime | None = PydanticField(
        description="when it was sent, as the sender claims (UTC); null when not given"
    )
    received_at: datetime = PydanticField(description="when it was stored here (UTC)")
    metadata: dict[str, Any] = PydanticField(
        description="the JSON given with the message (channel details, integrator data)"
    )
    status: MessageStatus = PydanticField(
        description="where the message stands (received, processed, held, queued, sent, "
        "delivered, read, failed...)"
    )
    customer_id: int | None = PydanticField(
        description="the customer it was matched to; null until processed"
    )
    conversation_id: int | None = PydanticField(
        description="the conversation it joined; null until processed (and for held mail)"
    )
    processed_at: datetime | None = PydanticField(
        description="when the pipeline finished with it (UTC); null until then"
    )
    review_reason: str | None = PydanticField(
        default=None,
        description="why a person should check the original (e.g. content dropped while parsing); "
        "null when nothing to check",
    )
    error: str | None = PydanticField(
        default=None, description="why it failed (failed messages only); null otherwise"
    )
    advisor_id: int | None = PydanticField(
        default=None, description="outbound: the advisor who wrote it; null for inbound"
    )
    recipient: str | None = PydanticField(
        default=None, description="outbound: the address it is sent to; null for inbound"
    )
    provider_message_id: str | None = PydanticField(
        default=None,
        description="outbound: the provider's id once sent (receipts refer to it); null before",
    )
    attempts: int = PydanticField(default=0, description="outbound: send attempts so far")
    next_attempt_at: datetime | None = PydanticField(
        default=None,
        description="outbound: when the next send attempt is due (UTC); null when none is",
    )
    classification: dict[str, Any] | None = PydanticField(
        default=None, description="what the classifier read: language, intent, emotion..."
    )

    @classmethod
    def of(cls, message: Message) -> "MessagePublic":
        return cls(
            classification=message.classification,
            id=message.id or 0,
            channel=message.channel,
            external_id=message.external_id,
            direction=message.direction,
            sender=SenderPublic(
                id=message.sender_address or None,
                name=message.sender_name,
                email=message.sender_email,
                phone=message.sender_phone,
            ),
            subject=message.subject,
            text=message.text,
            sent_at=message.sent_at,
            received_at=message.received_at,
            metadata=message.meta,
            status=message.status,
            customer_id=message.customer_id,
            conversation_id=message.conversation_id,
            processed_at=message.processed_at,
            review_reason=message.review_reason,
            # Inbound errors are internal (dead-letter causes); outbound ones are the provider's.
            error=message.error if message.direction == "outbound" else None,
            advisor_id=message.advisor_id,
            recipient=message.recipient_address,
            provider_message_id=message.provider_message_id,
            attempts=message.attempts,
            next_attempt_at=message.next_attempt_at,
        )


# Fields of an assignment a client may see.
class AssignmentBase(SQLModel):
    conversation_id: int = Field(foreign_key="conversation.id")
    advisor_id: int = Field(foreign_key="advisor.id")
    channel: str = Field(max_length=20)
    mode: str = Field(max_length=10, description="push (router) or pull (advisor asked)")
    rule_id: int | None = Field(default=None)
    explanation: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSONType)
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str | None = Field(default=None, max_length=40)
    # An offer is an assignment not accepted yet: it holds the advisor's capacity until
    # accepted (accepted_at), declined or expired (ended_at, end_reason) at expires_at.
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    intense: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    # When its advisor first replied while holding it (the return timer stops there).
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


_PENDING_OFFER = text("accepted_at IS NULL AND ended_at IS NULL")
_UNANSWERED = text("answered_at IS NULL AND ended_at IS NULL")


# The table. Never two live assignments (or offers) for one conversation (partial unique index).
class Assignment(AssignmentBase, table=True):
    __table_args__ = (
        Index(
            "uq_assignment_live_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_assignment_advisor_live", "advisor_id", "ended_at"),
        Index("ix_assignment_advisor_assigned", "advisor_id", "assigned_at"),
        # A conversation's first accepted assignment: when it was answered (reports).
        Index("ix_assignment_conversation_accepted", "conversation_id", "accepted_at"),
        # A queue's recent service rate (router.routing.standing).
        Index("ix_assignment_channel_accepted", "channel", "accepted_at"),
        # Its seats: held now (ended_at NULL) or ended within the window.
        Index("ix_assignment_ended", "ended_at"),
        Index(
            "ix_assignment_offer_due",
            "expires_at",
            sqlite_where=_PENDING_OFFER,
            postgresql_where=_PENDING_OFFER,
        ),
        Index(
            "ix_assignment_intense",
            "assigned_at",
            sqlite_where=text("intense"),
            postgresql_where=text("intense"),
        ),
        Index(
            "ix_assignment_unanswered",
            "accepted_at",
            sqlite_where=_UNANSWERED,
            postgresql_where=_UNANSWERED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)


# A held inbound message, as listed for review (GET /v1/held-messages).
class HeldMessagePublic(MessagePublic):
    held_because: str = PydanticField(
        description="why it was held: the review reason, else its kind (bounce, auto-reply, "
        "receipt...) or the missing sender"
    )
