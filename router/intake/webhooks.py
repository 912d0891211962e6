"""Provider webhooks: the subscription handshake, then verified events into the intake.

Verification comes first and alone decides: an unsigned or forged request is refused (401,
403 for a bad handshake) before its body is even parsed, so nothing of it is stored. Meta
sends Messenger, Instagram and WhatsApp events to one callback URL; the payload's
``object`` says which platform (and so which adapter) it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from channels.adapter import HandshakeReply, WebhookRequest
from channels.base import ParseResult
from channels.text import json_object
from router.intake.accept import IntakeWriter
from router.intake.channel import IntakeSummary, OriginalPolicy, accept_parsed
from router.intake.channel_set import ChannelSet
from router.store import Database

#: Providers with a webhook, and the channel whose adapter checks their signature.
VERIFIERS = {"meta": "messenger", "x": "x"}
_NO_ORIGINAL = OriginalPolicy(keep_bytes=0)


def handshake(channels: ChannelSet, provider: str, query: Mapping[str, str]) -> HandshakeReply:
    """Meta's ``hub.challenge`` echo or X's CRC answer (``HandshakeRejected``: 403)."""
    return channels.receiver(VERIFIERS[provider]).handshake(query)


def _parse_meta(channels: ChannelSet, request: WebhookRequest) -> ParseResult:
    channels.receiver(VERIFIERS["meta"]).verify(request)
    payload = json_object(request.body, "meta")
    adapter = channels.meta_receiver(payload.get("object"))
    if adapter is None:
        return ParseResult.ignoring(
            f"object {payload.get('object')!r} is not a Meta messaging platform", "object"
        )
    return adapter.parse_payload(payload)


async def receive(
    db: Database,
    writer: IntakeWriter,
    channels: ChannelSet,
    provider: str,
    request: WebhookRequest,
) -> IntakeSummary:
    """Verify, parse and store one webhook request; committed when this returns."""
    if provider == "meta":
        result = _parse_meta(channels, request)
    else:
        result = channels.receiver(VERIFIERS[provider]).receive(request)
    return await accept_parsed(db, writer, result, _NO_ORIGINAL, source=f"{provider} webhook")
