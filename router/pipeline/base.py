"""Workers are small classes registered by a decorator; the base owns the delivery loop.

Deliveries are decoded and handed to ``handle_batch`` in batches of whatever is waiting
(router.store.batching: no added latency when idle, far fewer transactions under load). A batch is
retried in place while the failure is transient (database down, deadlock: the messages are
not to blame, so they must not burn their delivery attempts); any other failure is retried
message by message, so one poison message fails alone. Deliveries are acked only
after the handler committed, and rejected otherwise so that the broker redelivers them and,
after the delivery limit, dead-letters them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, ClassVar

import orjson
from sqlalchemy.exc import IntegrityError

from router import logs
from router.broker import Broker, Delivery
from router.intake.channel_set import ChannelSet
from router.observability import metrics
from router.pipeline.classifier import ModelHolder
from router.settings import Settings
from router.store import Database, is_transient_error
from router.store.batching import MicroBatcher

log = logging.getLogger(__name__)

REGISTRY: dict[str, type[Worker]] = {}


def register(cls: type[Worker]) -> type[Worker]:
    """Class decorator: the process list (``aiguillage worker``) derives from this registry."""
    REGISTRY[cls.topic] = cls
    return cls


class Worker:
    topic: ClassVar[str]
    max_batch: ClassVar[int] = 100
    batch_loops: ClassVar[int] = 2  # batches in flight at once (overlaps database round trips)
    max_transient_wait: ClassVar[float] = 300.0

    def __init__(
        self,
        db: Database,
        broker: Broker,
        settings: Settings,
        channels: ChannelSet | None = None,
        classifier: ModelHolder | None = None,
    ) -> None:
        self.db = db
        self.broker = broker
        self.settings = settings
        self.channels = channels  # the adapters, for workers that send
        self.classifier = classifier  # for workers that read customer messages
        self.handled = 0
        self.failed = 0
        self._batcher: MicroBatcher[dict[str, Any], None] = MicroBatcher(
            self._handle_with_retries, max_batch=self.max_batch, loops=self.batch_loops
        )

    async def handle_batch(self, payloads: list[dict[str, Any]]) -> None:
        """Do the work for these messages and commit; raise to have them redelivered."""
        raise NotImplementedError

    async def on_give_up(self, payload: dict[str, Any], error: BaseException) -> None:
        """Called before the last failing attempt is dead-lettered."""

    async def split(self, payload: dict[str, Any]) -> bool:  # noqa: ARG002 (for subclasses)
        """A failed delivery carrying several items may be republished as single ones (then
        acked); returns whether it was."""
        return False

    async def start(self) -> None:
        self._batcher.start()
        await self.broker.consume(
            self.topic, self._on_delivery, concurrency=self.settings.worker_concurrency
        )
        log.info("worker %s consuming %r", type(self).__name__, self.topic)

    async def stop(self) -> None:
        """Stop batching; deliveries still waiting are requeued when the broker closes."""
        await self._batcher.stop()

    async def _on_delivery(self, delivery: Delivery) -> None:
        try:
            payload = orjson.loads(delivery.body)
            if not isinstance(payload, dict):
                raise ValueError("payload is not a JSON object")
        except ValueError as error:
            log.error("undecodable %s message dead-lettered: %s", self.topic, error)
            await delivery.reject(requeue=False)
            return
        message_id = payload.get("message_id")
        if isinstance(message_id, int):  # one message (a group's lines name their ids)
            with logs.bound(message_id=message_id):
                await self._settle(payload, delivery)
        else:
            await self._settle(payload, delivery)

    async def _settle(self, payload: dict[str, Any], delivery: Delivery) -> None:
        """Hand the payload to the batch and ack, split or reject its delivery."""
        try:
            await self._batcher.submit(payload)
        except Exception as error:
            if await self._split(payload, error):
                await delivery.ack()
                return
            await self._reject(payload, delivery, error)
            return
        self.handled += 1
        await delivery.ack()

    async def _split(self, payload: dict[str, Any], error: Exception) -> bool:
        if is_transient_error(error):
            return False  # the messages are not to blame: redeliver the group as it is
        try:
            return await self.split(payload)
        except Exception as failure:  # broker down: redeliver the group instead
            log.warning("%s: could not split a failed group (%s)", self.topic, failure)
            return False

    async def _reject(self, payload: dict[str, Any], delivery: Delivery, error: Exception) -> None:
        self.failed += 1
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
            await self.on_give_up(payload, error)
            metrics.dead_lettered(self.topic)
        await delivery.reject(requeue=True)

    async def _handle_with_retries(self, payloads: list[dict[str, Any]]) -> list[None]:
        """Retry in place while the failure is transient or a lost race on a unique key."""
        started = time.monotonic()
        pause = 0.05
        conflicts = 0
        while True:
            try:
                await self.handle_batch(payloads)
                return [None] * len(payloads)
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
