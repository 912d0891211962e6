"""The deployment's state as Prometheus gauges, read from the database when scraped.

Queue depth and oldest wait per team, advisors by status per team, and the inbound
backlog (stored, not yet routed; stored, not yet published): read from the database, not
from process memory, so every process would report the same figures, and only the API
serves them. A snapshot is kept a few seconds, so frequent scrapes cost a few grouped
queries at most every ``max_age`` seconds.

``prometheus_client`` collects in its HTTP server's thread; the queries run on the
process's event loop (the database's connections belong to it).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Advisor, Conversation, Message, Team
from router.models.conversations import MessageStatus
from router.store import Database
from router.store.types import utcnow
from router.tickets.abandonment import IN_QUEUE

log = logging.getLogger(__name__)

NO_TEAM = "none"  # conversations in no team's queue, advisors in no team


@dataclass
class Snapshot:
    waiting: dict[str, int] = field(default_factory=dict)  # team -> conversations
    oldest_wait: dict[str, float] = field(default_factory=dict)  # team -> seconds
    advisors: dict[tuple[str, str], int] = field(default_factory=dict)  # (team, status)
    unrouted: int = 0  # inbound messages stored, not yet through the pipeline
    unpublished: int = 0  # of those, not yet confirmed by the broker (the outbox)
    oldest_unpublished: float = 0.0  # seconds

    def families(self) -> Iterable[Metric]:
        depth = GaugeMetricFamily(
            "aiguillage_queue_depth",
            "Conversations waiting (or offered, not yet accepted) in each team's queue",
            labels=["team"],
        )
        oldest = GaugeMetricFamily(
            "aiguillage_queue_oldest_wait_seconds",
            "How long the longest-waiting conversation of each team's queue has waited",
            labels=["team"],
        )
        for team, count in sorted(self.waiting.items()):
            depth.add_metric([team], count)
            oldest.add_metric([team], self.oldest_wait.get(team, 0.0))
        advisors = GaugeMetricFamily(
            "aiguillage_advisors", "Advisors by team and status", labels=["team", "status"]
        )
        for (team, status), count in sorted(self.advisors.items()):
            advisors.add_metric([team, status], count)
        yield from (depth, oldest, advisors)
        yield GaugeMetricFamily(
            "aiguillage_inbound_backlog",
            "Inbound messages stored but not yet through the pipeline",
            value=self.unrouted,
        )
        yield GaugeMetricFamily(
            "aiguillage_outbox_backlog",
            "Inbound messages stored but not yet confirmed published to the broker",
            value=self.unpublished,
        )
        yield GaugeMetricFamily(
            "aiguillage_outbox_oldest_age_seconds",
            "Age of the oldest inbound message not yet confirmed published",
            value=self.oldest_unpublished,
        )


async def read_snapshot(db: Database) -> Snapshot:
    """A few grouped queries (no row per conversation or advisor is loaded)."""
    now = utcnow()
    snapshot = Snapshot()
    async with db.read_session() as session:
        names: dict[int | None, str] = dict(
            (await session.execute(select(Team.id, Team.name))).all()
        )
        waiting = await session.execute(
            select(
                col(Conversation.queue_team_id),
                func.count(),
                func.min(col(Conversation.waiting_since)),
            )
            .where(col(Conversation.status).in_(sorted(IN_QUEUE)))  # as the live report
            .group_by(col(Conversation.queue_team_id))
        )
        for team_id, count, since in waiting:
            team = names.get(team_id, NO_TEAM) if team_id is not None else NO_TEAM
            snapshot.waiting[team] = snapshot.waiting.get(team, 0) + count
            snapshot.oldest_wait[team] = max(snapshot.oldest_wait.get(team, 0.0), _age(now, since))
        advisors = await session.execute(
            select(col(Advisor.team_id), col(Advisor.status), func.count()).group_by(
                col(Advisor.team_id), col(Advisor.status)
            )
        )
        for team_id, status, count in advisors:
            key = (names.get(team_id, NO_TEAM) if team_id else NO_TEAM, str(status))
            snapshot.advisors[key] = snapshot.advisors.get(key, 0) + count
        await _backlog(session, snapshot, now)
    return snapshot


async def _backlog(session: AsyncSession, snapshot: Snapshot, now: datetime) -> None:
    received = col(Message.status) == MessageStatus.received
    snapshot.unrouted = (await session.scalar(select(func.count()).where(received))) or 0
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(col(Message.received_at))).where(
                received, col(Message.published_at).is_(None)
            )
        )
    ).one()
    snapshot.unpublished = count or 0
    snapshot.oldest_unpublished = _age(now, oldest)


def _age(now: datetime, since: datetime | None) -> float:
    return 0.0 if since is None else max(0.0, (now - since).total_seconds())


class DatabaseGauges(Collector):
    """A Collector over ``read_snapshot``, refreshed at most every ``max_age`` seconds; a
    failed refresh serves the previous snapshot (and logs why)."""

    def __init__(
        self,
        db: Database,
        loop: asyncio.AbstractEventLoop,
        *,
        max_age: float = 5.0,
        timeout: float = 5.0,
    ) -> None:
        self.db = db
        self.loop = loop
        self.max_age = max_age
        self.timeout = timeout
        self._snapshot: Snapshot | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()  # concurrent scrapes share one refresh

    def collect(self) -> Iterable[Metric]:
        snapshot = self._fresh()
        return [] if snapshot is None else list(snapshot.families())

    def _fresh(self) -> Snapshot | None:
        with self._lock:
            if self._snapshot is None or time.monotonic() - self._read_at > self.max_age:
                future = asyncio.run_coroutine_threadsafe(read_snapshot(self.db), self.loop)
                try:
                    self._snapshot = future.result(self.timeout)
                    self._read_at = time.monotonic()
                except Exception as error:
                    future.cancel()
                    log.warning("metrics: could not read the queue gauges (%s)", error)
            return self._snapshot
