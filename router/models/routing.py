"""Admin-defined routing rules, stored as data and evaluated in memory by skills/."""

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from router.store.types import JSONType, UTCDateTime, utcnow


# The table: one ordered rule; ``conditions`` is the JSON the matcher in skills/ reads.
class RoutingRule(SQLModel, table=True):
    __tablename__ = "routing_rule"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    position: int = Field(default=100, index=True)
    conditions: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    required_skills: dict[str, int] = Field(default_factory=dict, sa_type=JSONType)
    require_language: bool = Field(default=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    priority: int = Field(default=0, ge=0, le=100)
    policy: str = Field(default="best_fit", max_length=20)
    is_default: bool = Field(default=False)
    enabled: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
