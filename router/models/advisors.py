"""Advisors, teams and skills: who can take which conversation."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import ConfigDict, StringConstraints, field_validator, model_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from router.models.channels import Channel
from router.models.validation import MAX_ID, RequestBody, storable_text
from router.store.types import JSONType, UTCDateTime, empty_dict, empty_list, utcnow
from skills import AdvisorStatus, RoutingMode  # one definition, shared with the domain

__all__ = ["AdvisorStatus", "RoutingMode"]  # re-exported for the service layer


class Role(StrEnum):
    advisor = "advisor"
    supervisor = "supervisor"
    admin = "admin"


OfferTimeout = Annotated[int, Ge(5), Le(3600)]
PushLimit = Annotated[int, Ge(0), Le(100)]
Seconds = Annotated[int, Ge(5), Le(7 * 24 * 3600)]
PickLimit = Annotated[int, Ge(1), Le(1000)]


# Fields a team is served by, shared by the table and its create body.
class TeamMode(SQLModel):
    routing_mode: RoutingMode = Field(
        default=RoutingMode.PUSH,
        sa_type=String(10),
        sa_column_kwargs={"server_default": "push"},
        description="push: assigned at once; offer: offered, accepted or declined before "
        "offer_timeout_seconds; pull: nothing is pushed, advisors take next or claim; "
        "blended: pushed while the advisor holds fewer than push_limit (or, past it, once a "
        "conversation waited push_after_seconds), pulled beyond",
    )
    offer_timeout_seconds: int = Field(
        default=30,
        ge=5,
        le=3600,
        sa_column_kwargs={"server_default": "30"},
        description="offer mode: seconds an advisor has to accept an offer before it goes to the "
        "next one (5..3600)",
    )
    push_limit: int = Field(
        default=1,
        ge=0,
        le=100,
        sa_column_kwargs={"server_default": "1"},
        description="blended: conversations an advisor holds before pushing stops",
    )
    push_after_seconds: int | None = Field(
        default=None,
        ge=5,
        le=7 * 24 * 3600,
        description="blended: a conversation waiting this long is pushed past push_limit",
    )
    pick_limit: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="claims only among the first K of the advisor's queue (no cherry-picking)",
    )
    return_after_seconds: int | None = Field(
        default=None,
        ge=5,
        le=7 * 24 * 3600,
        description="an assigned conversation its advisor has not answered in this time "
        "goes back to the queue, and the supervisor is told",
    )
    service_level_seconds: int = Field(
        default=60,
        ge=5,
        le=86400,
        sa_column_kwargs={"server_default": "60"},
        description="service-level target: a conversation is answered in time when an "
        "advisor accepts it within this many seconds of its opening (reports)",
    )
    service_level_percent: int = Field(
        default=80,
        ge=1,
        le=100,
        sa_column_kwargs={"server_default": "80"},
        description="service-level target: the share of conversations to answer in time",
    )


# The table: a team of advisors, and how its queue is served.
class Team(TeamMode, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The table: a skill an advisor can hold at a level from 1 to 5.
class Skill(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True, description="skill id")
    name: str = Field(
        max_length=60,
        unique=True,
        description="skill name, unique, as rules and advisors refer to it (e.g. billing, french)",
    )
    description: str | None = Field(
        default=None,
        max_length=500,
        description="what the skill covers, for admins; null when not given",
    )


# The table: advisor x skill with a proficiency level.
class AdvisorSkill(SQLModel, table=True):
    __tablename__ = "advisor_skill"

    advisor_id: int = Field(foreign_key="advisor.id", primary_key=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, ondelete="CASCADE")
    level: int = Field(ge=1, le=5)


# Fields shared by every advisor schema.
class AdvisorBase(SQLModel):
    name: str = Field(
        min_length=1,
        max_length=200,
        description="full name, as shown to colleagues (and in replies' signature)",
    )
    email: str = Field(max_length=320, unique=True, description="login e-mail, unique")
    role: Role = Field(
        default=Role.advisor,
        sa_type=String(20),
        description="advisor, supervisor or admin: each includes the one before",
    )
    team_id: int | None = Field(
        default=None,
        foreign_key="team.id",
        index=True,
        ge=1,
        le=MAX_ID,
        description="the advisor's team; null when in none (then they get no routed work)",
    )
    supervisor_id: int | None = Field(
        default=None,
        foreign_key="advisor.id",
        ge=1,
        le=MAX_ID,
        description="the advisor's supervisor (receives their care alerts); null when none",
    )
    languages: list[str] = Field(
        default_factory=empty_list,
        sa_type=JSONType,
        description='languages the advisor can answer in, ISO 639-1 codes (e.g. ["fr", "en"])',
    )
    status: AdvisorStatus = Field(
        default=AdvisorStatus.OFFLINE,
        sa_type=String(20),
        description="presence: only available advisors are offered or assigned new work",
    )
    capacity_total: int = Field(
        default=3,
        ge=0,
        le=100,
        description="conversations the advisor may hold at once, all channels together (0..100)",
    )
    capacity_per_channel: dict[str, int] = Field(
        default_factory=empty_dict,
        sa_type=JSONType,
        description='per-channel limits within capacity_total (e.g. {"chat": 2}); a channel '
        "not listed is limited by capacity_total only",
    )


# The table.
class Advisor(AdvisorBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    last_assigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the advisor last finished an intense conversation (starts their cool-down).
    last_intense_ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[str, StringConstraints(min_length=3, max_length=320, pattern=EMAIL_PATTERN)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
SkillName = Annotated[
    str, StringConstraints(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
]
SkillLevel = Annotated[int, Ge(1), Le(5)]
Capacity = Annotated[int, Ge(0), Le(100)]


def _unique_sorted(value: list[str] | None) -> list[str] | None:
    return None if value is None else sorted(set(value))


# Body of POST /v1/advisors.
class AdvisorCreate(AdvisorBase, RequestBody):
    # SQLModel types model_config as its own TypedDict; the bases' configs still merge.
    model_config = ConfigDict(  # type: ignore[assignment]
        json_schema_extra={
            "examples": [
                {
                    "name": "Léa Moreau",
                    "email": "lea.moreau@example.com",
                    "role": "advisor",
                    "team_id": 1,
                    "supervisor_id": 4,
                    "languages": ["fr", "en"],
                    "capacity_total": 4,
                    "capacity_per_channel": {"chat": 2, "email": 4},
                    "skills": {"billing": 4, "delivery": 3},
                }
            ]
        }
    )
    email: Email = Field(description="login e-mail, unique")
    languages: list[LanguageCode] = Field(
        default_factory=empty_list, max_length=20, description="ISO 639 codes, e.g. ['fr', 'en']"
    )
    # Narrower than the base's dict[str, int] on purpose: input keys must be known channels.
    capacity_per_channel: dict[Channel, Capacity] = Field(  # type: ignore[assignment]
        default_factory=empty_dict, description="per-channel cap; 0 = does not handle that channel"
    )
    skills: dict[SkillName, SkillLevel] = Field(
        default_factory=empty_dict, description="skill name -> level 1..5"
    )

    _languages = field_validator("languages")(_unique_sorted)
    _names = field_validator("name", "email")(storable_text)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        # One account per address whatever its case: logins compare lower-cased.
        return value.lower()


# Body of PATCH /v1/advisors/{id}: every field optional; null only where a value may be empty.
class AdvisorUpdate(SQLModel, RequestBody):
    # SQLModel types model_config as its own TypedDict; the bases' configs still merge.
    model_config = ConfigDict(  # type: ignore[assignment]
        json_schema_extra={
            "examples": [
                {"status": "available"},
                {"capacity_total": 5, "skills": {"billing": 5, "retention": 2}},
            ]
        }
    )
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="new full name; null or absent: unchanged",
    )
    team_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="new team; absent: unchanged"
    )
    supervisor_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="new supervisor; absent: unchanged"
    )
    languages: list[LanguageCode] | None = Field(
        default=None,
        max_length=20,
        description="replaces the languages (ISO 639-1 codes); absent: unchanged",
    )
    status: AdvisorStatus | None = Field(
        default=None,
        description="new presence status (an advisor may set only their own); absent: unchanged",
    )
    capacity_total: int | None = Field(
        default=None, ge=0, le=100, description="new total capacity (0..100); absent: unchanged"
    )
    capacity_per_channel: dict[Channel, Capacity] | None = Field(
        default=None, description="replaces the per-channel limits (1..100 each); absent: unchanged"
    )
    skills: dict[SkillName, SkillLevel] | None = Field(
        default=None,
        description="replaces the skills: skill name -> level 1 (basic) .. 5 (expert); admins and "
        "supervisors only",
    )

    _languages = field_validator("languages")(_unique_sorted)
    _names = field_validator("name")(storable_text)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> "AdvisorUpdate":
        for name in (
            "name",
            "languages",
            "status",
            "capacity_total",
            "capacity_per_channel",
            "skills",
        ):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null (omit it to leave it unchanged)")
        return self


# Returned by the API (table rows are not validated on load: the mode comes back as text).
class TeamPublic(TeamMode):
    id: int = Field(description="team id")
    name: str = Field(description="team name, unique")
    created_at: datetime = Field(description="when the team was created (UTC)")


def team_public(team: "Team") -> TeamPublic:
    return TeamPublic.model_validate(
        {name: getattr(team, name) for name in TeamPublic.model_fields}
    )


# Body of POST /v1/teams.
class TeamCreate(TeamMode, RequestBody):
    # SQLModel types model_config as its own TypedDict; the bases' configs still merge.
    model_config = ConfigDict(  # type: ignore[assignment]
        json_schema_extra={
            "examples": [
                {
                    "name": "Billing FR",
                    "routing_mode": "offer",
                    "offer_timeout_seconds": 45,
                    "service_level_seconds": 120,
                    "service_level_percent": 80,
                }
            ]
        }
    )
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="team name, unique (1..100 characters)"
    )

    _name = field_validator("name")(storable_text)


# Body of PATCH /v1/teams/{id}: how the team's queue is served, changed live.
class TeamUpdate(SQLModel, RequestBody):
    # SQLModel types model_config as its own TypedDict; the bases' configs still merge.
    model_config = ConfigDict(  # type: ignore[assignment]
        json_schema_extra={
            "examples": [{"routing_mode": "blended", "push_limit": 2, "push_after_seconds": 300}]
        }
    )
    routing_mode: RoutingMode | None = Field(
        default=None,
        description="how conversations reach the team's advisors: push, offer, pull or blended; "
        "absent: unchanged",
    )
    offer_timeout_seconds: OfferTimeout | None = Field(
        default=None,
        description="offer mode: seconds to accept an offer (5..3600); absent: unchanged",
    )
    push_limit: PushLimit | None = Field(
        default=None,
        description="blended: conversations pushed to an advisor before they must pull (0..100); "
        "absent: unchanged",
    )
    push_after_seconds: Seconds | None = Field(default=None, description="null: off")
    pick_limit: PickLimit | None = Field(default=None, description="null: any of the queue")
    return_after_seconds: Seconds | None = Field(default=None, description="null: off")
    service_level_seconds: Annotated[int, Ge(5), Le(86400)] | None = Field(
        default=None,
        description="service-level target answer time in seconds (5..86400); absent: unchanged",
    )
    service_level_percent: Annotated[int, Ge(1), Le(100)] | None = Field(
        default=None,
        description="service-level target share answered in time, percent (1..100); absent: "
        "unchanged",
    )

    @model_validator(mode="after")
    def _no_null_for_required(self) -> "TeamUpdate":
        required = ("routing_mode", "offer_timeout_seconds", "push_limit")
        for name in (*required, "service_level_seconds", "service_level_percent"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null (omit it to leave it unchanged)")
        return self


# Body of POST /v1/skills.
class SkillCreate(SQLModel, RequestBody):
    # SQLModel types model_config as its own TypedDict; the bases' configs still merge.
    model_config = ConfigDict(  # type: ignore[assignment]
        json_schema_extra={
            "examples": [
                {
                    "name": "retention",
                    "description": "Customers who want to cancel: offers and retention scripts",
                }
            ]
        }
    )
    name: SkillName = Field(
        description="skill name, unique: letters, digits, _ . - (up to 60 characters)"
    )
    description: str | None = Field(
        default=None, max_length=500, description="what the skill covers, for admins"
    )

    _description = field_validator("description")(storable_text)


# Returned by the API, with live load.
class AdvisorPublic(AdvisorBase):
    id: int = Field(description="advisor id")
    skills: dict[str, int] = Field(description="skill name -> level 1 (basic) .. 5 (expert)")
    load_total: int = Field(description="conversations the advisor holds now (offered or assigned)")
    load_per_channel: dict[str, int] = Field(
        description="channel -> conversations held now on that channel"
    )
    last_assigned_at: datetime | None = Field(
        description="when the advisor last got a conversation (UTC): the longest idle is served "
        "first; null: never"
    )


def advisor_public(advisor: Advisor, skills: dict[str, int], load: dict[str, int]) -> AdvisorPublic:
    # Table rows are not validated on load (enums come back as str): validate field by field.
    data: dict[str, Any] = {name: getattr(advisor, name) for name in AdvisorBase.model_fields}
    return AdvisorPublic(
        **data,
        id=advisor.id or 0,
        skills=skills,
        load_total=sum(load.values()),
        load_per_channel=load,
        last_assigned_at=advisor.last_assigned_at,
    )
