"""The supervisors' team KPIs: live (GET /v1/reports/live) and by interval
(GET /v1/reports/intervals). Definitions: router.supervision.kpi (one place for both)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Step(StrEnum):
    """The length of an interval of GET /v1/reports/intervals."""

    m15 = "15m"
    m30 = "30m"
    h1 = "1h"

    @property
    def seconds(self) -> int:
        return {"15m": 900, "30m": 1800, "1h": 3600}[self.value]


# Figures of the conversations a team was offered over a period, and their handling.
class ServiceFigures(BaseModel):
    offered: int = Field(description="conversations of the team opened in the period")
    answered: int = Field(
        description="of those offered, how many an advisor accepted (first accepted "
        "assignment), whenever that happened"
    )
    answered_in_target: int = Field(
        description="answered within the team's service_level_seconds of opening"
    )
    abandoned: int = Field(description="of those offered, left the queue never answered")
    service_level: float | None = Field(
        description="answered_in_target / settled (0..1), settled = answered, abandoned, or "
        "waiting longer than the target; null when none is settled"
    )
    asa_seconds: float | None = Field(
        description="average speed of answer: mean seconds from opening to the first "
        "accepted assignment, over those answered; null when none"
    )
    handled: int = Field(
        description="accepted assignments of the team's advisors that ended in the period"
    )
    aht_seconds: float | None = Field(
        description="average handling time: mean seconds from acceptance to end of those "
        "handled (a team figure, never per advisor); null when none"
    )
    transfers: int = Field(
        description="accepted assignments of the team's advisors ended in the period by a transfer"
    )


# One queue of a team: waiting conversations filed under one fit key (router.routing.queue).
class LiveQueue(BaseModel):
    queue: str | None = Field(
        description="the fit key: channel|language|team|skills|i(ntense)/c(alm), as the "
        "router files them at their current escalation step; null: not filed yet"
    )
    channel: str | None
    language: str | None
    skills: dict[str, int] = Field(description="required skill -> minimum level")
    intense: bool | None
    waiting: int = Field(description="in the queue now (waiting, or offered not accepted)")
    oldest_wait_seconds: float = Field(description="how long the longest waiting one has")


# One team's live figures.
class LiveTeam(BaseModel):
    team_id: int
    name: str
    day_start: datetime = Field(description="start of 'today' (the day's time zone)")
    service_level_seconds: int = Field(description="the team's target answer time")
    service_level_percent: int = Field(description="the team's target share in time")
    waiting: int = Field(description="conversations in the team's queue now")
    oldest_wait_seconds: float | None = Field(description="longest current wait; null: none")
    queues: list[LiveQueue]
    advisors_by_status: dict[str, int] = Field(description="status -> advisors of the team")
    held: int = Field(description="accepted conversations the available advisors hold now")
    capacity_available: int = Field(
        description="sum of capacity_total of the team's available advisors"
    )
    occupancy: float | None = Field(
        description="conversations held by available advisors / their capacity (0..1); "
        "null when no capacity is available"
    )
    today: ServiceFigures = Field(description="since the start of today, until now")
    csat_sent_today: int
    csat_answered_today: int
    csat_average_today: float | None = Field(description="mean score 1..5; null: no answer")


# Returned by GET /v1/reports/live.
class LiveReport(BaseModel):
    at: datetime = Field(description="when the figures were read")
    timezone: str = Field(description="the zone in which 'today' is counted")
    teams: list[LiveTeam]


# One interval of GET /v1/reports/intervals: the inputs of staffing and simulation.
class IntervalFigures(ServiceFigures):
    start: datetime
    end: datetime
    staffed_seconds: float = Field(
        description="advisor-seconds of the team's advisors in status available"
    )
    capacity_seconds: float = Field(
        description="seat-seconds offered: staffed time x each advisor's capacity_total"
    )
    busy_seconds: float = Field(
        description="seat-seconds held: time within the interval of accepted assignments "
        "of the team's advisors while available"
    )
    occupancy: float | None = Field(
        description="busy_seconds / capacity_seconds (0..1); null when nobody was available"
    )


# Returned by GET /v1/reports/intervals.
class IntervalReport(BaseModel):
    team_id: int
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    step: Step
    step_seconds: int
    service_level_seconds: int
    service_level_percent: int
    intervals: list[IntervalFigures]

    model_config = {"populate_by_name": True}
