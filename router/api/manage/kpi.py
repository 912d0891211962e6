"""The supervisors' team KPIs: live, and by interval (JSON or CSV)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from router.api.deps import DB
from router.api.guard import Supervisor
from router.models.kpi import IntervalReport, LiveReport, Step
from router.models.validation import MAX_ID, IsoDateTime, OptionalIdQuery
from router.supervision import interval_report, live_report

router = APIRouter(prefix="/v1", tags=["reports"])
_CSV = "text/csv"


@router.get(
    "/reports/live",
    response_model=LiveReport,
    summary="Team KPIs now: queues, advisors, occupancy, and today's service level, ASA, "
    "abandonment, handling time, transfers and satisfaction",
    description="One team, or every team the caller supervises (admins: all); another "
    "team: 404. Read from the database (the same on every API process). 'Today' starts at "
    "midnight in the routing config's day_timezone. Definitions: README, 'Team KPIs'.",
)
async def live(db: DB, viewer: Supervisor, team_id: OptionalIdQuery = None) -> LiveReport:
    return await live_report.live_report(db, viewer, team_id=team_id)


@router.get(
    "/reports/intervals",
    response_model=IntervalReport,
    responses={200: {"content": {_CSV: {}}, "description": "JSON, or CSV when asked for"}},
    summary="A team's offered, answered, abandoned, service level, ASA, AHT and occupancy "
    "per interval (JSON or CSV)",
    description="[from, to) aligned to the step (in UTC), at most 31 days; otherwise 422 "
    "with the reason. CSV (a header row, one row per interval) with `Accept: text/csv` or "
    "`format=csv`. Definitions: README, 'Team KPIs'.",
)
async def intervals(
    request: Request,
    db: DB,
    viewer: Supervisor,
    team_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    start: Annotated[IsoDateTime, Query(alias="from", description="first interval's start")],
    end: Annotated[IsoDateTime, Query(alias="to", description="last interval's end")],
    step: Step = Step.m15,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response | IntervalReport:
    report = await interval_report.interval_report(
        db, viewer, team_id=team_id, start=start, end=end, step=step
    )
    if format == "csv" or (format is None and _CSV in request.headers.get("accept", "")):
        name = interval_report.csv_filename(report)
        return Response(
            interval_report.as_csv(report),
            media_type=_CSV,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return report
