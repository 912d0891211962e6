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
    channel: str | None = Field(description="channel of the conversations filed here; null: any")
    language: str | None = Field(description="language they need, ISO 639-1; null: any")
    skills: dict[str, int] = Field(description="required skill -> minimum level")
    intense: bool | None = Field(
        description="true: intense conversations, false: calm ones; null: not filed yet"
    )
    waiting: int = Field(description="in the queue now (waiting, or offered not accepted)")
    oldest_wait_seconds: float = Field(description="how long the longest waiting one has")


# One team's live figures.
class LiveTeam(BaseModel):
    team_id: int = Field(description="team id")
    name: str = Field(description="team name")
    day_start: datetime = Field(description="start of 'today' (the day's time zone)")
    service_level_seconds: int = Field(description="the team's target answer time")
    service_level_percent: int = Field(description="the team's target share in time")
    waiting: int = Field(description="conversations in the team's queue now")
    oldest_wait_seconds: float | None = Field(description="longest current wait; null: none")
    queues: list[LiveQueue] = Field(description="the team's queues that have conversations waiting")
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
    csat_sent_today: int = Field(
        description="satisfaction surveys sent today (in the day time zone of the routing "
        "configuration)"
    )
    csat_answered_today: int = Field(description="of which answered")
    csat_average_today: float | None = Field(description="mean score 1..5; null: no answer")


# The conversations waiting in no team's queue (queue_team_id null: any team may take them).
class LiveNoTeam(BaseModel):
    waiting: int = Field(description="in no team's queue now (waiting, or offered not accepted)")
    oldest_wait_seconds: float | None = Field(description="longest current wait; null: none")
    queues: list[LiveQueue] = Field(description="their queues that have conversations waiting")


# Returned by GET /v1/reports/live.
class LiveReport(BaseModel):
    at: datetime = Field(description="when the figures were read")
    timezone: str = Field(description="the zone in which 'today' is counted")
    teams: list[LiveTeam] = Field(
        description="one entry per team the caller supervises (every team for admins)"
    )
    no_team: LiveNoTeam | None = Field(
        default=None,
        description="conversations waiting in no team's queue (a rule without a team: any "
        "team's advisors may take them, and every supervisor sees them); null when one team "
        "was asked for",
    )


# One interval of GET /v1/reports/intervals: the inputs of staffing and simulation.
class IntervalFigures(ServiceFigures):
    start: datetime = Field(description="start of the interval (UTC, included)")
    end: datetime = Field(description="end of the interval (UTC, excluded)")
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
    team_id: int = Field(description="team id")
    start: datetime = Field(alias="from", description="start of the report (UTC, included)")
    end: datetime = Field(alias="to", description="end of the report (UTC, excluded)")
    step: Step = Field(description="length of each interval: 15m, 30m or 1h")
    step_seconds: int = Field(description="the same length in seconds")
    service_level_seconds: int = Field(description="the team's target answer time, in seconds")
    service_level_percent: int = Field(
        description="the team's target share answered in time, percent"
    )
    intervals: list[IntervalFigures] = Field(description="one entry per interval, oldest first")

    model_config = {"populate_by_name": True}
