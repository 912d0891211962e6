"""The broker interface: the only thing the service knows about message transport.

Contract (every implementation, checked by ``tests/test_broker_contract.py``):

* ``publish`` takes bytes and returns once the message is durably accepted (RabbitMQ:
  publisher confirm). Bodies come back byte-for-byte.
* A consumer gets one :class:`Delivery` at a time per handler call and must settle it
  exactly once with ``ack()`` or ``reject(requeue=...)``; settling twice raises
  :class:`~router.errors.DeliveryAlreadySettled`.
* ``reject(requeue=True)`` redelivers the message with ``attempts`` increased by one. When
  ``attempts`` would exceed the queue's delivery limit the message goes to the dead-letter
  queue ``<topic>.dead`` instead.
* A handler that raises has its delivery rejected with ``requeue=True`` by the broker.
* An unsettled delivery at shutdown or on a lost connection is redelivered later.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Delivery(abc.ABC):
    """One received message; settle it exactly once."""

    body: bytes
    topic: str
    attempts: int  # 1 on first delivery
    headers: dict[str, str] = field(default_factory=dict)

    @abc.abstractmethod
    async def ack(self) -> None:
        """The message is handled for good (call after the handler's commit)."""

    @abc.abstractmethod
    async def reject(self, *, requeue: bool) -> None:
        """Give the message back (``requeue=True``) or drop it to the dead-letter queue."""


Handler = Callable[[Delivery], Awaitable[None]]


class Broker(abc.ABC):
    """Durable topic queues with explicit acknowledgement and a dead-letter queue."""

    @abc.abstractmethod
    async def connect(self) -> None:
        """Open connections and declare topology; raise BrokerUnavailable if unreachable."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop consumers (unsettled deliveries are requeued) and close connections."""

    @abc.abstractmethod
    async def publish(
        self, topic: str, body: bytes, *, headers: dict[str, str] | None = None
    ) -> None:
        """Durably enqueue ``body`` on ``topic``; raise BrokerUnavailable when it cannot."""

    @abc.abstractmethod
    async def consume(self, topic: str, handler: Handler, *, concurrency: int = 1) -> None:
        """Start delivering ``topic`` to ``handler``, at most ``concurrency`` at a time.

        Returns once consuming has started; deliveries run in background tasks until
        ``close``.
        """

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise BrokerUnavailable if the broker cannot be used right now (readiness)."""

    @abc.abstractmethod
    async def depth(self, topic: str) -> int:
        """Messages waiting on ``topic`` (not counting unsettled ones)."""
