"""The routing tunables (waiting order, offers, care): one database row, read on every
routing decision through a cache keyed by the row's ``updated_at``; never commits but in the
admin use case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import null, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from router.models import Conversation, RoutingConfig
from router.models.conversations import ConversationStatus
from router.models.routing import RoutingConfigPublic, RoutingConfigWrite
from router.routing import teams
from router.store import Database
from router.store.memo import once_per_transaction
from router.store.types import UTCDateTime, utcnow
from router.tickets import events
from skills import AngerTrend, CarePolicy, QueuePolicy, ReplyWindow

CONFIG_ID = 1


@dataclass(frozen=True)
class RoutingPolicy:
    """The tunables, as the pure domain's objects."""

    queue: QueuePolicy
    care: CarePolicy
    anger: AngerTrend
    exclusion: timedelta
    day_zone: ZoneInfo
    intense_wait_alert: timedelta = timedelta(seconds=180)
    first_message_alert_threshold: float = 0.85
    offline_grace: timedelta = timedelta(seconds=120)

    def day_start(self, now: datetime) -> datetime:
        """Midnight of ``now``'s day in the configured zone (for "taken today")."""
        local = now.astimezone(self.day_zone)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)


def policy_of(row: RoutingConfig | RoutingConfigWrite) -> RoutingPolicy:
    windows = {
        str(channel): ReplyWindow(**dict(window)) for channel, window in _windows(row).items()
    }
    emotions = frozenset(row.intense_emotions)
    return RoutingPolicy(
        queue=QueuePolicy(
            ageing_per_minute=row.ageing_points_per_minute,
            windows=windows,
            intense_boost=row.intense_boost_points,
        ),
        care=CarePolicy(
            intense_emotions=emotions,
            intense_threshold=row.intense_threshold,
            cooldown_seconds=row.cooldown_seconds,
            max_intense=row.max_intense,
        ),
        anger=AngerTrend(
            messages=row.anger_messages, threshold=row.anger_threshold, emotions=emotions
        ),
        exclusion=timedelta(seconds=row.exclusion_seconds),
        day_zone=ZoneInfo(row.day_timezone),
        intense_wait_alert=timedelta(seconds=row.intense_wait_alert_seconds),
        first_message_alert_threshold=row.first_message_alert_threshold,
        offline_grace=timedelta(seconds=row.offline_grace_seconds),
    )


def _windows(row: RoutingConfig | RoutingConfigWrite) -> dict[str, dict[str, int]]:
    if isinstance(row, RoutingConfigWrite):
        return {str(k): v.model_dump() for k, v in row.reply_windows.items()}
    return dict(row.reply_windows)


DEFAULT_POLICY = policy_of(RoutingConfigWrite())
# What a waiting conversation's queue class is computed from (router.routing.queue.refile).
_CLASS_INPUTS = ("intense_boost_points", "reply_windows")
_cache: dict[str, tuple[datetime, RoutingPolicy]] = {}
_SESSION_KEY = "aiguillage.routing_policy"


async def current(session: AsyncSession) -> RoutingPolicy:
    """The policy now in force (the defaults if the row is missing); read once per
    transaction (care and routing both ask within one batch)."""
    return await once_per_transaction(session, _SESSION_KEY, _read_current)


@lru_cache(maxsize=1)
def _stamp_and_teams() -> Any:
    """The config row's ``updated_at`` (its cache key) and every team's service columns,
    in one round trip: a UNION ALL whose first row, if any, is the stamp. Built once."""
    stamp = select(
        col(RoutingConfig.updated_at), *(null().cast(c.type) for c in _team_columns())
    ).where(col(RoutingConfig.id) == CONFIG_ID)
    team_rows = select(null().cast(UTCDateTime), *_team_columns())
    return union_all(stamp, team_rows)


def _team_columns() -> list[Any]:
    return [col(c) for c in teams.COLUMNS]


async def _read_current(session: AsyncSession) -> RoutingPolicy:
    with session.no_autoflush:  # the row does not depend on the caller's pending changes
        rows = (await session.execute(_stamp_and_teams())).all()
    teams.read_along(session, teams.from_rows(row[1:] for row in rows if row[0] is None))
    stamp = next((row[0] for row in rows if row[0] is not None), None)
    if stamp is None:
        return DEFAULT_POLICY
    key = str(session.get_bind().engine.url)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with session.no_autoflush:
        row = await session.get(RoutingConfig, CONFIG_ID)
    if row is None:  # removed meanwhile
        return DEFAULT_POLICY
    policy = policy_of(row)
    _cache[key] = (row.updated_at, policy)
    return policy


def _public(row: RoutingConfig) -> RoutingConfigPublic:
    return RoutingConfigPublic.model_validate(row, from_attributes=True)


async def get_config(db: Database) -> RoutingConfigPublic:
    async with db.read_session() as session:
        row = await session.get(RoutingConfig, CONFIG_ID)
        return _public(row) if row is not None else _default_public()


def _default_public() -> RoutingConfigPublic:
    return RoutingConfigPublic(**RoutingConfigWrite().model_dump(), updated_at=utcnow())


async def put_config(db: Database, data: RoutingConfigWrite) -> RoutingConfigPublic:
    """Replace the tunables; they apply to the next routing decision of every process."""
    values = data.model_dump(mode="json")
    async with db.session() as session:
        row = await session.get(RoutingConfig, CONFIG_ID, with_for_update=True)
        if row is None:
            row = RoutingConfig(id=CONFIG_ID)
            session.add(row)
        refile = any(getattr(row, key) != values[key] for key in _CLASS_INPUTS)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        events.record(session, "routing.config_changed", **values)
        if refile:  # queue classes store the boost and urgency: file them again, in rounds
            await session.execute(
                update(Conversation)
                .where(col(Conversation.status) == ConversationStatus.waiting)
                .values(urgency_due_at=row.updated_at)
            )
        await session.commit()
        return _public(row)
