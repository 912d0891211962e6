"""Conversations (tickets), their messages and their assignments to advisors."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from router.models.channels import Channel
from router.models.validation import storable_json, storable_text
from router.store.types import JSONType, UTCDateTime, utcnow

OPEN_STATUSES = ("waiting", "assigned")


class ConversationStatus(StrEnum):
    waiting = "waiting"
    assigned = "assigned"
    resolved = "resolved"


class MessageStatus(StrEnum):
    received = "received"  # stored, not yet through the pipeline
    processed = "processed"
    failed = "failed"  # dead-lettered after repeated failures


# Fields a client may see of a conversation.
class ConversationBase(SQLModel):
    customer_id: int = Field(foreign_key="customer.id")
    status: ConversationStatus = Field(default=ConversationStatus.waiting, sa_type=String(20))
    channel: Channel = Field(sa_type=String(20))
    language: str | None = Field(default=None, max_length=8)
    intent: str | None = Field(default=None, max_length=60)
    priority: int = Field(default=0)
    assignee_id: int | None = Field(default=None, foreign_key="advisor.id", index=True)
    # The team whose queue holds it (from the requirements): what an advisor's team may see.
    queue_team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    rule_id: int | None = Field(default=None, foreign_key="routing_rule.id", ondelete="SET NULL")
    requirements: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    waiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_message_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The table. At most one open conversation per customer (partial unique index).
class Conversation(ConversationBase, table=True):
    __table_args__ = (
        Index(
            "uq_conversation_open_customer",
            "customer_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'assigned')"),
            postgresql_where=text("status IN ('waiting', 'assigned')"),
        ),
        Index("ix_conversation_queue", "status", "priority", "waiting_since"),
    )

    id: int | None = Field(default=None, primary_key=True)


# Returned by the API.
class ConversationPublic(ConversationBase):
    id: int


# API schemas below are plain pydantic: a 'metadata' field would shadow SQLModel's.


# Sender of an inbound message as the integrator knows them.
class Sender(BaseModel):
    id: str = PydanticField(min_length=1, max_length=320, description="channel-specific sender id")
    name: str | None = PydanticField(default=None, max_length=200)
    email: str | None = PydanticField(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = PydanticField(default=None, max_length=40, pattern=r"^\+?[0-9 ().-]{3,40}$")

    _text = field_validator("id", "name", "email")(storable_text)


# Body of POST /v1/messages (the integrator contract).
class MessageCreate(BaseModel):
    channel: Channel
    external_id: str = PydanticField(
        min_length=1, max_length=200, description="provider message id"
    )
    sender: Sender
    text: str = PydanticField(max_length=200_000)
    subject: str | None = PydanticField(default=None, max_length=998)
    sent_at: datetime | None = None
    metadata: dict[str, Any] = PydanticField(default_factory=dict)

    _text = field_validator("external_id", "text", "subject")(storable_text)
    _metadata = field_validator("metadata")(storable_json)

    @field_validator("sent_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("sent_at needs a timezone, e.g. 2026-01-31T09:30:00Z")
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("sent_at is out of range once converted to UTC") from None


# Answer of POST /v1/messages.
class MessageAccepted(BaseModel):
    id: int
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
        default_factory=dict, sa_column=Column("metadata", JSONType, nullable=False)
    )
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


# Returned by the API.
class MessagePublic(BaseModel):
    id: int
    channel: str
    external_id: str
    direction: str
    sender: Sender
    subject: str | None
    text: str
    sent_at: datetime | None
    received_at: datetime
    metadata: dict[str, Any]
    status: MessageStatus
    customer_id: int | None
    conversation_id: int | None
    processed_at: datetime | None

    @classmethod
    def of(cls, message: Message) -> "MessagePublic":
        return cls(
            id=message.id or 0,
            channel=message.channel,
            external_id=message.external_id,
            direction=message.direction,
            sender=Sender(
                id=message.sender_address,
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
        )


# Fields of an assignment a client may see.
class AssignmentBase(SQLModel):
    conversation_id: int = Field(foreign_key="conversation.id")
    advisor_id: int = Field(foreign_key="advisor.id")
    channel: str = Field(max_length=20)
    mode: str = Field(max_length=10, description="push (router) or pull (advisor asked)")
    rule_id: int | None = Field(default=None)
    explanation: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str | None = Field(default=None, max_length=40)


# The table. Never two live assignments for one conversation (partial unique index).
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
    )

    id: int | None = Field(default=None, primary_key=True)
