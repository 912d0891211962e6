"""RabbitMQ broker (aio-pika): durable quorum queues, publisher confirms, manual acknowledgement.

Topology for a topic ``t`` under prefix ``p``:

* ``p.t``: quorum queue; ``x-delivery-limit`` makes RabbitMQ itself dead-letter a message that
  keeps coming back, through the direct exchange ``p.dlx``, to
* ``p.t.dead``: quorum queue without limit or dead-letter exchange (consume it as ``t.dead``).

Attempts: a quorum queue counts returns in ``x-delivery-count`` (0 on the first delivery) and
dead-letters when a return makes it exceed ``x-delivery-limit``. With ``x-delivery-limit =
delivery_limit - 1`` a message is handled exactly ``delivery_limit`` times, like the memory
broker, and ``attempts = x-delivery-count + 1``. Dead-lettering is ``at-least-once`` (RabbitMQ
3.10+), so a message is only removed from ``p.t`` once ``p.t.dead`` has confirmed it.

``connect_robust`` reopens the connection after a loss and restores every robust channel with
its QoS, queues and consumers; add ``?reconnect_interval=<seconds>`` to the URL to tune it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
)
from aio_pika.exceptions import CONNECTION_EXCEPTIONS, ChannelPreconditionFailed, PublishError

from router.broker import DEAD_SUFFIX, check_delivery_limit, check_message
from router.broker.base import Broker, Delivery, Handler
from router.errors import BrokerUnavailable, ConfigurationError, DeliveryAlreadySettled

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0  # seconds to reach the server at start-up
PUBLISH_TIMEOUT = 10.0  # seconds for a publish (including a reconnect) before giving up
_BROKER_HEADERS = ("x-delivery-count", "x-death", "x-first-death-", "x-last-death-")


class _RabbitDelivery(Delivery):
    """Wraps an aio-pika message; settling twice is our error, not aio-pika's."""

    def __init__(self, message: AbstractIncomingMessage, topic: str) -> None:
        headers = message.headers or {}
        count = headers.get("x-delivery-count")
        attempts = (count if isinstance(count, int) else 0) + 1
        super().__init__(message.body, topic, attempts, _user_headers(headers))
        self._message = message
        self.settled = False

    async def ack(self) -> None:
        self._settle()
        async with _unavailable(f"acknowledge a delivery on {self.topic!r}"):
            await self._message.ack()

    async def reject(self, *, requeue: bool) -> None:
        self._settle()
        async with _unavailable(f"reject a delivery on {self.topic!r}"):
            await self._message.reject(requeue=requeue)

    def _settle(self) -> None:
        if self.settled:
            raise DeliveryAlreadySettled(
                f"delivery on {self.topic!r} (attempt {self.attempts}) is already settled"
            )
        self.settled = True


class RabbitBroker(Broker):
    """One robust connection: a confirming publisher channel, one channel per ``consume`` call
    (its prefetch is that call's concurrency), and short-lived channels for declarations, whose
    errors close the channel they happen on."""

    def __init__(self, url: str, prefix: str = "aiguillage", delivery_limit: int = 5) -> None:
        self._url = url
        parts = urlsplit(url)
        self._secret = parts.password or ""
        self._where = f"{parts.hostname or 'localhost'}{f':{parts.port}' if parts.port else ''}"
        self._prefix = prefix
        self._delivery_limit = check_delivery_limit(delivery_limit)
        self._connection: AbstractRobustConnection | None = None
        self._publisher: AbstractRobustChannel | None = None
        self._declared: set[str] = set()
        self._handlers: set[asyncio.Task[Any]] = set()
        self._closing = False

    async def connect(self) -> None:
        if self._connection is not None:
            return
        async with self._unavailable("connect"):  # a first failure is not retried: start-up fails
            connection = await aio_pika.connect_robust(
                self._url,
                timeout=CONNECT_TIMEOUT,
                client_properties={"connection_name": self._prefix},
            )
        self._connection, self._closing = connection, False
        try:
            async with self._unavailable("open channels and declare queues"):
                await self._open_channels(connection)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        self._closing = True  # deliveries still arriving are left unacknowledged
        self._publisher = None
        handlers, self._handlers = self._handlers, set()
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        # Closing the channels makes RabbitMQ requeue whatever is still unacknowledged.
        await connection.close()

    async def publish(
        self, topic: str, body: bytes, *, headers: dict[str, str] | None = None
    ) -> None:
        body, headers = check_message(body, headers)
        channel = self._channel(self._publisher)
        message = aio_pika.Message(  # dict(): aio-pika's header type is dict[str, FieldValue]
            body, headers=dict(headers), delivery_mode=aio_pika.DeliveryMode.PERSISTENT
        )
        async with self._unavailable(f"publish to {topic!r}"), asyncio.timeout(PUBLISH_TIMEOUT):
            await self._declare(topic)
            # mandatory + on_return_raises: an unroutable message is an error, never a silent drop.
            try:
                await channel.default_exchange.publish(
                    message, self._queue_name(topic), mandatory=True
                )
            except PublishError:
                self._declared.discard(topic.removesuffix(DEAD_SUFFIX))  # deleted under us
                raise

    async def consume(self, topic: str, handler: Handler, *, concurrency: int = 1) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        connection = self._require_connection()
        async with self._unavailable(f"consume {topic!r}"):
            await self._declare(topic)
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=concurrency)
            queue = await channel.declare_queue(
                self._queue_name(topic), durable=True, arguments=self._arguments(topic)
            )
            await queue.consume(partial(self._on_message, topic, handler))

    async def ping(self) -> None:
        connection = self._require_connection()
        if connection.is_closed or not connection.connected.is_set():
            raise BrokerUnavailable(f"the connection to RabbitMQ at {self._where} is down")

    async def depth(self, topic: str) -> int:
        async with self._unavailable(f"count messages on {topic!r}"):
            await self._declare(topic)
            async with self._short_channel() as channel:
                # A fresh channel: a robust one that declared the queue answers from its cache.
                queue = await channel.declare_queue(self._queue_name(topic), passive=True)
        return int(queue.declaration_result.message_count or 0)

    async def _open_channels(self, connection: AbstractRobustConnection) -> None:
        self._publisher = await connection.channel(publisher_confirms=True, on_return_raises=True)
        async with self._short_channel() as channel:
            await self._declare_dlx(channel)
        known, self._declared = self._declared, set()
        for topic in known:
            await self._declare(topic)

    async def _on_message(
        self, topic: str, handler: Handler, message: AbstractIncomingMessage
    ) -> None:
        """Run one handler call (aio-pika gives each message its own task)."""
        if self._closing:
            return  # not acknowledged: RabbitMQ requeues it when the channel closes
        task = asyncio.current_task()
        assert task is not None  # aio-pika runs every consumer callback in a task
        self._handlers.add(task)
        try:
            await self._deliver(_RabbitDelivery(message, topic), handler)
        finally:
            self._handlers.discard(task)

    @staticmethod
    async def _deliver(delivery: _RabbitDelivery, handler: Handler) -> None:
        try:
            await handler(delivery)
        except Exception:
            log.exception("handler for %r failed on attempt %d", delivery.topic, delivery.attempts)
            await _give_back(delivery)
            return
        if not delivery.settled:
            log.error("handler for %r returned without ack or reject: requeued", delivery.topic)
            await _give_back(delivery)

    async def _declare(self, topic: str) -> None:
        """Declare the queue pair of ``topic`` once per process (declaring is idempotent)."""
        base = topic.removesuffix(DEAD_SUFFIX)
        if base in self._declared:
            return
        main, dead = self._queue_name(base), self._queue_name(base + DEAD_SUFFIX)
        async with self._short_channel() as channel:
            await self._declare_dlx(channel)
            try:
                await channel.declare_queue(main, durable=True, arguments=self._arguments(base))
                queue = await channel.declare_queue(
                    dead, durable=True, arguments=self._arguments(dead)
                )
            except ChannelPreconditionFailed:
                raise ConfigurationError(
                    f"RabbitMQ queue {main!r} or {dead!r} exists with other arguments (was "
                    "delivery_limit changed?): delete or migrate it, or use another prefix"
                ) from None
            await queue.bind(self._dlx_name, routing_key=dead)
        self._declared.add(base)

    async def _declare_dlx(self, channel: AbstractChannel) -> None:
        await channel.declare_exchange(self._dlx_name, aio_pika.ExchangeType.DIRECT, durable=True)

    @asynccontextmanager
    async def _short_channel(self) -> AsyncIterator[AbstractChannel]:
        """A channel for one declaration: a refused declare closes it, not a shared one."""
        channel = await self._require_connection().channel(publisher_confirms=False)
        try:
            yield channel
        finally:
            if not channel.is_closed:
                await channel.close()

    def _arguments(self, topic: str) -> dict[str, Any]:
        if topic.endswith(DEAD_SUFFIX):
            return {"x-queue-type": "quorum"}
        return {
            "x-queue-type": "quorum",
            # A quorum queue allows limit + 1 deliveries; we promise delivery_limit.
            "x-delivery-limit": self._delivery_limit - 1,
            "x-dead-letter-exchange": self._dlx_name,
            "x-dead-letter-routing-key": self._queue_name(topic) + DEAD_SUFFIX,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",  # required by at-least-once dead-lettering
        }

    def _queue_name(self, topic: str) -> str:
        return f"{self._prefix}.{topic}"

    @property
    def _dlx_name(self) -> str:
        return f"{self._prefix}.dlx"

    def _require_connection(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise BrokerUnavailable("the RabbitMQ broker is not connected (call connect())")
        return self._connection

    @staticmethod
    def _channel(channel: AbstractRobustChannel | None) -> AbstractRobustChannel:
        if channel is None:
            raise BrokerUnavailable("the RabbitMQ broker is not connected (call connect())")
        return channel

    def _unavailable(self, action: str) -> AbstractAsyncContextManager[None]:
        return _unavailable(f"{action} (RabbitMQ at {self._where})", self._secret)


@asynccontextmanager
async def _unavailable(action: str, secret: str = "") -> AsyncIterator[None]:
    """Turn transport failures into BrokerUnavailable, keeping the password out of the text."""
    try:
        yield
    except (*CONNECTION_EXCEPTIONS, TimeoutError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if secret:
            reason = reason.replace(secret, "***")
        raise BrokerUnavailable(f"could not {action}: {reason}") from exc


async def _give_back(delivery: _RabbitDelivery) -> None:
    if delivery.settled:
        return
    try:
        await delivery.reject(requeue=True)
    except BrokerUnavailable:
        log.warning("could not requeue on %r; RabbitMQ redelivers after reconnect", delivery.topic)


def _user_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    """The publisher's headers, without the ones RabbitMQ adds on redelivery and dead-lettering."""
    return {
        key: value.decode() if isinstance(value, bytes) else value
        for key, value in headers.items()
        if isinstance(value, str | bytes) and not key.startswith(_BROKER_HEADERS)
    }
