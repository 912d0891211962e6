"""Workers are small classes registered by a decorator; the base owns the delivery loop.

The base class decodes the body, retries the use case in-process while the failure is
transient (database down, lock timeout: the message is not to blame, so it must not burn
its delivery attempts), acks only after the use case committed, and rejects otherwise so
the broker redelivers it and, after the delivery limit, dead-letters it.
"""

from __future__ import annotations

import asyncio
import logging
import time
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


class Worker:
    topic: ClassVar[str]
    max_transient_wait: ClassVar[float] = 300.0

    def __init__(self, db: Database, broker: Broker, settings: Settings) -> None:
        self.db = db
        self.broker = broker
        self.settings = settings
        self.handled = 0
        self.failed = 0

    async def handle(self, payload: dict[str, Any], delivery: Delivery) -> None:
        """Do the work and commit; raise to have the message redelivered."""
        raise NotImplementedError

    async def on_give_up(self, payload: dict[str, Any], error: BaseException) -> None:
        """Called before the last failing attempt is dead-lettered."""

    async def start(self) -> None:
        await self.broker.consume(
            self.topic, self._on_delivery, concurrency=self.settings.worker_concurrency
        )
        log.info("worker %s consuming %r", type(self).__name__, self.topic)

    async def _on_delivery(self, delivery: Delivery) -> None:
        try:
            payload = orjson.loads(delivery.body)
            if not isinstance(payload, dict):
                raise ValueError("payload is not a JSON object")
        except ValueError as error:
            log.error("undecodable %s message dead-lettered: %s", self.topic, error)
            await delivery.reject(requeue=False)
            return
        try:
            await self._handle_with_retries(payload, delivery)
        except Exception as error:  # noqa: BLE001 - anything else is the message's fault
            self.failed += 1
            last = delivery.attempts >= self.settings.delivery_limit
            log.exception(
                "%s message failed (attempt %d/%d)%s",
                self.topic,
                delivery.attempts,
                self.settings.delivery_limit,
                "; dead-lettering" if last else "",
            )
            if last:
                await self.on_give_up(payload, error)
            await delivery.reject(requeue=True)
            return
        self.handled += 1
        await delivery.ack()

    async def _handle_with_retries(self, payload: dict[str, Any], delivery: Delivery) -> None:
        started = time.monotonic()
        pause = 0.05
        conflicts = 0
        while True:
            try:
                await self.handle(payload, delivery)
                return
            except IntegrityError:
                # A concurrent worker won a race on a unique key; retrying sees its row.
                conflicts += 1
                if conflicts > 3:
                    raise
            except Exception as error:
                if not is_transient_error(error):
                    raise
                if time.monotonic() - started > self.max_transient_wait:
                    raise
                log.warning(
                    "%s: transient failure (%s), retrying in %.1fs",
                    self.topic,
                    type(error).__name__,
                    pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
