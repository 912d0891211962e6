"""The supervisors' satisfaction figures: surveys sent, answered, scores, per team."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import NotFound
from router.models import CsatSurvey, Team
from router.models.csat import CsatFigures, CsatReport
from router.security.principal import Principal
from router.store import Database
from router.supervision.report_period import report_period
from router.tickets.survey_text import SCALE

#: (team, score or None when unanswered) -> surveys
Counts = dict[tuple[int | None, int | None], int]


async def csat_report(
    db: Database,
    viewer: Principal,
    *,
    team_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> CsatReport:
    """Surveys sent in [since, until) (default: the last 30 days): of one team, or of every
    team the viewer supervises (admins: all, advisors without a team included)."""
    since, until = report_period(since, until)
    async with db.read_session() as session:
        teams = await _teams(session, viewer, team_id)
        counts = await survey_counts(session, teams, since, until)
    per_team: dict[int | None, Counts] = defaultdict(dict)
    for (team, score), count in counts.items():
        per_team[team][(team, score)] = count
    ordered = sorted(per_team, key=lambda t: (t is None, t or 0))
    total = figures(counts)
    return CsatReport(
        **total.model_dump(exclude={"team_id"}),
        team_id=team_id,
        since=since,
        until=until,
        teams=[figures(per_team[t]).model_copy(update={"team_id": t}) for t in ordered],
    )


def figures(counts: Counts) -> CsatFigures:
    """Sent, answered, mean, distribution and response rate of some survey counts."""
    distribution = dict.fromkeys(SCALE, 0)
    sent = answered = points = 0
    for (_team, score), count in counts.items():
        sent += count
        if score is not None:
            distribution[score] = distribution.get(score, 0) + count
            answered += count
            points += score * count
    return CsatFigures(
        sent=sent,
        answered=answered,
        average=round(points / answered, 3) if answered else None,
        distribution=distribution,
        response_rate=round(answered / sent, 3) if sent else None,
    )


async def _teams(session: AsyncSession, viewer: Principal, team_id: int | None) -> list[int] | None:
    """The teams reported on (None: every survey); a team not the viewer's is not found."""
    if team_id is not None:
        visible = viewer.sees_everything or team_id in viewer.team_ids
        if not visible or await session.get(Team, team_id) is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        return [team_id]
    return None if viewer.sees_everything else sorted(viewer.team_ids)


async def survey_counts(
    session: AsyncSession, teams: list[int] | None, since: datetime, until: datetime
) -> Counts:
    """Surveys sent in [since, until) per (team, score) of ``teams`` (None: all)."""
    team, score = col(CsatSurvey.team_id), col(CsatSurvey.score)
    query = (
        select(team, score, func.count())
        .where(col(CsatSurvey.sent_at) >= since, col(CsatSurvey.sent_at) < until)
        .group_by(team, score)
    )
    if teams is not None:
        query = query.where(team.in_(teams))
    return {(t, s): int(n) for t, s, n in await session.execute(query)}
