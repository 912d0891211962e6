"""The web chat channel: visitor tokens in, frames out through an injected delivery call
(the API's WebSocket hub, or a queue the widget polls)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from channels import registry
from channels.adapter import ChannelAdapter, WebhookRequest
from channels.base import OutboundMessage, ParseResult, SendResult
from channels.errors import InvalidVisitorToken, PermanentSendError
from channels.webchat.parse import parse_widget_message, render_frame
from channels.webchat.tokens import VisitorSession, issue_token, verify_token
from channels.webchat.upload import Upload, parse_upload

#: Delivers a frame to a visitor; raises ``TransientSendError`` if they cannot be reached.
Deliver = Callable[[str, Mapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class WebchatConfig:
    token_secrets: tuple[str, ...] = field(repr=False)  # first signs, all verify
    token_ttl: timedelta = timedelta(hours=24)
    max_body_bytes: int = 64 * 1024
    upload_max_bytes: int = 5 * 1024 * 1024


@registry.register
class WebchatAdapter(ChannelAdapter):
    channel = "chat"

    def __init__(self, config: WebchatConfig, deliver: Deliver) -> None:
        self.config = config
        self.deliver = deliver
        self.max_body_bytes = config.max_body_bytes

    def start_session(self, visitor_id: str | None = None) -> tuple[str, VisitorSession]:
        """A token for a new (or returning, if ``visitor_id`` is known) visitor."""
        return issue_token(
            self.config.token_secrets[0], visitor_id=visitor_id, ttl=self.config.token_ttl
        )

    def session(self, request: WebhookRequest) -> VisitorSession:
        """The verified session of ``Authorization: Bearer <token>``."""
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidVisitorToken("missing 'Authorization: Bearer <visitor token>'")
        return verify_token(token.strip(), self.config.token_secrets)

    def verify(self, request: WebhookRequest) -> None:
        self.check_size(request.body)
        self.session(request)

    def parse(self, request: WebhookRequest) -> ParseResult:
        message = parse_widget_message(request.body, self.session(request))
        return ParseResult(messages=(message,))

    def receive_upload(self, request: WebhookRequest, upload: Upload) -> ParseResult:
        """A file the visitor sends (``request.body`` is the file), within the limits."""
        message = parse_upload(
            request.body, upload, self.session(request), self.config.upload_max_bytes
        )
        return ParseResult(messages=(message,))

    async def send(self, message: OutboundMessage) -> SendResult:
        if not message.text and not message.attachments:
            raise PermanentSendError("nothing to send: no text and no attachment")
        key = message.idempotency_key
        frame_id = f"agent_{key}" if key else f"agent_{uuid.uuid4().hex}"
        frame = render_frame(message, frame_id=frame_id, sent_at=datetime.now(UTC))
        await self.deliver(message.to, frame)
        return SendResult(provider_message_id=frame_id, provider_message_ids=(frame_id,))
