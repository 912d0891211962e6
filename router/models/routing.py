"""Admin-defined routing rules, stored as data and evaluated in memory by skills/."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

from router.models.channels import Channel
from router.models.validation import MAX_ID, RequestBody, storable_json, storable_text
from router.store.types import JSONType, UTCDateTime, empty_dict, empty_list, utcnow
from skills import Policy


# The table: one ordered rule; ``conditions`` is the JSON the matcher in skills/ reads.
class RoutingRule(SQLModel, table=True):
    __tablename__ = "routing_rule"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    position: int = Field(default=100, index=True)
    conditions: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSONType)
    required_skills: dict[str, int] = Field(default_factory=empty_dict, sa_type=JSONType)
    require_language: bool = Field(default=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    priority: int = Field(default=0, ge=0, le=100)
    policy: str = Field(default="best_fit", max_length=20)
    is_default: bool = Field(default=False)
    enabled: bool = Field(default=True)
    escalation: list[dict[str, Any]] = Field(
        default_factory=empty_list,
        sa_column=Column(JSONType, nullable=False, server_default=text("'[]'")),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# One escalation step: after this long waiting, these requirements (omitted: unchanged).
class EscalationStepWrite(RequestBody):
    after_seconds: int = PydanticField(
        gt=0,
        le=30 * 24 * 3600,
        description="apply this step once the conversation has waited this long, in seconds (up "
        "to 30 days)",
    )
    required_skills: dict[str, int] | None = PydanticField(
        default=None,
        description="replaces the required skills: skill -> minimum level (1..5); null: unchanged",
    )
    require_language: bool | None = PydanticField(
        default=None,
        description="whether the advisor must speak the customer's language from this step; null: "
        "unchanged",
    )
    drop_team: bool = PydanticField(
        default=False, description="true: any team may take it from this step"
    )


# Body of POST /v1/rules and PUT /v1/rules/{id}; the matcher in skills/ validates the rest.
class RuleWrite(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "VIP complaints",
                    "position": 10,
                    "conditions": {"tiers": ["vip"], "keywords": ["complaint", "réclamation"]},
                    "required_skills": {"complaints": 3},
                    "require_language": True,
                    "priority": 80,
                    "policy": "best_fit",
                    "enabled": True,
                    "escalation": [
                        {"after_seconds": 300, "required_skills": {"complaints": 1}},
                        {"after_seconds": 900, "drop_team": True},
                    ],
                }
            ]
        }
    )
    name: str = PydanticField(
        min_length=1,
        max_length=100,
        description="rule name, shown in routing explanations (1..100 characters)",
    )
    position: int = PydanticField(
        default=100, ge=0, le=1_000_000, description="evaluation order, lowest first"
    )
    conditions: dict[str, Any] = PydanticField(
        default_factory=empty_dict,
        description="any of intents, languages (ISO 639-1 codes such as it or zh, or other "
        "for a language the detector cannot name), channels, tiers, emotions (lists), "
        "min_intensity (0..1), keywords (list of words or phrases), patterns (list of "
        'regular expressions), hours ({timezone, weekly: {mon: [["09:00", "18:00"]]}, '
        "holidays, when: open|closed}); all given must hold",
    )
    required_skills: dict[str, int] = PydanticField(
        default_factory=empty_dict, description="skill -> minimum level 1..5"
    )
    require_language: bool = PydanticField(
        default=True,
        description="true: only advisors who speak the customer's language may take it",
    )
    team_id: int | None = PydanticField(
        default=None,
        ge=1,
        le=MAX_ID,
        description="only this team's advisors may take it; null: any team",
    )
    priority: int = PydanticField(
        default=0,
        ge=0,
        le=100,
        description="queue priority given to matching conversations (0..100, higher is served "
        "first)",
    )
    policy: Policy = PydanticField(
        default=Policy.BEST_FIT,
        description="how an advisor is chosen among those eligible: best_fit (best skill match), "
        "least_busy, longest_idle or round_robin",
    )
    enabled: bool = PydanticField(
        default=True, description="false: the rule is kept but never matches"
    )
    escalation: list[EscalationStepWrite] = PydanticField(
        default_factory=empty_list,
        max_length=10,
        description="requirements relaxed after waiting: steps by increasing after_seconds",
    )

    _json = field_validator("conditions")(storable_json)
    _name = field_validator("name")(storable_text)


# Returned by the API (and written by `aiguillage rules export`).
class RulePublic(RuleWrite):
    id: int = PydanticField(description="rule id")
    is_default: bool = PydanticField(
        description="true for the catch-all rule used when no other matches (cannot be deleted)"
    )
    created_at: datetime = PydanticField(description="when it was created (UTC)")
    updated_at: datetime = PydanticField(description="last change (UTC)")


# One rule in the import/export document: the rule body plus whether it is the default rule.
class RuleDocument(RuleWrite):
    is_default: bool = PydanticField(
        default=False, description="true for the entry that updates the catch-all default rule"
    )


# Returned by GET /v1/rules/export (the `aiguillage rules export` document, as JSON).
class RulesDocument(BaseModel):
    rules: list[RuleDocument] = PydanticField(description="every rule, in evaluation order")


# Body of POST /v1/rules/import: rules upserted by name, all or nothing.
class RulesImport(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rules": [
                        {
                            "name": "Billing",
                            "position": 20,
                            "conditions": {"intents": ["billing"]},
                            "required_skills": {"billing": 2},
                            "policy": "best_fit",
                        },
                        {"name": "default", "is_default": True, "policy": "least_busy"},
                    ],
                    "replace": False,
                }
            ]
        }
    )

    rules: list[dict[str, Any]] = PydanticField(
        min_length=1,
        max_length=500,
        description="rules as exported (each checked as the body of POST /v1/rules, plus "
        "is_default: the entry that updates the default rule)",
    )
    replace: bool = PydanticField(default=False, description="delete rules not in the list")

    _json = field_validator("rules")(storable_json)


# Returned by POST /v1/rules/import.
class RulesImported(BaseModel):
    created: int = PydanticField(description="rules added (names not stored before)")
    updated: int = PydanticField(description="rules of the same name changed in place")
    deleted: int = PydanticField(description="rules removed (only with replace)")


# One channel's reply window (e.g. WhatsApp: 24 h after the customer's last message).
class ReplyWindowConfig(RequestBody):
    seconds: int = PydanticField(
        gt=0,
        le=30 * 24 * 3600,
        description="length of the channel's reply window, in seconds (e.g. 86400 for WhatsApp's "
        "24 h)",
    )
    ramp_seconds: int = PydanticField(gt=0, description="urgency rises over the window's end")
    points: int = PydanticField(ge=0, le=100, description="urgency when the window closes")
    steps: int = PydanticField(default=6, ge=1, le=100, description="rises in this many steps")

    @model_validator(mode="after")
    def _ramp_inside(self) -> "ReplyWindowConfig":
        if self.ramp_seconds > self.seconds:
            raise ValueError("ramp_seconds must not exceed seconds")
        return self


_META_WINDOW = {"seconds": 86400, "ramp_seconds": 4 * 3600, "points": 30}
DEFAULT_REPLY_WINDOWS: dict[str, dict[str, int]] = {
    channel: dict(_META_WINDOW) for channel in ("whatsapp", "messenger", "instagram")
}


# Body of PUT /v1/routing/config: the tunables of waiting order, offers and care.
class RoutingConfigWrite(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ageing_points_per_minute": 1.0,
                    "reply_windows": {
                        "whatsapp": {"seconds": 86400, "ramp_seconds": 7200, "points": 40}
                    },
                    "intense_emotions": ["anger", "frustration"],
                    "intense_threshold": 0.6,
                    "max_intense": 1,
                    "cooldown_seconds": 600,
                    "day_timezone": "Europe/Paris",
                }
            ]
        }
    )
    ageing_points_per_minute: float = PydanticField(
        default=1.0, ge=0, le=100, description="priority gained per minute waited"
    )
    reply_windows: dict[Channel, ReplyWindowConfig] = PydanticField(
        default_factory=lambda: {
            Channel(k): ReplyWindowConfig(**v) for k, v in DEFAULT_REPLY_WINDOWS.items()
        },
        description="per channel: urgency rises as the reply window closes",
    )
    intense_emotions: list[str] = PydanticField(
        default_factory=lambda: ["anger", "frustration"],
        min_length=1,
        max_length=10,
        description="emotions that can make a conversation intense (1..10 names)",
    )
    intense_threshold: float = PydanticField(
        default=0.6, ge=0, le=1, description="intensity from which a conversation is intense"
    )
    cooldown_seconds: int = PydanticField(
        default=600, ge=0, le=86400, description="no intense conversation after one, for this long"
    )
    max_intense: int = PydanticField(
        default=1, ge=1, le=20, description="simultaneous intense conversations per advisor"
    )
    anger_messages: int = PydanticField(
        default=3, ge=2, le=20, description="customer messages over which anger must rise"
    )
    anger_threshold: float = PydanticField(
        default=0.6, ge=0, le=1, description="intensity the latest message must reach to alert"
    )
    exclusion_seconds: int = PydanticField(
        default=900, ge=0, le=7 * 86400, description="how long a declined offer keeps away"
    )
    day_timezone: str = PydanticField(
        default="UTC", max_length=60, description="IANA zone in which 'today' is counted"
    )
    intense_boost_points: int = PydanticField(
        default=30,
        ge=0,
        le=1000,
        description="queue priority added to an intense conversation (an angry customer is "
        "not served after calmer ones who came later)",
    )
    intense_wait_alert_seconds: int = PydanticField(
        default=180,
        ge=10,
        le=86400,
        description="alert the supervisor when an intense conversation waits this long",
    )
    first_message_alert_threshold: float = PydanticField(
        default=0.85,
        ge=0,
        le=1,
        description="alert when a first message is already this intense (anger, ...)",
    )
    offline_grace_seconds: int = PydanticField(
        default=120,
        ge=0,
        le=86400,
        description="after an advisor goes offline, their unanswered conversations return "
        "to the queue after this grace",
    )

    @field_validator("day_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("intense_emotions")
    @classmethod
    def _emotions(cls, value: list[str]) -> list[str]:
        for emotion in value:
            storable_text(emotion)
            if not 1 <= len(emotion) <= 20:
                raise ValueError("emotions are 1 to 20 characters")
        return sorted(set(value))


# Returned by GET /v1/routing/config.
class RoutingConfigPublic(RoutingConfigWrite):
    updated_at: datetime = PydanticField(description="last change (UTC)")


# The table: the one row of routing tunables (id 1, created by the migration).
class RoutingConfig(SQLModel, table=True):
    __tablename__ = "routing_config"

    id: int | None = Field(default=None, primary_key=True)
    ageing_points_per_minute: float = Field(default=1.0)
    reply_windows: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSONType)
    intense_emotions: list[str] = Field(default_factory=empty_list, sa_type=JSONType)
    intense_threshold: float = Field(default=0.6)
    cooldown_seconds: int = Field(default=600)
    max_intense: int = Field(default=1)
    anger_messages: int = Field(default=3)
    anger_threshold: float = Field(default=0.6)
    exclusion_seconds: int = Field(default=900)
    day_timezone: str = Field(default="UTC", max_length=60)
    intense_boost_points: int = Field(default=30, sa_column_kwargs={"server_default": "30"})
    intense_wait_alert_seconds: int = Field(default=180, sa_column_kwargs={"server_default": "180"})
    first_message_alert_threshold: float = Field(
        default=0.85, sa_column_kwargs={"server_default": "0.85"}
    )
    offline_grace_seconds: int = Field(default=120, sa_column_kwargs={"server_default": "120"})
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The table: an advisor kept away from one conversation until ``expires_at`` (after they
# declined it or let its offer expire); eligibility reports the reason.
class RoutingExclusion(SQLModel, table=True):
    __tablename__ = "routing_exclusion"
    __table_args__ = (
        Index("ix_routing_exclusion_conversation", "conversation_id", "expires_at"),
        Index("ix_routing_exclusion_advisor", "advisor_id", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    advisor_id: int = Field(foreign_key="advisor.id", ondelete="CASCADE")
    reason: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
