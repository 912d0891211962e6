"""Occupancy by interval, rebuilt from what the database records.

Advisors' status is a column; its history is the ``advisor.status_changed`` events (written
by PATCH /v1/advisors and by the automatic *away* after missed offers, with the previous and
the new status). An advisor's status at a moment is the ``current`` of their last change
before it; before their first recorded change, its ``previous``; with no change at all, the
status they have now. Nobody is staffed before their row was created. Status set outside
those paths (demo data, direct database edits) is not in the history and is not seen.

Per bucket: *staffed* = seconds advisors of the team were available; *capacity* = staffed
seconds x each one's ``capacity_total`` (its value now: capacity changes are not
recorded); *busy* = seconds of accepted assignments (``accepted_at`` to ``ended_at`` or
now) that overlap the bucket while their advisor was available. Occupancy = busy / capacity
(router.supervision.kpi). The team is the advisors' team now (team moves are not recorded).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Advisor, Assignment, Event
from router.models.advisors import AdvisorStatus
from router.models.events import STATUS_CHANGED

Span = tuple[float, float]  # epoch seconds [from, to)


@dataclass
class Seats:
    """Per bucket, seconds of the team's advisors."""

    staffed: list[float]
    capacity: list[float]
    busy: list[float]


async def seats(
    session: AsyncSession, team_id: int, start: datetime, end: datetime, step: int, now: datetime
) -> Seats:
    advisors = (
        await session.execute(
            select(Advisor.id, Advisor.status, Advisor.capacity_total, Advisor.created_at).where(
                col(Advisor.team_id) == team_id
            )
        )
    ).all()
    ids = [a[0] for a in advisors]
    changes = await status_changes(session, ids, start, end)
    held = await _held(session, ids, start, end)
    t0, t1 = start.timestamp(), min(end, now).timestamp()
    count = round((end - start).total_seconds() / step)
    result = Seats([0.0] * count, [0.0] * count, [0.0] * count)
    for advisor_id, status, capacity, created_at in advisors:
        history = changes.get(advisor_id, [])
        available = available_spans(history, str(status), max(t0, created_at.timestamp()), t1)
        for a, b in available:
            _spread(result.staffed, t0, step, a, b, 1.0)
            _spread(result.capacity, t0, step, a, b, float(capacity))
        for a, b in held.get(advisor_id, []):
            for x, y in _overlaps(available, a, min(b, t1)):
                _spread(result.busy, t0, step, x, y, 1.0)
    return result


def available_spans(
    history: list[tuple[float, str, str]], now_status: str, t0: float, t1: float
) -> list[Span]:
    """The spans of [t0, t1) in which the status was available, from the changes (moment,
    previous, current) sorted by moment, including the last one before t0 if any."""
    before = [h for h in history if h[0] < t0]
    after = [h for h in history if h[0] >= t0]
    if before:
        status = before[-1][2]
    elif after:
        status = after[0][1]
    else:
        status = now_status
    spans, since = [], t0
    for moment, _previous, current in after:
        if moment >= t1:
            break
        if status == AdvisorStatus.AVAILABLE and moment > since:
            spans.append((since, moment))
        status, since = current, max(since, moment)
    if status == AdvisorStatus.AVAILABLE and t1 > since:
        spans.append((since, t1))
    return spans


def _overlaps(spans: list[Span], a: float, b: float) -> Iterable[Span]:
    """Parts of [a, b) inside the sorted, disjoint ``spans``."""
    first = max(0, bisect_right([s[1] for s in spans], a))
    for x, y in spans[first:]:
        if x >= b:
            break
        if min(y, b) > max(x, a):
            yield max(x, a), min(y, b)


def _spread(totals: list[float], t0: float, step: int, a: float, b: float, weight: float) -> None:
    """Add ``weight`` x the seconds of [a, b) to the buckets it overlaps."""
    index = max(0, int((a - t0) // step))
    while index < len(totals):
        low, high = t0 + index * step, t0 + (index + 1) * step
        if low >= b:
            break
        totals[index] += weight * max(0.0, min(b, high) - max(a, low))
        index += 1


async def _held(
    session: AsyncSession, ids: list[int], start: datetime, end: datetime
) -> dict[int, list[Span]]:
    """Accepted assignments of ``ids`` overlapping [start, end): (accepted, ended or +inf)."""
    rows = await session.execute(
        select(Assignment.advisor_id, Assignment.accepted_at, Assignment.ended_at).where(
            col(Assignment.advisor_id).in_(ids),
            col(Assignment.accepted_at).is_not(None),
            col(Assignment.accepted_at) < end,
            or_(col(Assignment.ended_at).is_(None), col(Assignment.ended_at) > start),
        )
    )
    held: dict[int, list[Span]] = defaultdict(list)
    for advisor_id, accepted, ended in rows:
        held[advisor_id].append(
            (accepted.timestamp(), ended.timestamp() if ended else float("inf"))
        )
    return held


async def status_changes(
    session: AsyncSession, ids: list[int], start: datetime, end: datetime
) -> dict[int, list[tuple[float, str, str]]]:
    """Per advisor, their status changes in [start, end), the last one before ``start``
    and the first one from ``end`` on (index ``ix_event_advisor_status``)."""
    mine = and_(col(Event.type) == STATUS_CHANGED, col(Event.advisor_id).in_(ids))
    edges = [
        select(Event.advisor_id, func.max(Event.created_at).label("at"))
        .where(mine, col(Event.created_at) < start)
        .group_by(col(Event.advisor_id)),
        select(Event.advisor_id, func.min(Event.created_at).label("at"))
        .where(mine, col(Event.created_at) >= end)
        .group_by(col(Event.advisor_id)),
    ]
    wanted: list[Any] = [and_(col(Event.created_at) >= start, col(Event.created_at) < end)]
    for edge in edges:
        for advisor_id, at in await session.execute(edge):
            wanted.append(and_(col(Event.advisor_id) == advisor_id, col(Event.created_at) == at))
    rows = await session.execute(
        select(Event.advisor_id, Event.created_at, Event.data)
        .where(mine, or_(*wanted))
        .order_by(col(Event.advisor_id), col(Event.created_at), col(Event.id))
    )
    changes: dict[int, list[tuple[float, str, str]]] = defaultdict(list)
    for advisor_id, at, data in rows:
        changes[advisor_id].append(
            (at.timestamp(), str(data.get("previous")), str(data.get("current")))
        )
    return changes
