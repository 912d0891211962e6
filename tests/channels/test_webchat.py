"""Web chat: visitor session tokens and the widget's message shapes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from channels.adapter import WebhookRequest
from channels.base import OutboundMessage, Threading
from channels.errors import InvalidFields, InvalidVisitorToken, MalformedPayload
from channels.webchat.adapter import WebchatAdapter, WebchatConfig
from channels.webchat.tokens import issue_token, verify_token
from router.errors import ConfigurationError
from tests.channels.support import fixture_bytes

SECRET = "webchat-secret-with-at-least-32-bytes!"
OLD_SECRET = "the-previous-secret-also-32-bytes-long"


class Outbox:
    def __init__(self) -> None:
        self.frames: list[tuple[str, Mapping[str, Any]]] = []

    async def __call__(self, visitor_id: str, frame: Mapping[str, Any]) -> None:
        self.frames.append((visitor_id, frame))


def adapter(outbox: Outbox | None = None) -> WebchatAdapter:
    return WebchatAdapter(WebchatConfig(token_secrets=(SECRET, OLD_SECRET)), outbox or Outbox())


def request(body: bytes, token: str) -> WebhookRequest:
    return WebhookRequest.of(body, {"Authorization": f"Bearer {token}"})


def test_token_round_trip() -> None:
    token, session = issue_token(SECRET, visitor_id="v_visitor-0001")
    assert verify_token(token, [SECRET]) == session
    assert session.expires_at - session.issued_at == timedelta(hours=24)


def test_tokens_signed_with_a_previous_secret_still_verify() -> None:
    token, session = issue_token(OLD_SECRET)
    assert verify_token(token, [SECRET, OLD_SECRET]).visitor_id == session.visitor_id


def test_expired_token_is_refused() -> None:
    issued = datetime.now(UTC) - timedelta(hours=2)
    token, _ = issue_token(SECRET, ttl=timedelta(hours=1), now=issued)
    with pytest.raises(InvalidVisitorToken, match="expired"):
        verify_token(token, [SECRET])


def test_forged_and_malformed_tokens_are_refused() -> None:
    token, _ = issue_token("another-secret-that-is-long-enough-xx")
    with pytest.raises(InvalidVisitorToken, match="signature"):
        verify_token(token, [SECRET])
    with pytest.raises(InvalidVisitorToken):
        verify_token("not.a.token", [SECRET])
    header, payload, signature = issue_token(SECRET)[0].split(".")
    with pytest.raises(InvalidVisitorToken):
        verify_token(f"{header}.{payload}x.{signature}", [SECRET])


def test_a_jwt_for_another_audience_with_the_same_secret_is_refused() -> None:
    now = int(datetime.now(UTC).timestamp())
    advisor = jwt.encode(
        {"sub": "advisor-0001", "iat": now, "exp": now + 60}, SECRET.encode(), algorithm="HS256"
    )
    with pytest.raises(InvalidVisitorToken):
        verify_token(advisor, [SECRET])


def test_unsigned_alg_none_token_is_refused() -> None:
    now = int(datetime.now(UTC).timestamp())
    unsigned = jwt.encode(
        {"sub": "v_visitor-0001", "aud": "aiguillage:webchat-visitor", "iat": now, "exp": now + 60},
        None,
        algorithm="none",
    )
    with pytest.raises(InvalidVisitorToken):
        verify_token(unsigned, [SECRET])


def test_short_secrets_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        issue_token("short")


def test_widget_message_is_normalised_with_the_visitor_as_sender() -> None:
    chat = adapter()
    token, session = chat.start_session()
    (message,) = chat.receive(request(fixture_bytes("webchat", "message.json"), token)).messages
    assert message.channel == "chat"
    assert message.sender_address == session.visitor_id
    assert message.provider_message_id == f"{session.visitor_id}:c-01HZY3N8Q4"
    assert (message.sender_name, message.text) == ("Inès", "Bonjour, je n'arrive pas à payer.")
    assert message.sent_at == datetime(2024, 6, 3, 8, 14, 55, tzinfo=UTC)
    assert message.metadata == {
        "email": "ines@example.fr",
        "page_url": "https://shop.example.com/checkout",
    }


def test_widget_attachment_only_message() -> None:
    chat = adapter()
    token, _ = chat.start_session()
    body = fixture_bytes("webchat", "message_with_attachment.json")
    (message,) = chat.receive(request(body, token)).messages
    (image,) = message.attachments
    assert (image.filename, image.content_type, image.size) == ("erreur.png", "image/png", 48213)


def test_missing_token_is_refused() -> None:
    with pytest.raises(InvalidVisitorToken, match="Bearer"):
        adapter().receive(WebhookRequest.of(fixture_bytes("webchat", "message.json")))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"text": "no id"}', "id"),
        (b'{"id": "has spaces", "text": "x"}', "id"),
        (b'{"id": "c-1", "text": ""}', None),
        (b'{"id": "c-1", "text": "x", "email": "nope"}', "email"),
        (b'{"id": "c-1", "attachments": [{"url": "javascript:alert(1)"}]}', "attachments.0.url"),
    ],
)
def test_invalid_widget_messages_are_422_naming_the_field(body: bytes, field: str | None) -> None:
    chat = adapter()
    token, _ = chat.start_session()
    with pytest.raises(InvalidFields) as refused:
        chat.receive(request(body, token))
    assert refused.value.status_code == 422 and refused.value.field == field


def test_a_widget_body_that_is_not_json_is_malformed() -> None:
    chat = adapter()
    token, _ = chat.start_session()
    with pytest.raises(MalformedPayload) as refused:
        chat.receive(request(b"not json", token))
    assert refused.value.status_code == 400


async def test_send_renders_a_frame_for_the_visitor() -> None:
    outbox = Outbox()
    chat = adapter(outbox)
    result = await chat.send(
        OutboundMessage(
            channel="chat",
            to="v_visitor-0001",
            text="Je regarde votre paiement.",
            reply_to=Threading(message_id="v_visitor-0001:c-01HZY3N8Q4"),
            idempotency_key="77",
            metadata={"advisor_name": "Marc"},
        )
    )
    ((visitor, frame),) = outbox.frames
    assert visitor == "v_visitor-0001"
    assert result.provider_message_id == frame["id"] == "agent_77"
    assert frame["text"] == "Je regarde votre paiement."
    assert frame["author_name"] == "Marc"
    assert frame["reply_to"] == "v_visitor-0001:c-01HZY3N8Q4"
    assert frame["sent_at"].endswith("Z")
