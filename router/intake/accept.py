"""Accepting an inbound message: store it exactly once, then hand it to the pipeline.

The row is committed before the 2xx answer, so an accepted message is never lost. The
broker publish follows the commit, off the request's path; the message table is the outbox
(router.intake.outbox): what the broker did not confirm, the sweeper publishes later. The
confirmed publishes are recorded a moment later (``mark_every``), all those of that moment in
one transaction, rather than one more transaction per batch.

Concurrent requests share a transaction (group commit): the :class:`IntakeWriter` gathers
whatever submissions are waiting into one multi-row ``INSERT ... ON CONFLICT DO NOTHING``
and one commit, then answers each request. Idle, a batch is a single message: no added
latency. Channel messages (webhooks, SMTP, the email importer) come as a
:class:`Submission` carrying their attachments and original bytes, stored in the same
transaction as the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from router.broker import Broker
from router.errors import Forbidden, IdempotencyConflict
from router.intake import idempotency, outbox
from router.intake.record import InboundRecord, Key
from router.models import Message, MessageAttachment, MessageOriginal
from router.models.conversations import MessageAccepted, MessageCreate
from router.observability import metrics
from router.security.principal import Principal
from router.store import Database, insert_ignoring_duplicates
from router.store.batching import MicroBatcher

log = logging.getLogger(__name__)

MESSAGE_TABLE: Table = Message.__table__  # type: ignore[attr-defined]
ATTACHMENT_TABLE: Table = MessageAttachment.__table__  # type: ignore[attr-defined]
ORIGINAL_TABLE: Table = MessageOriginal.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Submission:
    """One message to store: its record, its attachment rows and its original (both without
    ``message_id``, filled in once the message row exists)."""

    record: InboundRecord
    attachments: tuple[dict[str, Any], ...] = ()
    original: dict[str, Any] | None = None


def _sub_key(submission: Submission) -> Key:
    return submission.record.key


class IntakeWriter:
    """Group commit for intake; one per process, started and stopped with the runtime."""

    max_batch = 500
    mark_every = 0.2  # seconds; well under the sweeper's grace delay

    def __init__(self, db: Database, broker: Broker) -> None:
        self.db = db
        self.broker = broker
        self._batcher: MicroBatcher[Submission, MessageAccepted] = MicroBatcher(
            self._write, max_batch=self.max_batch
        )
        self._publishing: set[asyncio.Task[None]] = set()
        self._confirmed: list[int] = []
        self._to_mark = asyncio.Event()
        self._marker: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._batcher.start()
        self._marker = asyncio.create_task(self._mark_loop())

    async def stop(self) -> None:
        """Stop taking submissions; let publishes under way finish and record them (the
        sweeper covers the rest)."""
        await self._batcher.stop()
        if self._publishing:
            await asyncio.wait(self._publishing, timeout=10)
        if self._marker is not None:
            self._marker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._marker
        await self._mark()

    async def store(self, payload: MessageCreate) -> MessageAccepted:
        """Committed (or found already stored) when this returns."""
        return await self._batcher.submit(Submission(InboundRecord.of_api(payload)))

    async def submit(self, submission: Submission) -> MessageAccepted:
        """``store`` for a channel message with its attachments and original."""
        return await self._batcher.submit(submission)

    async def _write(self, batch: list[Submission]) -> list[MessageAccepted]:
        answers, to_publish = await write_batch(self.db, batch)
        if to_publish:
            task = asyncio.create_task(self._publish(to_publish, time.monotonic()))
            self._publishing.add(task)
            task.add_done_callback(self._publishing.discard)
        return answers

    async def _publish(self, message_ids: list[int], committed: float) -> None:
        confirmed = await outbox.publish(self.broker, message_ids)
        metrics.published(
            time.monotonic() - committed, failed_messages=len(message_ids) - len(confirmed)
        )
        self._confirmed += confirmed
        self._to_mark.set()

    async def _mark_loop(self) -> None:
        while True:
            await self._to_mark.wait()
            await asyncio.sleep(self.mark_every)  # gather what else gets confirmed meanwhile
            await self._mark()

    async def _mark(self) -> None:
        self._to_mark.clear()
        if not self._confirmed:
            return
        message_ids, self._confirmed = self._confirmed, []
        try:
            await outbox.mark_published(self.db, message_ids)
        except Exception as error:  # the sweeper publishes them again: handling is idempotent
            log.warning("could not record %d publishes: %s", len(message_ids), error)


async def write_batch(
    db: Database, batch: list[Submission]
) -> tuple[list[MessageAccepted], list[int]]:
    """One multi-row insert and one commit; repeats of a key are duplicates.

    Returns an answer per submission (arrival order: a repeat of a key is a duplicate, or an
    ``idempotency.Mismatch`` when its content differs) and the ids of the new messages for the
    pipeline, to publish after the commit (held ones are stored only). Without a publish,
    the outbox sweeper publishes them later (the email importer relies on it).
    """
    unique: dict[Key, Submission] = {}
    # Key order: two API processes inserting the same keys never wait on each other in
    # a cycle.
    for submission in sorted(batch, key=_sub_key):
        unique.setdefault(_sub_key(submission), submission)
    statement = insert_ignoring_duplicates(db.dialect, MESSAGE_TABLE).returning(
        MESSAGE_TABLE.c.id, MESSAGE_TABLE.c.channel, MESSAGE_TABLE.c.external_id
    )
    async with db.transaction() as connection:
        inserted = {
            (channel, external_id): message_id
            for message_id, channel, external_id in await connection.execute(
                statement, [submission.record.row() for submission in unique.values()]
            )
        }
        await _store_extras(connection, {inserted[k]: unique[k] for k in inserted})
        existing = await idempotency.stored(connection, [k for k in unique if k not in inserted])
    metrics.received(channel for channel, _ in inserted)
    to_publish = sorted(
        message_id for key, message_id in inserted.items() if unique[key].record.routed
    )
    first = set(inserted)
    answers = []
    for submission in batch:  # arrival order: the first of a key is the new one
        key = _sub_key(submission)
        if key in first:
            answers.append(MessageAccepted(id=inserted[key], duplicate=False))
            first.discard(key)
        elif key in inserted:  # a repeat within this batch: compared with its first
            answers.append(
                idempotency.repeat(inserted[key], unique[key].record.row(), submission.record.row())
            )
        else:
            stored = existing[key]
            answers.append(idempotency.repeat(stored["id"], stored, submission.record.row()))
    return answers, to_publish


async def _store_extras(connection: AsyncConnection, new: dict[int, Submission]) -> None:
    """Attachments and originals of the messages just inserted (never of duplicates)."""
    attachments = [
        {**row, "message_id": message_id}
        for message_id, submission in new.items()
        for row in submission.attachments
    ]
    originals = [
        {**submission.original, "message_id": message_id}
        for message_id, submission in new.items()
        if submission.original is not None
    ]
    if attachments:
        await connection.execute(ATTACHMENT_TABLE.insert(), attachments)
    if originals:
        await connection.execute(ORIGINAL_TABLE.insert(), originals)


async def accept_message(
    writer: IntakeWriter, payload: MessageCreate, caller: Principal | None = None
) -> MessageAccepted:
    """Store ``payload`` (idempotent on channel + external id); the writer publishes it.

    An integrator's key may be limited to some channels.
    """
    if caller is not None and not caller.may_use_channel(payload.channel):
        raise Forbidden(f"this API key may not post messages for channel {payload.channel}")
    answer = await writer.store(payload)
    if isinstance(answer, idempotency.Mismatch):
        raise IdempotencyConflict(
            f"external_id {payload.external_id!r} of channel {payload.channel} was already used "
            f"for message {answer.id} with other content",
            message_id=answer.id,
        )
    return answer
