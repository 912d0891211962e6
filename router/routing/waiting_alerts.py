"""Intense conversations waiting too long: their queue's supervisors are alerted, once per
wait. An angry customer left waiting is the case care exists for; the queue boost
(``skills.queue``) serves them sooner, this tells a person when even that was not enough.

Run by every worker's waiting-room round (router.routing.escalation), after the round has
routed what it could. A conversation is due once it waits, reads as intense, has waited
``RoutingPolicy.intense_wait_alert`` and was not alerted during this wait
(``wait_alerted_at``). The partial index ``ix_conversation_intense_waiting`` holds exactly
the intense waiting ones not alerted yet, ordered by ``waiting_since``, so the check is one
range read however long the queue. Due conversations are claimed a bounded batch at a time
with SKIP LOCKED: several schedulers share them and none is alerted twice.

``wait_alerted_at`` belongs to one wait: it is cleared where a wait ends or a new one starts
(an assignment, a requeue, a transfer to a team), so a later long wait alerts again. An
offer declined or let expire resumes the same wait (its place in the queue is kept), so it
does not alert again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from router.models import Conversation
from router.routing import config as routing_config
from router.routing.config import RoutingPolicy
from router.store import Database
from router.store.hints import indexed_by
from router.store.types import utcnow
from router.supervision.raising import raise_alert

ALERT_INTENSE_WAITING = "alert.intense_waiting"
BATCH = 100  # alerts per round at most; the rest are due at the next round

# The index's own predicate, written as it is: literals, no bound parameters, so that
# SQLite (which matches terms as written) and PostgreSQL's generic plans both use it.
_INTENSE_WAITING = text(
    "conversation.status = 'waiting' AND conversation.intense "
    "AND conversation.wait_alerted_at IS NULL"
)
_TABLE: Table = Conversation.__table__  # type: ignore[attr-defined]
_BY_INDEX = aliased(Conversation, indexed_by(_TABLE, "ix_conversation_intense_waiting"))


async def alert_long_waits(db: Database) -> int:
    """Alert about the intense conversations that have waited too long; returns how many."""
    async with db.session() as session:
        policy = await routing_config.current(session)
        now = utcnow()
        due = (await session.scalars(_due(now - policy.intense_wait_alert))).all()
        for conversation in due:
            await _alert(session, conversation, policy, now)
        await session.commit()
    return len(due)


def _due(waiting_since_before: datetime) -> SelectOfScalar[Conversation]:
    """The oldest batch of intense conversations waiting since before the given time and
    not alerted during this wait, locked (others' locked rows skipped)."""
    since = col(_BY_INDEX.waiting_since)
    return (
        select(_BY_INDEX)
        .where(_INTENSE_WAITING, since <= waiting_since_before)
        .order_by(since)
        .limit(BATCH)
        .with_for_update(skip_locked=True, key_share=True)
    )


async def _alert(
    session: AsyncSession, conversation: Conversation, policy: RoutingPolicy, now: datetime
) -> None:
    assert conversation.waiting_since is not None  # the query's range says so
    waited = round((now - conversation.waiting_since).total_seconds())
    threshold = round(policy.intense_wait_alert.total_seconds())
    intensity = round(conversation.emotion_intensity or 0.0, 3)
    reason = (
        f"intense conversation ({conversation.emotion} at {intensity:.2f}) waiting for "
        f"{waited} s (alert after {threshold} s)"
    )
    data = {
        "waited_seconds": waited,
        "alert_after_seconds": threshold,
        "emotion": conversation.emotion,
        "intensity": intensity,
        "queue_team_id": conversation.queue_team_id,
    }
    conversation.wait_alerted_at = now
    await raise_alert(session, conversation, ALERT_INTENSE_WAITING, reason, data, now)
