"""Message transport, chosen by URL scheme: ``memory://`` (embedded) or ``amqp(s)://`` (RabbitMQ).

Implementations are imported lazily so the embedded default never needs aio-pika loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from router.broker.base import Broker, Delivery, Handler
from router.errors import ConfigurationError

__all__ = [
    "DEAD_SUFFIX",
    "Broker",
    "Delivery",
    "Handler",
    "check_delivery_limit",
    "check_message",
    "open_broker",
]

# Messages that failed ``delivery_limit`` times or were rejected land on ``<topic>.dead``; a
# dead topic has no dead topic of its own, so nothing is dead-lettered twice.
DEAD_SUFFIX = ".dead"


def open_broker(url: str, *, prefix: str, delivery_limit: int) -> Broker:
    """Build (not connect) the broker that ``url`` names."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        from router.broker.memory import MemoryBroker

        return MemoryBroker(prefix=prefix, delivery_limit=delivery_limit)
    if scheme in ("amqp", "amqps"):
        from router.broker.rabbitmq import RabbitBroker

        return RabbitBroker(url, prefix=prefix, delivery_limit=delivery_limit)
    raise ConfigurationError(
        f"unsupported broker URL scheme {scheme or '(none)'!r}: "
        "use memory:// for the embedded broker or amqp:// / amqps:// for RabbitMQ"
    )


def check_message(body: object, headers: Mapping[str, str] | None) -> tuple[bytes, dict[str, str]]:
    """Refuse what RabbitMQ could not carry faithfully, so every backend fails the same way."""
    if not isinstance(body, bytes):
        raise TypeError(f"broker message body must be bytes, not {type(body).__name__}")
    copied = dict(headers or {})
    for key, value in copied.items():
        if not isinstance(key, str) or not isinstance(value, str):
            kind = type(value).__name__
            raise TypeError(f"broker header {key!r} must map str to str, got {kind}")
    return bytes(body), copied


def check_delivery_limit(delivery_limit: int) -> int:
    """A limit below one would dead-letter messages nobody ever saw."""
    if delivery_limit < 1:
        raise ConfigurationError(f"broker delivery_limit must be at least 1, got {delivery_limit}")
    return delivery_limit
