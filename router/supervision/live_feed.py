"""The staff live channel's source: committed timeline events, read by id, fanned out.

One task per API process reads the ``event`` table after its cursor every
``live_poll_seconds`` (only while someone is connected) and hands each event to the
connected staff it concerns (router.supervision.live_audience). Reading the committed
table makes it work across processes: events written by workers elsewhere (PostgreSQL +
RabbitMQ) reach the sockets of any API process, with no broker fan-out to run.

PostgreSQL may commit ids out of order (a transaction that took id 10 commits after the
one that took 11): ids skipped by a read are remembered as gaps and looked for again for
``GAP_SECONDS``, so a late commit is still delivered, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from router.models import Advisor, Conversation, Event
from router.models.conversations import ConversationStatus
from router.security.principal import Principal
from router.store import Database
from router.supervision.live_audience import ConversationFacts, LiveEvent, Sight, sight
from router.supervision.live_presence import Presence

log = logging.getLogger(__name__)
BATCH = 500
GAP_SECONDS = 10.0
MAX_GAPS = 1000
QUEUE_SIZE = 1000  # frames waiting for one slow socket; beyond, it is closed (it reloads)


@dataclass(eq=False)
class Subscriber:
    """One connected staff socket: who it is and the frames waiting to be written."""

    principal: Principal
    name: str
    frames: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    overflowed: bool = False

    @property
    def viewer_id(self) -> int:
        return self.principal.id

    def put(self, frame: dict[str, Any]) -> None:
        try:
            self.frames.put_nowait(frame)
        except asyncio.QueueFull:
            self.overflowed = True


class LiveHub:
    def __init__(self, db: Database, poll_seconds: float) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.subscribers: set[Subscriber] = set()
        self._cursor: int | None = None  # None: start from the newest event
        self._gaps: dict[int, float] = {}  # id not seen yet -> loop time it was missed
        self._task: asyncio.Task[None] | None = None
        self.presence = Presence()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.contextmanager
    def subscribe(self, principal: Principal, name: str) -> Iterator[Subscriber]:
        subscriber = Subscriber(principal, name)
        self.subscribers.add(subscriber)
        try:
            yield subscriber
        finally:
            self.subscribers.discard(subscriber)
            self.tell_presence(self.presence.leave(subscriber))

    def tell_presence(self, conversation_ids: set[int]) -> None:
        """Send who views each of these conversations to everyone viewing it."""
        for conversation_id in conversation_ids:
            frame = self.presence.frame(conversation_id)
            for viewer in self.presence.viewers(conversation_id):
                viewer.put(frame)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            if not self.subscribers:
                self._cursor = None  # nobody listened meanwhile: nothing to catch up on
                self._gaps.clear()
                continue
            try:
                await self.poll_once()
            except Exception as error:  # the database is away: try again next period
                log.warning("live channel read skipped: %s: %s", type(error).__name__, error)

    async def poll_once(self) -> None:
        """Read what was committed since the last read and hand it out."""
        async with self.db.read_session() as session:
            if self._cursor is None:
                newest = (await session.execute(select(func.max(Event.id)))).scalar()
                self._cursor = int(newest or 0)
                return
            rows = await self._new_rows(session)
            if not rows:
                return
            events = await self._with_facts(session, rows)
        for event in events:
            for subscriber in list(self.subscribers):
                seen = sight(subscriber.principal, event)
                if seen is not Sight.none:
                    subscriber.put(event.frame(seen))

    async def _new_rows(self, session: Any) -> list[Event]:
        assert self._cursor is not None
        now = asyncio.get_running_loop().time()
        self._gaps = {i: at for i, at in self._gaps.items() if now - at < GAP_SECONDS}
        wanted = col(Event.id) > self._cursor
        if self._gaps:
            wanted = or_(wanted, col(Event.id).in_(sorted(self._gaps)))
        query = select(Event).where(wanted).order_by(col(Event.id)).limit(BATCH)
        rows = list((await session.execute(query)).scalars())
        for row in rows:
            assert row.id is not None
            self._gaps.pop(row.id, None)
            if row.id > self._cursor:
                for missing in range(self._cursor + 1, min(row.id, self._cursor + MAX_GAPS)):
                    self._gaps[missing] = now
                self._cursor = row.id
        return rows

    async def _with_facts(self, session: Any, rows: list[Event]) -> list[LiveEvent]:
        """Each event with its conversation's holder and queue, and the advisors' teams
        (two queries per batch)."""
        conversation_ids = {r.conversation_id for r in rows if r.conversation_id is not None}
        facts: dict[int, tuple[ConversationFacts, int | None]] = {}
        if conversation_ids:
            found = await session.execute(
                select(
                    Conversation.id,
                    Conversation.assignee_id,
                    Conversation.queue_team_id,
                    Conversation.status,
                ).where(col(Conversation.id).in_(sorted(conversation_ids)))
            )
            for cid, assignee, queue_team, status in found:
                waiting = status == ConversationStatus.waiting
                facts[cid] = (ConversationFacts(assignee, queue_team, waiting), assignee)
        advisor_ids = {r.advisor_id for r in rows if r.advisor_id is not None}
        advisor_ids |= {a for _, a in facts.values() if a is not None}
        teams: dict[int, int | None] = {}
        if advisor_ids:
            found = await session.execute(
                select(Advisor.id, Advisor.team_id).where(col(Advisor.id).in_(sorted(advisor_ids)))
            )
            teams = dict(found.all())
        return [self._event(row, facts, teams) for row in rows]

    @staticmethod
    def _event(
        row: Event,
        facts: dict[int, tuple[ConversationFacts, int | None]],
        teams: dict[int, int | None],
    ) -> LiveEvent:
        known = facts.get(row.conversation_id) if row.conversation_id is not None else None
        assignee = known[1] if known else None
        return LiveEvent(
            id=row.id or 0,
            type=row.type,
            created_at=row.created_at.isoformat(),
            conversation_id=row.conversation_id,
            advisor_id=row.advisor_id,
            customer_id=row.customer_id,
            message_id=row.message_id,
            data=row.data or {},
            conversation=known[0] if known else None,
            advisor_team_id=teams.get(row.advisor_id) if row.advisor_id is not None else None,
            assignee_team_id=teams.get(assignee) if assignee is not None else None,
        )
