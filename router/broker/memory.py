"""In-process asyncio broker for the embedded default.

It is deliberately as strict as RabbitMQ (bytes only, explicit settlement, a double settle is
an error, redelivery and dead-lettering on the same attempt count as the quorum queues), so a
bug that would bite in production already fails the tests that run on it. Queues live in the
broker object: they survive ``close()``/``connect()`` but not the process.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace

from router.broker import DEAD_SUFFIX, check_delivery_limit, check_message
from router.broker.base import Broker, Delivery, Handler
from router.errors import BrokerUnavailable, DeliveryAlreadySettled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Message:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    attempts: int = 1


class _MemoryDelivery(Delivery):
    """A delivery that hands its message back to the broker when it is settled."""

    def __init__(self, broker: MemoryBroker, topic: str, message: _Message) -> None:
        super().__init__(message.body, topic, message.attempts, dict(message.headers))
        self._broker = broker
        self._message = message
        self.settled = False

    async def ack(self) -> None:
        self._settle()

    async def reject(self, *, requeue: bool) -> None:
        self._settle()
        if requeue:
            self._broker.requeue(self.topic, self._message)
        else:
            self._broker.dead_letter(self.topic, self._message)

    def give_back(self) -> None:
        """Return an unsettled message without the caller settling it (shutdown)."""
        if not self.settled:
            self.settled = True
            self._broker.requeue(self.topic, self._message)

    def _settle(self) -> None:
        if self.settled:
            raise DeliveryAlreadySettled(
                f"delivery on {self.topic!r} (attempt {self.attempts}) is already settled"
            )
        self.settled = True


class MemoryBroker(Broker):
    """Topic queues in memory, with ack/reject, redelivery and ``<topic>.dead`` queues."""

    def __init__(self, prefix: str = "aiguillage", delivery_limit: int = 5) -> None:
        self.prefix = prefix  # kept for parity with RabbitMQ; one process needs no namespace
        self._delivery_limit = check_delivery_limit(delivery_limit)
        self._queues: dict[str, asyncio.Queue[_Message]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._connected = False

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        self._connected = False
        workers, self._workers = self._workers, set()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    async def publish(
        self, topic: str, body: bytes, *, headers: dict[str, str] | None = None
    ) -> None:
        body, headers = check_message(body, headers)
        self._require_connected()
        self._queue(topic).put_nowait(_Message(body, headers))

    async def consume(self, topic: str, handler: Handler, *, concurrency: int = 1) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self._require_connected()
        for _ in range(concurrency):
            worker = asyncio.create_task(self._work(topic, handler), name=f"consume {topic}")
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)

    async def ping(self) -> None:
        self._require_connected()

    async def depth(self, topic: str) -> int:
        self._require_connected()
        return self._queue(topic).qsize()

    def requeue(self, topic: str, message: _Message) -> None:
        """Redeliver later with one more attempt, or dead-letter once the limit is spent."""
        again = replace(message, attempts=message.attempts + 1)
        if again.attempts > self._delivery_limit and not topic.endswith(DEAD_SUFFIX):
            self.dead_letter(topic, message)
        else:
            self._queue(topic).put_nowait(again)

    def dead_letter(self, topic: str, message: _Message) -> None:
        """Park the message on ``<topic>.dead``, starting its attempts afresh."""
        if topic.endswith(DEAD_SUFFIX):
            log.warning("dropped a message rejected from dead-letter topic %r", topic)
            return
        self._queue(topic + DEAD_SUFFIX).put_nowait(replace(message, attempts=1))

    async def _work(self, topic: str, handler: Handler) -> None:
        queue = self._queue(topic)
        while True:
            message = await queue.get()
            await self._deliver(_MemoryDelivery(self, topic, message), handler)

    async def _deliver(self, delivery: _MemoryDelivery, handler: Handler) -> None:
        """Run one handler call; whatever happens, the message ends up settled."""
        try:
            await handler(delivery)
        except asyncio.CancelledError:
            delivery.give_back()
            raise
        except Exception:
            log.exception("handler for %r failed on attempt %d", delivery.topic, delivery.attempts)
            await self._reject_if_unsettled(delivery)
            return
        if not delivery.settled:
            log.error("handler for %r returned without ack or reject: requeued", delivery.topic)
            await self._reject_if_unsettled(delivery)

    @staticmethod
    async def _reject_if_unsettled(delivery: _MemoryDelivery) -> None:
        if not delivery.settled:
            await delivery.reject(requeue=True)

    def _queue(self, topic: str) -> asyncio.Queue[_Message]:
        queue = self._queues.get(topic)
        if queue is None:
            queue = self._queues[topic] = asyncio.Queue()
        return queue

    def _require_connected(self) -> None:
        if not self._connected:
            raise BrokerUnavailable("the in-memory broker is not connected (call connect())")
