"""Ticket add-ons: internal notes and tags."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from router.store.types import UTCDateTime, utcnow


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
