"""Service-level policies: first-response and resolution targets per priority and channel."""

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from router.store.types import JSONType, UTCDateTime, utcnow


# The table. Policies are tried by ``position`` (lowest first); the first whose priority
# floor and channel match a new conversation applies. ``business_hours`` uses the
# skills.hours JSON form (time zone, weekly windows, holidays); None counts every hour.
class SlaPolicy(SQLModel, table=True):
    __tablename__ = "sla_policy"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    position: int = Field(default=0)
    min_priority: int | None = Field(default=None, description="applies from this priority up")
    channel: str | None = Field(default=None, max_length=20, description="None: any channel")
    first_response_seconds: int | None = Field(default=None)
    resolution_seconds: int | None = Field(default=None)
    warning_ratio: float = Field(default=0.8, description="share of the target that warns")
    business_hours: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
