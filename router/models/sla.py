"""Service-level policies: first-response and resolution targets per priority and channel,
and the supervisors' SLA report."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from router.models.channels import Channel
from router.models.validation import RequestBody, storable_json, storable_text
from router.store.types import JSONType, UTCDateTime, utcnow


# The table. Policies are tried by ``position`` (lowest first); the first whose priority
# floor and channel match a new conversation applies. ``business_hours`` uses the
# clocks.hours JSON form (time zone, weekly windows, holidays); None counts every hour.
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


MAX_TARGET_SECONDS = 90 * 86400


# Body of POST /v1/sla-policies (a PATCH is merged into the stored policy, then checked as
# this); business hours are checked by clocks.sla (time zone, windows, holidays).
class SlaPolicyWrite(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Urgent e-mail",
                    "position": 1,
                    "min_priority": 50,
                    "channel": "email",
                    "first_response_seconds": 3600,
                    "resolution_seconds": 28800,
                    "warning_ratio": 0.8,
                    "business_hours": {
                        "timezone": "Europe/Paris",
                        "weekly": {
                            "mon": [["09:00", "18:00"]],
                            "tue": [["09:00", "18:00"]],
                            "wed": [["09:00", "18:00"]],
                            "thu": [["09:00", "18:00"]],
                            "fri": [["09:00", "18:00"]],
                        },
                        "holidays": ["2026-12-25"],
                    },
                    "active": True,
                }
            ]
        }
    )
    name: str = PydanticField(
        min_length=1, max_length=120, description="policy name (1..120 characters)"
    )
    position: int = PydanticField(
        default=0, ge=0, le=1_000_000, description="matching order, lowest first; first match wins"
    )
    min_priority: int | None = PydanticField(
        default=None, ge=0, le=100, description="applies from this priority up; null: any"
    )
    channel: Channel | None = PydanticField(default=None, description="null: any channel")
    first_response_seconds: int | None = PydanticField(
        default=None, ge=60, le=MAX_TARGET_SECONDS, description="business seconds"
    )
    resolution_seconds: int | None = PydanticField(
        default=None, ge=60, le=MAX_TARGET_SECONDS, description="business seconds"
    )
    warning_ratio: float = PydanticField(
        default=0.8, ge=0.5, le=0.99, description="share of a target after which it warns"
    )
    business_hours: dict[str, Any] | None = PydanticField(
        default=None,
        description='{timezone, weekly: {mon: [["09:00", "18:00"]]}, holidays: ["2026-12-25"]}'
        "; null: every hour counts",
    )
    active: bool = PydanticField(
        default=True, description="false: the policy is kept but never applied"
    )

    _name = field_validator("name")(storable_text)
    _hours = field_validator("business_hours")(storable_json)

    @model_validator(mode="after")
    def _a_target(self) -> "SlaPolicyWrite":
        if self.first_response_seconds is None and self.resolution_seconds is None:
            raise ValueError("give first_response_seconds, resolution_seconds or both")
        return self


# Body of PATCH /v1/sla-policies/{id}: the fields to change (null clears a nullable one).
class SlaPolicyPatch(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"first_response_seconds": 1800, "warning_ratio": 0.75}]}
    )
    name: str | None = PydanticField(
        default=None, min_length=1, max_length=120, description="new name; absent: unchanged"
    )
    position: int | None = PydanticField(
        default=None,
        ge=0,
        le=1_000_000,
        description="matching order, lowest first; absent: unchanged",
    )
    min_priority: int | None = PydanticField(
        default=None,
        ge=0,
        le=100,
        description="applies to conversations of at least this priority (0..100); absent: "
        "unchanged",
    )
    channel: Channel | None = PydanticField(
        default=None, description="applies to this channel only; absent: unchanged"
    )
    first_response_seconds: int | None = PydanticField(
        default=None,
        ge=60,
        le=MAX_TARGET_SECONDS,
        description="first-reply target in business seconds (at least 60); absent: unchanged",
    )
    resolution_seconds: int | None = PydanticField(
        default=None,
        ge=60,
        le=MAX_TARGET_SECONDS,
        description="resolution target in business seconds (at least 60); absent: unchanged",
    )
    warning_ratio: float | None = PydanticField(
        default=None,
        ge=0.5,
        le=0.99,
        description="share of the target after which it is in warning (0.5..0.99); absent: "
        "unchanged",
    )
    business_hours: dict[str, Any] | None = PydanticField(
        default=None,
        description="opening hours the clocks run in (time zone, weekly hours, holidays); absent: "
        "unchanged",
    )
    active: bool | None = PydanticField(
        default=None, description="false: kept but never applied; absent: unchanged"
    )

    _name = field_validator("name")(storable_text)
    _hours = field_validator("business_hours")(storable_json)


# Returned by the API.
class SlaPolicyPublic(SlaPolicyWrite):
    id: int = PydanticField(description="policy id")
    created_at: datetime = PydanticField(description="when it was created (UTC)")
    updated_at: datetime = PydanticField(description="last change (UTC)")


# One target's figures in GET /v1/reports/sla.
class SlaTargetFigures(BaseModel):
    met: int = PydanticField(description="conversations that met the target")
    breached: int = PydanticField(description="conversations that missed it")
    running: int = PydanticField(description="not settled yet, within target (ok or warning)")
    share_met: float | None = PydanticField(description="met / (met + breached); null when neither")


# Returned by GET /v1/reports/sla: tickets opened in [since, until).
class SlaReport(BaseModel):
    team_id: int | None = PydanticField(description="the team asked for; null: all teams")
    since: datetime = PydanticField(description="start of the period (UTC, included)")
    until: datetime = PydanticField(description="end of the period (UTC, excluded)")
    first_response: SlaTargetFigures = PydanticField(description="first-reply targets")
    resolution: SlaTargetFigures = PydanticField(description="resolution targets")
