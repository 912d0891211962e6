"""Alerts for supervisors (rising anger, a first message already very angry, an intense
conversation waiting too long), kept as an outbox for the alert webhook."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from router.store.types import JSONType, UTCDateTime, empty_dict, utcnow

_UNDELIVERED = text("delivered_at IS NULL AND next_attempt_at IS NOT NULL")


# Fields a supervisor may see of an alert.
class AlertBase(SQLModel):
    type: str = Field(
        max_length=60,
        description="what happened: alert.angry_first_message, alert.anger_rising, "
        "alert.intense_waiting (waits too long) or alert.returned_unanswered",
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, description="when the alert was raised (UTC)"
    )
    conversation_id: int = Field(
        foreign_key="conversation.id",
        ondelete="CASCADE",
        description="the conversation the alert is about",
    )
    advisor_id: int | None = Field(
        default=None,
        foreign_key="advisor.id",
        ondelete="SET NULL",
        description="the advisor concerned (who holds the conversation); null when none",
    )
    supervisor_id: int | None = Field(
        default=None, foreign_key="advisor.id", ondelete="SET NULL", description="addressed to"
    )
    team_id: int | None = Field(
        default=None,
        foreign_key="team.id",
        ondelete="SET NULL",
        description="the team whose supervisors are alerted; null when none",
    )
    reason: str = Field(
        max_length=500, description="why it was raised, in English, for the supervisor"
    )
    data: dict[str, Any] = Field(
        default_factory=empty_dict,
        sa_type=JSONType,
        description="the readings behind the alert (emotion, intensity, wait...)",
    )
    delivered_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="when the alert webhook took it"
    )


# The table; ``next_attempt_at`` is when the webhook should (re)try it (NULL: nothing to do).
class Alert(AlertBase, table=True):
    __table_args__ = (
        Index("ix_alert_team", "team_id", "id"),
        Index("ix_alert_supervisor", "supervisor_id", "id"),
        Index(
            "ix_alert_undelivered",
            "next_attempt_at",
            sqlite_where=_UNDELIVERED,
            postgresql_where=_UNDELIVERED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=300)


# Returned by GET /v1/alerts.
class AlertPublic(AlertBase):
    id: int = Field(description="alert id")
