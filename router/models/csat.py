"""Satisfaction surveys sent after a resolution, and the customers' answers."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from router.store.types import UTCDateTime, utcnow


# The table: one survey per resolution; the answer (score 1-5, comment) lands on it.
# Linked to the advisor who resolved and their team for team figures.
class CsatSurvey(SQLModel, table=True):
    __tablename__ = "csat_survey"
    __table_args__ = (
        Index("ix_csat_team_answered", "team_id", "answered_at"),
        Index("ix_csat_conversation", "conversation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    advisor_id: int | None = Field(default=None, foreign_key="advisor.id", ondelete="SET NULL")
    team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="SET NULL")
    channel: str = Field(max_length=20)
    language: str = Field(max_length=8)
    token_hash: str = Field(max_length=64, unique=True)
    message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    score: int | None = Field(default=None)
    comment: str | None = Field(default=None, max_length=2000)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
