"""Messenger, Instagram and WhatsApp adapters: one app secret and verify token for the
handshake and signatures, one payload parser and Graph API body builder each."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from channels import registry
from channels.adapter import ChannelAdapter, HandshakeReply, WebhookRequest
from channels.base import Attachment, OutboundMessage, ParseResult, SendResult
from channels.http_retry import RetryPolicy
from channels.meta import graph, media
from channels.meta.parse import parse_messaging
from channels.meta.signature import HEADER, answer_handshake, verify_signature
from channels.meta.whatsapp import parse_whatsapp
from channels.text import json_object

#: The ``object`` field of a Meta payload -> the channel whose adapter parses it (for an
#: API that receives all three platforms on one callback URL).
OBJECTS = {"page": "messenger", "instagram": "instagram", "whatsapp_business_account": "whatsapp"}


@dataclass(frozen=True, slots=True)
class MetaConfig:
    app_secret: str = field(repr=False)  # signs every webhook (X-Hub-Signature-256)
    verify_token: str = field(repr=False)  # chosen by us, echoed by Meta in the handshake
    target: graph.GraphTarget  # token and sender id for the Graph API
    max_body_bytes: int = 1_000_000


class MetaAdapter(ChannelAdapter):
    """Shared by the three Meta channels; subclasses say how to parse and what to post."""

    def __init__(
        self, config: MetaConfig, http: httpx.AsyncClient, *, retry: RetryPolicy | None = None
    ) -> None:
        self.config = config
        self.http = http
        self.retry = retry or RetryPolicy()
        self.max_body_bytes = config.max_body_bytes

    def handshake(self, query: Mapping[str, str]) -> HandshakeReply:
        return HandshakeReply(answer_handshake(query, self.config.verify_token))

    def verify(self, request: WebhookRequest) -> None:
        self.check_size(request.body)
        verify_signature(request.body, request.header(HEADER), self.config.app_secret)

    def parse(self, request: WebhookRequest) -> ParseResult:
        return self.parse_payload(json_object(request.body, self.channel))

    @abstractmethod
    def parse_payload(self, payload: dict[str, Any]) -> ParseResult:
        """The platform's payload shape -> normalised result."""

    @abstractmethod
    def bodies(self, message: OutboundMessage) -> list[dict[str, Any]]:
        """The Graph API request bodies that deliver ``message``."""

    async def send(self, message: OutboundMessage) -> SendResult:
        if any(a.content is not None and not a.provider_ref for a in message.attachments):
            message = replace(message, attachments=await self._uploaded(message.attachments))
        return await graph.send_parts(
            self.http,
            self.config.target,
            self.bodies(message),
            retry=self.retry,
            channel=self.channel,
            message=message,
        )

    async def _uploaded(self, attachments: tuple[Attachment, ...]) -> tuple[Attachment, ...]:
        """Files whose bytes we hold, uploaded to the provider (named by its id from then on)."""
        done = []
        for attachment in attachments:
            if attachment.content is not None and not attachment.provider_ref:
                attachment = await media.upload(
                    self.http,
                    self.config.target,
                    attachment,
                    channel=self.channel,
                    retry=self.retry,
                )
            done.append(attachment)
        return tuple(done)

    async def download(self, attachment: Attachment) -> media.Downloaded:
        """The bytes of a customer's file, fetched from the provider with our credentials."""
        return await media.download(
            self.http, self.config.target, attachment, channel=self.channel, retry=self.retry
        )


@registry.register
class MessengerAdapter(MetaAdapter):
    channel = "messenger"

    def bodies(self, message: OutboundMessage) -> list[dict[str, Any]]:
        return graph.messenger_bodies(message)

    def parse_payload(self, payload: dict[str, Any]) -> ParseResult:
        return parse_messaging(payload, channel=self.channel, expected_object="page")


@registry.register
class InstagramAdapter(MetaAdapter):
    channel = "instagram"

    def bodies(self, message: OutboundMessage) -> list[dict[str, Any]]:
        return graph.messenger_bodies(message)

    def parse_payload(self, payload: dict[str, Any]) -> ParseResult:
        return parse_messaging(payload, channel=self.channel, expected_object="instagram")


@registry.register
class WhatsAppAdapter(MetaAdapter):
    channel = "whatsapp"

    def bodies(self, message: OutboundMessage) -> list[dict[str, Any]]:
        return graph.whatsapp_bodies(message)

    def parse_payload(self, payload: dict[str, Any]) -> ParseResult:
        return parse_whatsapp(payload)

    async def media(self, media_id: str) -> Attachment:
        """The download URL, type and size of an inbound media id (see graph.media_url)."""
        return await graph.media_url(self.http, self.config.target, media_id, retry=self.retry)
