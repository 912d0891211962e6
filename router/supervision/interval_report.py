"""A team's figures per interval: the inputs of staffing and simulation, as JSON or CSV.

Bounded: [start, end) aligned to the step (15 minutes, 30 minutes or 1 hour, counted in
UTC), at most 31 days (2,976 intervals of 15 minutes). Definitions: router.supervision.kpi (service
figures) and router.supervision.occupancy (staffed, capacity and busy seconds).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from router.errors import InvalidRequest
from router.models.kpi import IntervalFigures, IntervalReport, Step
from router.security.principal import Principal
from router.store import Database
from router.store.types import utcnow
from router.supervision import kpi, occupancy

MAX_SPAN = timedelta(days=31)  # at most 2,976 intervals of 15 minutes
#: The CSV's columns, in order (one row per interval, after this header): when, then figures.
COLUMNS = ("start", "end", *(f for f in IntervalFigures.model_fields if f not in ("start", "end")))


async def interval_report(
    db: Database, viewer: Principal, *, team_id: int, start: datetime, end: datetime, step: Step
) -> IntervalReport:
    """Per interval of ``step`` in [start, end), the team's figures (all of them zero or
    null for intervals nobody worked in)."""
    check_range(start, end, step)
    now = utcnow()
    seconds = step.seconds
    async with db.read_session() as session:
        (team,) = await kpi.visible_teams(session, viewer, team_id)
        assert team.id is not None
        counts = await kpi.counts(session, team, start, end, now=now, step=seconds)
        seats = await occupancy.seats(session, team.id, start, end, seconds, now)
    rows = []
    for index in range(len(seats.staffed)):
        begins = start + timedelta(seconds=index * seconds)
        figures = kpi.figures(counts.get(index, kpi.Counts()))
        rows.append(
            IntervalFigures(
                **figures.model_dump(),
                start=begins,
                end=begins + timedelta(seconds=seconds),
                staffed_seconds=round(seats.staffed[index], 1),
                capacity_seconds=round(seats.capacity[index], 1),
                busy_seconds=round(seats.busy[index], 1),
                occupancy=kpi.occupancy(seats.busy[index], seats.capacity[index]),
            )
        )
    return IntervalReport(
        team_id=team.id,
        start=start,
        end=end,
        step=step,
        step_seconds=seconds,
        service_level_seconds=team.service_level_seconds,
        service_level_percent=team.service_level_percent,
        intervals=rows,
    )


def check_range(start: datetime, end: datetime, step: Step) -> None:
    """Refuse (422, with the reason) a range the report will not compute."""
    if start >= end:
        raise InvalidRequest("from must be before to", field="from")
    for name, moment in (("from", start), ("to", end)):
        if moment.timestamp() % step.seconds:
            raise InvalidRequest(
                f"{name} must be aligned to the step: a multiple of {step.value} in UTC "
                "(e.g. 2026-01-31T09:00:00Z)",
                field=name,
            )
    if end - start > MAX_SPAN:
        raise InvalidRequest("the range may span at most 31 days", field="to")


def as_csv(report: IntervalReport) -> str:
    """One header row, then one row per interval; times ISO 8601, nulls empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.intervals:
        data = row.model_dump(mode="json")
        writer.writerow(["" if data[c] is None else data[c] for c in COLUMNS])
    return out.getvalue()


def csv_filename(report: IntervalReport) -> str:
    day = report.start.strftime("%Y%m%dT%H%MZ")
    return f"intervals-team{report.team_id}-{day}-{report.step.value}.csv"
