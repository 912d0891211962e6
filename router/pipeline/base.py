"""Workers are small classes registered by a decorator; the base owns the delivery loop.

Deliveries are decoded, queued, and handed to ``handle_batch`` in batches of whatever is
waiting (no added latency when idle, far fewer transactions under load). The base retries a
batch in place while the failure is transient (database down, deadlock: the messages are
not to blame, so they must not burn their delivery attempts). Any other failure of a batch
is retried message by message, so one poison message fails alone. Deliveries are acked only
after the handler committed, and rejected otherwise so that the broker redelivers them and,
after the delivery limit, dead-letters them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson
from sqlalchemy.exc import IntegrityError

from router.broker import Broker, Delivery
from router.settings import Settings
from router.store import Database, is_transient_error

log = logging.getLogger(__name__)

REGISTRY: dict[str, type[Worker]] = {}


def register(cls: type[Worker]) -> type[Worker]:
    """Class decorator: the process list (``aiguillage worker``) derives from this registry."""
    REGISTRY[cls.topic] = cls
    return cls


@dataclass
class _Pending:
    payload: dict[str, Any]
    delivery: Delivery
    done: asyncio.Future[None]


class Worker:
    topic: ClassVar[str]
    max_batch: ClassVar[int] = 100
    batch_loops: ClassVar[int] = 2  # batches in flight at once (overlaps database round trips)
    max_transient_wait: ClassVar[float] = 300.0

    def __init__(self, db: Database, broker: Broker, settings: Settings) -> None:
        self.db = db
        self.broker = broker
        self.settings = settings
        self.handled = 0
        self.failed = 0
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._loops: list[asyncio.Task[None]] = []

    async def handle_batch(self, payloads: list[dict[str, Any]]) -> None:
        """Do the work for these messages and commit; raise to have them redelivered."""
        raise NotImplementedError

    async def on_give_up(self, payload: dict[str, Any], error: BaseException) -> None:
        """Called before the last failing attempt is dead-lettered."""

    async def start(self) -> None:
        self._loops = [asyncio.create_task(self._batch_loop()) for _ in range(self.batch_loops)]
        await self.broker.consume(
            self.topic, self._on_delivery, concurrency=self.settings.worker_concurrency
        )
        log.info("worker %s consuming %r", type(self).__name__, self.topic)

    async def stop(self) -> None:
        """Stop batching; deliveries still waiting are requeued when the broker closes."""
        for task in self._loops:
            task.cancel()
        for task in self._loops:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _on_delivery(self, delivery: Delivery) -> None:
        try:
            payload = orjson.loads(delivery.body)
            if not isinstance(payload, dict):
                raise ValueError("payload is not a JSON object")
        except ValueError as error:
            log.error("undecodable %s message dead-lettered: %s", self.topic, error)
            await delivery.reject(requeue=False)
            return
        pending = _Pending(payload, delivery, asyncio.get_running_loop().create_future())
        await self._queue.put(pending)
        try:
            await pending.done
        except Exception as error:
            await self._reject(pending, error)
            return
        self.handled += 1
        await delivery.ack()

    async def _reject(self, pending: _Pending, error: Exception) -> None:
        self.failed += 1
        delivery = pending.delivery
        last = delivery.attempts >= self.settings.delivery_limit
        log.error(
            "%s message failed (attempt %d/%d)%s: %s",
            self.topic,
            delivery.attempts,
            self.settings.delivery_limit,
            "; dead-lettering" if last else "",
            error,
            exc_info=error,
        )
        if last:
            await self.on_give_up(pending.payload, error)
        await delivery.reject(requeue=True)

    async def _batch_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._run(batch)

    async def _run(self, batch: list[_Pending]) -> None:
        try:
            await self._with_retries([p.payload for p in batch])
        except Exception as error:
            if len(batch) == 1 or is_transient_error(error):
                # Infrastructure, not the messages: splitting would only multiply the wait.
                for pending in batch:
                    _settle(pending, error)
                return
            log.warning(
                "%s batch of %d failed (%s); retrying one by one",
                self.topic,
                len(batch),
                type(error).__name__,
            )
            for pending in batch:
                await self._run([pending])
            return
        for pending in batch:
            _settle(pending, None)

    async def _with_retries(self, payloads: list[dict[str, Any]]) -> None:
        started = time.monotonic()
        pause = 0.05
        conflicts = 0
        while True:
            try:
                await self.handle_batch(payloads)
                return
            except IntegrityError:
                # A concurrent worker won a race on a unique key; retrying sees its row.
                conflicts += 1
                if conflicts > 3:
                    raise
            except Exception as error:
                if not is_transient_error(error) or (
                    time.monotonic() - started > self.max_transient_wait
                ):
                    raise
                log.warning(
                    "%s: transient failure (%s), retrying in %.1fs",
                    self.topic,
                    type(error).__name__,
                    pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)


def _settle(pending: _Pending, error: Exception | None) -> None:
    if pending.done.done():  # its delivery task was cancelled (shutdown)
        return
    if error is None:
        pending.done.set_result(None)
    else:
        pending.done.set_exception(error)
