"""The supervisors' SLA figures: per target, how many tickets met it or breached it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import NotFound
from router.models import Conversation, Team
from router.models.conversations import SlaState
from router.models.sla import SlaReport, SlaTargetFigures
from router.security.principal import Principal
from router.security.visibility import conversation_clause
from router.store import Database
from router.supervision.report_period import report_period
from router.tickets.listing import team_clause


async def sla_report(
    db: Database,
    viewer: Principal,
    *,
    team_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> SlaReport:
    """Tickets opened in [since, until) (default: the last 30 days) of one team (queue or
    advisors) or of every team the viewer supervises (admins: all)."""
    since, until = report_period(since, until)
    async with db.read_session() as session:
        scope = await _scope(session, viewer, team_id)
        opened = [col(Conversation.created_at) >= since, col(Conversation.created_at) < until]
        if scope is not None:
            opened.append(scope)
        return SlaReport(
            team_id=team_id,
            since=since,
            until=until,
            first_response=await _figures(session, Conversation.first_response_sla, opened),
            resolution=await _figures(session, Conversation.resolution_sla, opened),
        )


async def _scope(
    session: AsyncSession, viewer: Principal, team_id: int | None
) -> ColumnElement[bool] | None:
    if team_id is None:
        return conversation_clause(viewer)
    visible = viewer.sees_everything or team_id in viewer.team_ids
    if not visible or await session.get(Team, team_id) is None:
        raise NotFound(f"team {team_id} does not exist", field="team_id")
    return team_clause(team_id)


async def _figures(
    session: AsyncSession, state_column: Any, where: list[ColumnElement[bool]]
) -> SlaTargetFigures:
    column = col(state_column)
    rows = await session.execute(
        select(column, func.count()).where(*where, column.is_not(None)).group_by(column)
    )
    counts = {str(value): int(count) for value, count in rows}
    met, breached = counts.get(SlaState.met, 0), counts.get(SlaState.breached, 0)
    return SlaTargetFigures(
        met=met,
        breached=breached,
        running=counts.get(SlaState.ok, 0) + counts.get(SlaState.warning, 0),
        share_met=met / (met + breached) if met + breached else None,
    )
