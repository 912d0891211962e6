"""Ticket add-ons: internal notes and tags; the API schemas of the ticket lifecycle."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic import Field as PydanticField
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from router.models.validation import RequestBody, storable_text
from router.store.types import UTCDateTime, empty_list, utcnow

MAX_TAGS = 20  # per conversation
TAG_PATTERN = r"^[a-z0-9][a-z0-9_.:-]{0,59}$"


def normalise_tag(value: object) -> object:
    """Tags compare case-insensitively: " VIP " and "vip" are one tag."""
    return value.strip().lower() if isinstance(value, str) else value


#: A tag as stored and searched: trimmed and lower-cased first, then checked.
TagName = Annotated[str, BeforeValidator(normalise_tag), StringConstraints(pattern=TAG_PATTERN)]


# The table: an advisor's internal note on a conversation, never sent to the customer.
class Note(SQLModel, table=True):
    __table_args__ = (Index("ix_note_conversation", "conversation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="advisor.id", ondelete="SET NULL")
    text: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The table: one tag on one conversation (lists filter by tag through its index).
class ConversationTag(SQLModel, table=True):
    __tablename__ = "conversation_tag"
    __table_args__ = (Index("ix_conversation_tag_tag", "tag", "conversation_id"),)

    conversation_id: int = Field(
        foreign_key="conversation.id", ondelete="CASCADE", primary_key=True
    )
    tag: str = Field(max_length=60, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="advisor.id", ondelete="SET NULL")


class StatusTarget(StrEnum):
    """The statuses a person may move a ticket to."""

    pending = "pending"  # waiting on the customer
    resolved = "resolved"
    closed = "closed"  # final
    open = "open"  # back in the queue: from pending, or reopened from resolved


# Body of POST /v1/conversations/{id}/status.
class StatusChange(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "pending",
                    "reason": "Waiting for the customer's photo of the damaged item",
                }
            ]
        }
    )
    status: StatusTarget = PydanticField(
        description="the new status: pending (waiting on the customer), resolved, closed (final) "
        "or open (back in the queue)"
    )
    reason: str | None = PydanticField(
        default=None, min_length=1, max_length=500, description="why (kept on the ticket)"
    )

    _text = field_validator("reason")(storable_text)


# Body of PATCH /v1/conversations/{id}: priority and tags (at least one change).
class TicketUpdate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"priority": 20, "add_tags": ["refund", "vip"], "remove_tags": ["to-check"]}
            ]
        }
    )
    priority: int | None = PydanticField(
        default=None,
        ge=-100,
        le=100,
        description="new priority (-100..100, higher is served first); absent: unchanged",
    )
    add_tags: list[TagName] = PydanticField(
        default_factory=empty_list,
        max_length=MAX_TAGS,
        description="tags to add (lower-cased; letters, digits, _ . : -, up to 60 characters)",
    )
    remove_tags: list[TagName] = PydanticField(
        default_factory=empty_list, max_length=MAX_TAGS, description="tags to remove"
    )

    @model_validator(mode="after")
    def _something(self) -> "TicketUpdate":
        if self.priority is None and not self.add_tags and not self.remove_tags:
            raise ValueError("give priority, add_tags or remove_tags")
        if set(self.add_tags) & set(self.remove_tags):
            raise ValueError("a tag cannot be both added and removed")
        return self


# Body of POST /v1/conversations/{id}/notes.
class NoteCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"text": "Customer called twice about this order; carrier says delivery Thursday."}
            ]
        }
    )
    text: str = PydanticField(
        min_length=1,
        max_length=10_000,
        description="the note, visible to staff only (1..10,000 characters)",
    )

    _text = field_validator("text")(storable_text)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


# Returned by the API.
class NotePublic(BaseModel):
    id: int = PydanticField(description="note id")
    conversation_id: int = PydanticField(description="the conversation")
    author_id: int | None = PydanticField(description="the advisor who wrote it; null once deleted")
    author_name: str | None = PydanticField(description="their name; null once deleted")
    text: str = PydanticField(description="the note")
    created_at: datetime = PydanticField(description="when it was written (UTC)")


# One row of a conversation's assignee history (offers included), oldest first.
class AssignmentRecord(BaseModel):
    id: int = PydanticField(description="assignment id")
    advisor_id: int = PydanticField(description="the advisor")
    advisor_name: str | None = PydanticField(description="their name; null once deleted")
    mode: str = PydanticField(
        description="push (the router assigned it) or pull (the advisor took it)"
    )
    channel: str = PydanticField(description="channel of the conversation")
    assigned_at: datetime = PydanticField(description="when it was assigned or offered (UTC)")
    accepted_at: datetime | None = PydanticField(
        description="when the advisor accepted it (UTC); null: offered only or not yet"
    )
    ended_at: datetime | None = PydanticField(
        description="when the advisor stopped holding it (UTC); null: still holds it"
    )
    end_reason: str | None = PydanticField(
        description="why it ended (resolved, transferred, declined, expired, returned, "
        "merged...); null while held"
    )
