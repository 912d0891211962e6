"""Simulation jobs: a what-if run in the background (POST /v1/simulations), kept in the
database so any API process answers its status and a restart cannot lose it."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from router.models.validation import MAX_ID, RequestBody
from router.store.types import JSONType, UTCDateTime, empty_dict, utcnow


class SimulationStatus(StrEnum):
    running = "running"
    done = "done"
    failed = "failed"


# The table: one job, its request, progress and result.
class SimulationJob(SQLModel, table=True):
    __tablename__ = "simulation_job"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=SimulationStatus.running, sa_type=String(10), index=True)
    progress: float = Field(default=0.0)
    request: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSONType)
    result: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    error: str | None = Field(default=None, max_length=2000)
    created_by: int | None = Field(default=None, foreign_key="advisor.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Written while it runs: a running job whose heartbeat stopped was lost with its process.
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# A recorded day as the scenario (router.simulation.history).
class HistoryDay(RequestBody):
    day: date = PydanticField(description="the day to replay, YYYY-MM-DD (routing day zone)")
    team_id: int | None = PydanticField(
        default=None,
        ge=1,
        le=MAX_ID,
        description="one team's conversations and advisors; null: everyone",
    )
    interval_minutes: int = PydanticField(
        default=30, ge=5, le=240, description="length of a reported interval, minutes"
    )


# Body of POST /v1/simulations.
class SimulationCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "history": {"day": "2026-12-07", "team_id": 1},
                    "compare_rules": [
                        {"name": "default", "is_default": True, "policy": "longest_idle"}
                    ],
                    "replications": 10,
                    "seed": 1,
                }
            ]
        }
    )

    scenario: dict[str, Any] | None = PydanticField(
        default=None,
        description="a scenario as a scenario file holds it (README, 'What-if simulator'), "
        "as JSON; without 'rules', the rules in force now. Exactly one of scenario and history",
    )
    history: HistoryDay | None = PydanticField(
        default=None, description="build the scenario from a recorded day instead"
    )
    compare_rules: list[dict[str, Any]] | None = PydanticField(
        default=None,
        max_length=500,
        description="another rules list (the 'rules' of GET /v1/rules/export, edited) to run "
        "on the same customers: the result then holds base, other and their difference",
    )
    replications: int = PydanticField(
        default=10, ge=2, le=100, description="independent replications (95 % intervals)"
    )
    seed: int = PydanticField(default=1, ge=0, le=2**31, description="same seed, same result")

    @model_validator(mode="after")
    def _one_source(self) -> "SimulationCreate":
        if (self.scenario is None) == (self.history is None):
            raise ValueError("give exactly one of 'scenario' and 'history'")
        return self


# Returned by the API.
class SimulationPublic(BaseModel):
    id: int = PydanticField(description="job id")
    status: SimulationStatus = PydanticField(
        description="running, done (result set) or failed (error set)"
    )
    progress: float = PydanticField(description="share of the replications done, 0..1")
    request: dict[str, Any] = PydanticField(description="the request, as posted")
    result: dict[str, Any] | None = PydanticField(
        description="when done: the document of `aiguillage simulate --json` (with --compare "
        "when compare_rules was given); null before"
    )
    error: str | None = PydanticField(description="why it failed; null otherwise")
    created_by: int | None = PydanticField(description="the admin who started it")
    created_at: datetime = PydanticField(description="when it was started (UTC)")
    finished_at: datetime | None = PydanticField(description="when it ended (UTC); null before")

    @classmethod
    def of(cls, job: SimulationJob) -> "SimulationPublic":
        return cls.model_validate(job, from_attributes=True)
