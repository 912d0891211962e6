"""What supervisors watch: alerts (rising anger, a first message already very angry, an
intense conversation waiting too long) and how intense work was spread."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from router.api.deps import DB, AfterId, Limit
from router.api.guard import Supervisor
from router.models.alerts import AlertPublic
from router.models.validation import OptionalIdQuery
from router.supervision import alerts
from router.supervision import spread as reports
from router.supervision.spread import IntenseSpread

router = APIRouter(prefix="/v1", tags=["supervision"])


@router.get(
    "/alerts",
    response_model=list[AlertPublic],
    summary="Alerts for supervisors (their teams'; admins see all), oldest first",
    description="Poll with `after_id` set to the last id seen.",
)
async def list_alerts(
    db: DB, viewer: Supervisor, after_id: AfterId = 0, limit: Limit = 100
) -> list[AlertPublic]:
    rows = await alerts.list_alerts(db, viewer, after_id=after_id, limit=limit)
    return [AlertPublic.model_validate(row, from_attributes=True) for row in rows]


@router.get(
    "/reports/intense-spread",
    response_model=IntenseSpread,
    summary="Intense conversations taken per advisor on a day (default today)",
)
async def intense_spread(
    db: DB, viewer: Supervisor, team_id: OptionalIdQuery = None, day: date | None = None
) -> IntenseSpread:
    return await reports.intense_spread(db, viewer, team_id=team_id, day=day)
