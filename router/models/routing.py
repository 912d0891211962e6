"""Admin-defined routing rules, stored as data and evaluated in memory by skills/."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, text
from sqlmodel import Field, SQLModel

from router.models.validation import MAX_ID, storable_json, storable_text
from router.store.types import JSONType, UTCDateTime, utcnow
from skills import Policy


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
    escalation: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSONType, nullable=False, server_default=text("'[]'")),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# One escalation step: after this long waiting, these requirements (omitted: unchanged).
class EscalationStepWrite(BaseModel):
    after_seconds: int = PydanticField(gt=0, le=30 * 24 * 3600)
    required_skills: dict[str, int] | None = None
    require_language: bool | None = None
    drop_team: bool = False


# Body of POST /v1/rules and PUT /v1/rules/{id}; the matcher in skills/ validates the rest.
class RuleWrite(BaseModel):
    name: str = PydanticField(min_length=1, max_length=100)
    position: int = PydanticField(
        default=100, ge=0, le=1_000_000, description="evaluation order, lowest first"
    )
    conditions: dict[str, Any] = PydanticField(
        default_factory=dict,
        description="any of intents, languages, channels, tiers, emotions (lists), "
        "min_intensity (0..1), keywords (list); all given must hold",
    )
    required_skills: dict[str, int] = PydanticField(
        default_factory=dict, description="skill -> minimum level 1..5"
    )
    require_language: bool = True
    team_id: int | None = PydanticField(default=None, ge=1, le=MAX_ID)
    priority: int = PydanticField(default=0, ge=0, le=100)
    policy: Policy = Policy.BEST_FIT
    enabled: bool = True
    escalation: list[EscalationStepWrite] = PydanticField(
        default_factory=list,
        max_length=10,
        description="requirements relaxed after waiting: steps by increasing after_seconds",
    )

    _json = field_validator("conditions")(storable_json)
    _name = field_validator("name")(storable_text)


# Returned by the API (and written by `aiguillage rules export`).
class RulePublic(RuleWrite):
    id: int
    is_default: bool
    created_at: datetime
    updated_at: datetime
