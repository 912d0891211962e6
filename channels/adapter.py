"""The one interface every channel adapter implements.

An adapter is a pure normaliser plus injected I/O: ``verify`` and ``parse`` are synchronous
and touch nothing but their arguments (so the API can call them in the request, and tests
feed them recorded payloads); ``send`` uses the client it was constructed with (an
``httpx.AsyncClient``, SMTP settings, a web-chat delivery callable) and nothing global.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from channels.base import OutboundMessage, ParseResult, SendResult
from channels.errors import HandshakeRejected, PayloadTooLarge


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """What an adapter needs of an HTTP request: the raw body (signatures cover the exact
    bytes), headers with lower-case names, and the query string."""

    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> WebhookRequest:
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        return cls(body=body, headers=lowered, query=dict(query or {}))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class HandshakeReply:
    """The answer to a provider's webhook verification request (HTTP 200)."""

    body: str
    media_type: str = "text/plain"


class ChannelAdapter(ABC):
    """One channel: verify and parse inbound provider requests, send outbound messages.

    Subclasses set ``channel`` (a value of ``router.models.channels.Channel``) and register
    with ``@channels.registry.register``. Contract:

    * ``handshake(query)`` answers the provider's subscription check or raises
      ``HandshakeRejected``; channels without one keep the default (always rejects).
    * ``verify(request)`` raises ``SignatureMismatch`` (or ``InvalidVisitorToken``) unless
      the request provably comes from the provider, and ``PayloadTooLarge`` above
      ``max_body_bytes``. It never parses the body.
    * ``parse(request)`` never raises for content it does not understand: it returns
      ``Ignored`` entries with a reason. It raises ``MalformedPayload`` only when the body is
      not the provider's envelope at all (not JSON, not an object).
    * ``send(message)`` returns a ``SendResult`` or raises ``TransientSendError`` /
      ``PermanentSendError``; HTTP senders retry 429/5xx themselves within their policy.
    """

    channel: ClassVar[str]
    max_body_bytes: int = 1_000_000

    def handshake(self, query: Mapping[str, str]) -> HandshakeReply:  # noqa: ARG002
        raise HandshakeRejected(f"the {self.channel} channel has no webhook handshake")

    @abstractmethod
    def verify(self, request: WebhookRequest) -> None:
        """Raise unless the request is authentic and within size limits."""

    @abstractmethod
    def parse(self, request: WebhookRequest) -> ParseResult:
        """Normalise an authentic request; unknown parts become ``Ignored``."""

    @abstractmethod
    async def send(self, message: OutboundMessage) -> SendResult:
        """Deliver ``message`` to the provider."""

    def receive(self, request: WebhookRequest) -> ParseResult:
        """``verify`` then ``parse``: what a webhook route calls."""
        self.verify(request)
        return self.parse(request)

    def check_size(self, body: bytes) -> None:
        if len(body) > self.max_body_bytes:
            raise PayloadTooLarge(
                f"{self.channel} request body is {len(body)} bytes;"
                f" the limit is {self.max_body_bytes}"
            )
