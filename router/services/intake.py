"""Accepting an inbound message: store it exactly once, then hand it to the pipeline.

The row is committed before the 2xx answer, so an accepted message is never lost. The
broker publish follows the commit, off the request's path; the message table is the outbox
(router.services.outbox): what the broker did not confirm, the sweeper publishes later.

Concurrent requests share a transaction (group commit): the :class:`IntakeWriter` gathers
whatever submissions are waiting into one multi-row ``INSERT ... ON CONFLICT DO NOTHING``
and one commit, then answers each request. Idle, a batch is a single message: no added
latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, tuple_
from sqlmodel import col, select

from router.broker import Broker
from router.models import Message
from router.models.conversations import MessageAccepted, MessageCreate
from router.services.outbox import publish_and_mark
from router.store import Database, insert_ignoring_duplicates, is_transient_error
from router.store.types import utcnow

log = logging.getLogger(__name__)

MESSAGE_TABLE: Table = Message.__table__  # type: ignore[attr-defined]
Key = tuple[str, str]  # (channel, external id): the idempotency key


def _row(payload: MessageCreate) -> dict[str, Any]:
    return {
        "channel": payload.channel.value,
        "external_id": payload.external_id,
        "direction": "inbound",
        "sender_address": payload.sender.id,
        "sender_name": payload.sender.name,
        "sender_email": payload.sender.email,
        "sender_phone": payload.sender.phone,
        "subject": payload.subject,
        "text": payload.text,
        "sent_at": payload.sent_at,
        "received_at": utcnow(),
        "metadata": payload.metadata,
        "status": "received",
    }


@dataclass
class _Submission:
    row: dict[str, Any]
    done: asyncio.Future[MessageAccepted]

    @property
    def key(self) -> Key:
        return (self.row["channel"], self.row["external_id"])


class IntakeWriter:
    """Group commit for intake; one per process, started and stopped with the runtime."""

    max_batch = 500

    def __init__(self, db: Database, broker: Broker) -> None:
        self.db = db
        self.broker = broker
        self._queue: asyncio.Queue[_Submission] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._publishing: set[asyncio.Task[int]] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Stop taking submissions; let publishes under way finish (the sweeper covers the
        rest)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._publishing:
            await asyncio.wait(self._publishing, timeout=10)

    async def store(self, payload: MessageCreate) -> MessageAccepted:
        """Committed (or found already stored) when this returns."""
        if self._task is None or self._task.done():
            raise RuntimeError("IntakeWriter is not running")
        submission = _Submission(_row(payload), asyncio.get_running_loop().create_future())
        await self._queue.put(submission)
        return await submission.done

    async def _loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            except Exception as error:
                if len(batch) == 1 or is_transient_error(error):
                    # Infrastructure, not the rows: every request gets its 503 at once.
                    for submission in batch:
                        _settle(submission, error)
                    continue
                for submission in batch:  # one bad row must not fail its neighbours
                    try:
                        await self._write([submission])
                    except Exception as single_error:
                        _settle(submission, single_error)

    async def _write(self, batch: list[_Submission]) -> None:
        rows: dict[Key, dict[str, Any]] = {}
        # Key order: two API processes inserting the same keys never wait on each other in
        # a cycle.
        for submission in sorted(batch, key=lambda s: s.key):
            rows.setdefault(submission.key, submission.row)
        statement = insert_ignoring_duplicates(self.db.dialect, MESSAGE_TABLE).returning(
            MESSAGE_TABLE.c.id, MESSAGE_TABLE.c.channel, MESSAGE_TABLE.c.external_id
        )
        async with self.db.session() as session:
            inserted = {
                (channel, external_id): message_id
                for message_id, channel, external_id in await session.execute(
                    statement, list(rows.values())
                )
            }
            existing = await _existing_ids(session, [k for k in rows if k not in inserted])
            await session.commit()
        if inserted:
            task = asyncio.create_task(
                publish_and_mark(self.db, self.broker, sorted(inserted.values()))
            )
            self._publishing.add(task)
            task.add_done_callback(self._publishing.discard)
        first = set(inserted)
        for submission in batch:
            new = submission.key in first
            first.discard(submission.key)  # a repeat within the batch is a duplicate
            message_id = inserted.get(submission.key) or existing[submission.key]
            _settle(submission, MessageAccepted(id=message_id, duplicate=not new))


async def _existing_ids(session: Any, keys: list[Key]) -> dict[Key, int]:
    if not keys:
        return {}
    rows = await session.execute(
        select(Message.channel, Message.external_id, Message.id).where(
            tuple_(col(Message.channel), col(Message.external_id)).in_(keys)
        )
    )
    return {(channel, external_id): message_id for channel, external_id, message_id in rows}


def _settle(submission: _Submission, outcome: MessageAccepted | BaseException) -> None:
    if submission.done.done():  # the request went away (client disconnect, shutdown)
        return
    if isinstance(outcome, BaseException):
        submission.done.set_exception(outcome)
    else:
        submission.done.set_result(outcome)


async def accept_message(writer: IntakeWriter, payload: MessageCreate) -> MessageAccepted:
    """Store ``payload`` (idempotent on channel + external id); the writer publishes it."""
    return await writer.store(payload)
