"""What a channel package declares besides its adapter: a settings section and a factory.

Each ``channels/<package>/setup.py`` defines ``SECTION`` (a pydantic-settings class whose
fields are read with the service's ``AIGUILLAGE_`` prefix) and ``wire(settings, tools)``,
which builds the package's adapters from those settings and says, per channel, what is
missing to receive or to send. ``channels.registry`` lists the packages once; the service's
channel enum, its settings and its running set of adapters are all derived from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from pydantic_settings import BaseSettings

from channels.adapter import ChannelAdapter
from channels.http_retry import RetryPolicy

#: The retry a send makes itself before handing a transient failure back to the outbound
#: worker, which reschedules it (durably) instead of holding a worker slot.
SEND_RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=5.0, max_total_wait=10.0)


@dataclass(frozen=True, slots=True)
class Tools:
    """What the process lends its adapters: outbound HTTP, the live chat delivery and the
    key that signs web-chat visitor tokens."""

    http: httpx.AsyncClient
    deliver: Callable[[str, Mapping[str, Any]], Awaitable[None]]
    chat_secret: str


@dataclass(frozen=True, slots=True)
class Wired:
    """One channel's adapter, and the variables to set when it cannot receive or send."""

    channel: str
    adapter: ChannelAdapter
    missing_in: str | None = None
    missing_out: str | None = None


class Setup(Protocol):
    """The contract of a ``channels/<package>/setup.py`` module."""

    SECTION: type[BaseSettings]

    def wire(self, settings: Any, tools: Tools) -> Iterable[Wired]: ...


def secret(value: object) -> str:
    """The plain value of an optional ``SecretStr`` ('' when unset)."""
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else ""
