"""X direct messages: CRC, signatures, recorded Account Activity payloads, sending."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from channels.adapter import WebhookRequest
from channels.base import DeliveryState, MessageKind, OutboundMessage, ParseResult
from channels.errors import (
    HandshakeRejected,
    PermanentSendError,
    SignatureMismatch,
    TransientSendError,
)
from channels.http_retry import RetryPolicy
from channels.x.adapter import XAdapter, XConfig
from channels.x.api import XTarget
from channels.x.signature import sign
from tests.channels.support import FakeProvider, Reply, Sleeps, fixture_bytes

SECRET = "x-consumer-secret-for-tests"
CUSTOMER = "3001969357"
DM_PATH = f"/2/dm_conversations/with/{CUSTOMER}/messages"


def adapter(
    http: httpx.AsyncClient, url: str = "https://api.x.com", sleeps: Sleeps | None = None
) -> XAdapter:
    config = XConfig(consumer_secret=SECRET, target=XTarget(access_token="user-token", api_url=url))
    return XAdapter(config, http, retry=RetryPolicy(sleep=sleeps or Sleeps(), jitter=lambda: 1.0))


def receive(http: httpx.AsyncClient, name: str) -> ParseResult:
    body = fixture_bytes("x", f"{name}.json")
    return adapter(http).receive(
        WebhookRequest.of(body, {"X-Twitter-Webhooks-Signature": sign(body, SECRET)})
    )


def test_crc_response_token(http: httpx.AsyncClient) -> None:
    reply = adapter(http).handshake({"crc_token": "challenge-123"})
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), b"challenge-123", hashlib.sha256).digest()
    ).decode()
    assert reply.media_type == "application/json"
    assert json.loads(reply.body) == {"response_token": f"sha256={expected}"}


def test_crc_without_token_is_rejected(http: httpx.AsyncClient) -> None:
    with pytest.raises(HandshakeRejected):
        adapter(http).handshake({})


def test_unsigned_and_forged_requests_are_rejected(http: httpx.AsyncClient) -> None:
    body = fixture_bytes("x", "dm_text.json")
    with pytest.raises(SignatureMismatch, match="missing"):
        adapter(http).receive(WebhookRequest.of(body))
    forged = {"x-twitter-webhooks-signature": sign(body, "someone-else")}
    with pytest.raises(SignatureMismatch, match="does not match"):
        adapter(http).receive(WebhookRequest.of(body, forged))


def test_direct_message_with_name_and_expanded_link(http: httpx.AsyncClient) -> None:
    (message,) = receive(http, "dm_text").messages
    assert message.channel == "x"
    assert message.provider_message_id == "1798000000000000001"
    assert (message.sender_address, message.sender_name) == (CUSTOMER, "Jordan Brinks")
    assert message.metadata["screen_name"] == "jordanbrinks"
    assert message.text == "My order never arrived, see https://shop.example.com/orders/10293"
    assert message.sent_at == datetime(2024, 6, 3, 10, 14, 55, 123000, tzinfo=UTC)


def test_direct_message_media_becomes_an_attachment(http: httpx.AsyncClient) -> None:
    (message,) = receive(http, "dm_media").messages
    (photo,) = message.attachments
    assert photo.content_type == "image/*"
    assert photo.url and photo.url.endswith("/photo.jpg")
    assert message.text == "Broken on arrival"


def test_quick_reply_response_is_a_postback(http: httpx.AsyncClient) -> None:
    (message,) = receive(http, "dm_quick_reply").messages
    assert message.kind is MessageKind.postback
    assert message.postback_payload == "REFUND_YES"


def test_read_receipt(http: httpx.AsyncClient) -> None:
    (status,) = receive(http, "dm_read").statuses
    assert status.state is DeliveryState.read
    assert status.provider_message_ids == ("1798000000000000777",)
    assert status.recipient_address == CUSTOMER


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("dm_own_echo", "sent by the subscribed account (our own message)"),
        ("typing", "event type 'direct_message_indicate_typing_events' is not handled"),
        ("tweet_create", "event type 'tweet_create_events' is not handled"),
    ],
)
def test_other_events_are_ignored_with_a_reason(
    http: httpx.AsyncClient, name: str, reason: str
) -> None:
    result = receive(http, name)
    assert not result.messages and not result.statuses
    assert [i.reason for i in result.ignored] == [reason]


def test_mixed_payload_keeps_the_message_and_explains_the_rest(http: httpx.AsyncClient) -> None:
    result = receive(http, "dm_and_favorite")
    assert [m.text for m in result.messages] == ["Any news?"]
    assert [i.reason for i in result.ignored] == ["event type 'favorite_events' is not handled"]


async def test_send_posts_the_text_and_returns_the_event_id(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        DM_PATH,
        Reply(
            201,
            {
                "data": {
                    "dm_conversation_id": "1180000000000000001-3001969357",
                    "dm_event_id": "1798000000000002000",
                }
            },
        ),
    )
    result = await adapter(http, provider.url).send(
        OutboundMessage(channel="x", to=CUSTOMER, text="We are on it.")
    )
    assert result.provider_message_id == "1798000000000002000"
    assert result.metadata["dm_conversation_id"] == "1180000000000000001-3001969357"
    (request,) = provider.requests
    assert request.json == {"text": "We are on it."}
    assert request.headers["authorization"] == "Bearer user-token"


async def test_rate_limit_reset_header_sets_the_retry_delay(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    reset = str(int(time.time()) + 30)
    provider.script(
        DM_PATH,
        Reply(
            429,
            {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
            },
            {"x-rate-limit-reset": reset},
        ),
        Reply(201, {"data": {"dm_conversation_id": "c", "dm_event_id": "e2"}}),
    )
    sleeps = Sleeps()
    result = await adapter(http, provider.url, sleeps).send(
        OutboundMessage(channel="x", to=CUSTOMER, text="ok")
    )
    assert result.attempts == 2
    assert 25 <= sleeps.delays[0] <= 31


async def test_forbidden_is_permanent_with_the_problem_type(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(
        DM_PATH,
        Reply(
            403,
            {
                "title": "Forbidden",
                "detail": "You cannot send messages to this user.",
                "type": "https://api.twitter.com/2/problems/dm-permissions",
                "status": 403,
            },
        ),
    )
    with pytest.raises(PermanentSendError) as caught:
        await adapter(http, provider.url).send(OutboundMessage(channel="x", to=CUSTOMER, text="hi"))
    assert caught.value.provider_code == "https://api.twitter.com/2/problems/dm-permissions"
    assert caught.value.provider_message == "You cannot send messages to this user."


async def test_server_errors_exhaust_into_a_transient_error(
    provider: FakeProvider, http: httpx.AsyncClient
) -> None:
    provider.script(DM_PATH, *[Reply(503, {"title": "Service Unavailable"})] * 4)
    with pytest.raises(TransientSendError):
        await adapter(http, provider.url).send(OutboundMessage(channel="x", to=CUSTOMER, text="hi"))
    assert len(provider.requests) == 4


@pytest.mark.parametrize(
    "message",
    [
        OutboundMessage(channel="x", to="../../admin", text="hi"),
        OutboundMessage(channel="x", to=CUSTOMER, text=""),
        OutboundMessage(channel="x", to=CUSTOMER, text="x" * 10_001),
    ],
)
async def test_invalid_messages_are_refused_before_any_request(
    provider: FakeProvider, http: httpx.AsyncClient, message: OutboundMessage
) -> None:
    with pytest.raises(PermanentSendError):
        await adapter(http, provider.url).send(message)
    assert provider.requests == []


def test_crc_refuses_to_sign_caller_chosen_text(http: httpx.AsyncClient) -> None:
    """The CRC answer is the POST signature: signing a forged body would let anyone mint
    a valid signature for it, so only short token-shaped values are answered."""
    with pytest.raises(HandshakeRejected):
        adapter(http).handshake({"crc_token": '{"direct_message_events": []}'})
    with pytest.raises(HandshakeRejected):
        adapter(http).handshake({"crc_token": "a" * 101})
