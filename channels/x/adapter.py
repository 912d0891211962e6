"""The X direct-message channel."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from channels import registry
from channels.adapter import ChannelAdapter, HandshakeReply, WebhookRequest
from channels.base import OutboundMessage, ParseResult, SendResult
from channels.http_retry import RetryPolicy
from channels.text import json_object
from channels.x.api import XTarget, send_dm
from channels.x.parse import parse_activity
from channels.x.signature import HEADER, crc_response, verify_signature


@dataclass(frozen=True, slots=True)
class XConfig:
    consumer_secret: str = field(repr=False)  # the app's API secret: CRC and signatures
    target: XTarget
    max_body_bytes: int = 1_000_000


@registry.register
class XAdapter(ChannelAdapter):
    channel = "x"

    def __init__(
        self, config: XConfig, http: httpx.AsyncClient, *, retry: RetryPolicy | None = None
    ) -> None:
        self.config = config
        self.http = http
        self.retry = retry or RetryPolicy()
        self.max_body_bytes = config.max_body_bytes

    def handshake(self, query: Mapping[str, str]) -> HandshakeReply:
        answer = crc_response(query.get("crc_token"), self.config.consumer_secret)
        return HandshakeReply(json.dumps(answer), media_type="application/json")

    def verify(self, request: WebhookRequest) -> None:
        self.check_size(request.body)
        verify_signature(request.body, request.header(HEADER), self.config.consumer_secret)

    def parse(self, request: WebhookRequest) -> ParseResult:
        return parse_activity(json_object(request.body, self.channel))

    async def send(self, message: OutboundMessage) -> SendResult:
        return await send_dm(self.http, self.config.target, message, self.retry)
