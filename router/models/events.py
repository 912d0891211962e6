"""The timeline and audit trail: one row per thing that happened."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from router.store.types import JSONType, UTCDateTime, empty_dict, utcnow


# Fields a client may see of an event.
class EventBase(SQLModel):
    type: str = Field(
        max_length=60,
        description="event type (e.g. message.received, assignment.accepted, "
        "conversation.resolved)",
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, description="when it happened (UTC)"
    )
    customer_id: int | None = Field(
        default=None,
        foreign_key="customer.id",
        description="the customer concerned; null when none",
    )
    conversation_id: int | None = Field(
        default=None,
        foreign_key="conversation.id",
        description="the conversation concerned; null when none",
    )
    advisor_id: int | None = Field(
        default=None, foreign_key="advisor.id", description="the advisor involved; null when none"
    )
    message_id: int | None = Field(
        default=None, foreign_key="message.id", description="the message involved; null when none"
    )
    data: dict[str, Any] = Field(
        default_factory=empty_dict,
        sa_type=JSONType,
        description="the event's details (depends on type)",
    )


#: The event type that records an advisor's status change (data: previous, current).
STATUS_CHANGED = "advisor.status_changed"
_STATUS_CHANGE = text("type = 'advisor.status_changed'")


# The table.
class Event(EventBase, table=True):
    __table_args__ = (
        Index("ix_event_conversation", "conversation_id", "id"),
        Index("ix_event_customer", "customer_id", "id"),
        # Advisors' status history, the staffed time of the interval report.
        Index(
            "ix_event_advisor_status",
            "advisor_id",
            "created_at",
            sqlite_where=_STATUS_CHANGE,
            postgresql_where=_STATUS_CHANGE,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)


# Returned by the API.
class EventPublic(EventBase):
    id: int = Field(description="event id (increasing: usable as a cursor)")
