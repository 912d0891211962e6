"""Meta webhooks (Messenger, Instagram, WhatsApp): handshake, signatures, recorded payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from channels.adapter import WebhookRequest
from channels.base import DeliveryState, MessageKind, ParseResult
from channels.errors import HandshakeRejected, MalformedPayload, PayloadTooLarge, SignatureMismatch
from channels.meta.adapter import (
    InstagramAdapter,
    MessengerAdapter,
    MetaAdapter,
    MetaConfig,
    WhatsAppAdapter,
)
from channels.meta.graph import GraphTarget
from channels.meta.signature import sign
from tests.channels.support import fixture_bytes

SECRET = "meta-app-secret-for-tests"
CONFIG = MetaConfig(
    app_secret=SECRET, verify_token="verify-me", target=GraphTarget(access_token="token")
)


@pytest.fixture
def client() -> httpx.AsyncClient:
    return httpx.AsyncClient()  # never used by verify/parse; senders are tested elsewhere


def adapter(kind: type[MetaAdapter], client: httpx.AsyncClient) -> MetaAdapter:
    return kind(CONFIG, client)


def signed(body: bytes, secret: str = SECRET) -> WebhookRequest:
    return WebhookRequest.of(body, {"X-Hub-Signature-256": sign(body, secret)})


def receive(kind: type[MetaAdapter], name: str, client: httpx.AsyncClient) -> ParseResult:
    return adapter(kind, client).receive(signed(fixture_bytes("meta", f"{name}.json")))


# --- handshake and signatures -------------------------------------------------------


def test_handshake_echoes_the_challenge(client: httpx.AsyncClient) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verify-me",
        "hub.challenge": "1158201444",
    }
    reply = adapter(MessengerAdapter, client).handshake(query)
    assert (reply.body, reply.media_type) == ("1158201444", "text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me"},
    ],
)
def test_handshake_rejects_wrong_token_or_mode(
    query: dict[str, str], client: httpx.AsyncClient
) -> None:
    with pytest.raises(HandshakeRejected):
        adapter(WhatsAppAdapter, client).handshake(query)


def test_unsigned_request_is_rejected(client: httpx.AsyncClient) -> None:
    body = fixture_bytes("meta", "messenger_text.json")
    with pytest.raises(SignatureMismatch, match="missing x-hub-signature-256"):
        adapter(MessengerAdapter, client).receive(WebhookRequest.of(body))
    assert SignatureMismatch.status_code == 401


def test_request_signed_with_another_secret_is_rejected(client: httpx.AsyncClient) -> None:
    body = fixture_bytes("meta", "messenger_text.json")
    with pytest.raises(SignatureMismatch, match="does not match"):
        adapter(MessengerAdapter, client).receive(signed(body, "not-the-app-secret"))


def test_tampered_body_is_rejected(client: httpx.AsyncClient) -> None:
    body = fixture_bytes("meta", "messenger_text.json")
    request = signed(body)
    tampered = WebhookRequest.of(body.replace(b"Bonjour", b"Bonsoir"), dict(request.headers))
    with pytest.raises(SignatureMismatch):
        adapter(MessengerAdapter, client).receive(tampered)


def test_malformed_signature_header_is_rejected(client: httpx.AsyncClient) -> None:
    body = fixture_bytes("meta", "messenger_text.json")
    for header in ("sha1=abc", "sha256=", "garbage"):
        with pytest.raises(SignatureMismatch):
            adapter(MessengerAdapter, client).verify(
                WebhookRequest.of(body, {"X-Hub-Signature-256": header})
            )


def test_oversize_body_is_refused_before_anything_else(client: httpx.AsyncClient) -> None:
    small = MessengerAdapter(MetaConfig(SECRET, "v", GraphTarget("t"), max_body_bytes=100), client)
    with pytest.raises(PayloadTooLarge):
        small.receive(signed(fixture_bytes("meta", "messenger_batch.json")))


def test_signed_body_that_is_not_json_is_malformed(client: httpx.AsyncClient) -> None:
    with pytest.raises(MalformedPayload):
        adapter(MessengerAdapter, client).receive(signed(b"not json"))
    with pytest.raises(MalformedPayload):
        adapter(MessengerAdapter, client).receive(signed(b"[1, 2]"))


# --- Messenger ------------------------------------------------------------------------


def test_messenger_text(client: httpx.AsyncClient) -> None:
    (message,) = receive(MessengerAdapter, "messenger_text", client).messages
    assert message.channel == "messenger"
    assert message.provider_message_id == "m_AbC123-text"
    assert message.sender_address == "7012345678901234"
    assert message.text == "Bonjour, ma commande 10293 n'est pas arrivée."
    assert message.kind is MessageKind.message
    assert message.sent_at == datetime(2024, 6, 3, 10, 14, 55, 123000, tzinfo=UTC)
    assert message.metadata["recipient_id"] == "106512345678901"
    json.dumps(message.metadata)  # JSON-safe


def test_messenger_quick_reply_is_a_postback_with_text(client: httpx.AsyncClient) -> None:
    (message,) = receive(MessengerAdapter, "messenger_quick_reply", client).messages
    assert message.kind is MessageKind.postback
    assert (message.text, message.postback_payload) == ("Suivre ma commande", "TRACK_ORDER")


def test_messenger_postback(client: httpx.AsyncClient) -> None:
    (message,) = receive(MessengerAdapter, "messenger_postback", client).messages
    assert message.kind is MessageKind.postback
    assert message.provider_message_id == "m_AbC125-pb"
    assert (message.text, message.postback_payload) == ("Parler à un conseiller", "HUMAN_AGENT")


def test_postback_without_mid_gets_a_stable_id(client: httpx.AsyncClient) -> None:
    first = receive(MessengerAdapter, "messenger_postback_without_mid", client).messages[0]
    again = receive(MessengerAdapter, "messenger_postback_without_mid", client).messages[0]
    assert first.provider_message_id == again.provider_message_id
    assert first.provider_message_id.startswith("sha256:")


def test_messenger_attachments_carry_urls(client: httpx.AsyncClient) -> None:
    (message,) = receive(MessengerAdapter, "messenger_attachments", client).messages
    image, file, link = message.attachments
    assert (image.content_type, image.url) == (
        "image/*",
        "https://scontent.example.net/v/photo-1.jpg?oh=abc",
    )
    assert file.content_type == "application/octet-stream"
    assert (link.content_type, link.filename) == ("application/vnd.meta.fallback", "Product 42")
    assert message.text == ""


def test_messenger_reply_to_is_threading(client: httpx.AsyncClient) -> None:
    (message,) = receive(MessengerAdapter, "messenger_reply_to", client).messages
    assert message.threading.in_reply_to == "m_OurReply-1"


def test_messenger_delivery_status(client: httpx.AsyncClient) -> None:
    result = receive(MessengerAdapter, "messenger_delivery", client)
    (status,) = result.statuses
    assert not result.messages
    assert status.state is DeliveryState.delivered
    assert status.provider_message_ids == ("m_OurReply-1", "m_OurReply-2")
    assert status.recipient_address == "7012345678901234"
    assert status.watermark == datetime(2024, 6, 3, 10, 14, 59, tzinfo=UTC)


def test_messenger_read_status_is_a_watermark(client: httpx.AsyncClient) -> None:
    (status,) = receive(MessengerAdapter, "messenger_read", client).statuses
    assert status.state is DeliveryState.read
    assert status.provider_message_ids == ()
    assert status.watermark == datetime(2024, 6, 3, 10, 14, 59, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("messenger_echo", "echo of a message we sent"),
        ("messenger_reaction", "messaging event 'reaction' is not handled"),
        ("messenger_standby", "standby event: another app owns this conversation"),
        ("page_feed_change", "field 'feed' is not handled"),
    ],
)
def test_unhandled_messenger_events_are_ignored_with_a_reason(
    name: str, reason: str, client: httpx.AsyncClient
) -> None:
    result = receive(MessengerAdapter, name, client)
    assert not result.messages and not result.statuses
    (ignored,) = result.ignored
    assert ignored.reason.startswith(reason)
    assert ignored.where.startswith("entry[0]")
    json.dumps(ignored.event)


def test_a_batch_of_entries_yields_every_event(client: httpx.AsyncClient) -> None:
    result = receive(MessengerAdapter, "messenger_batch", client)
    assert [m.text for m in result.messages] == ["first", "second"]
    assert [m.sender_address for m in result.messages] == ["7012345678901234", "7099999999999999"]
    assert [s.state for s in result.statuses] == [DeliveryState.read]


def test_a_payload_for_another_platform_is_ignored(client: httpx.AsyncClient) -> None:
    result = receive(MessengerAdapter, "whatsapp_text", client)
    (ignored,) = result.ignored
    assert ignored.reason == "object 'whatsapp_business_account' is not 'page'"


def test_retried_delivery_gives_the_same_ids(client: httpx.AsyncClient) -> None:
    first = receive(MessengerAdapter, "messenger_batch", client)
    again = receive(MessengerAdapter, "messenger_batch", client)
    assert [m.provider_message_id for m in first.messages] == [
        m.provider_message_id for m in again.messages
    ]
    assert first.statuses[0].provider_event_id == again.statuses[0].provider_event_id


# --- Instagram ------------------------------------------------------------------------


def test_instagram_text(client: httpx.AsyncClient) -> None:
    (message,) = receive(InstagramAdapter, "instagram_text", client).messages
    assert message.channel == "instagram"
    assert message.sender_address == "5301234567890123"
    assert message.text == "Hi! Is the blue one back in stock?"


def test_instagram_story_mention_is_an_attachment(client: httpx.AsyncClient) -> None:
    (message,) = receive(InstagramAdapter, "instagram_story_mention", client).messages
    (mention,) = message.attachments
    assert mention.content_type == "application/vnd.meta.story_mention"
    assert mention.url and mention.url.startswith("https://lookaside.example.net/")


def test_instagram_read_names_the_message(client: httpx.AsyncClient) -> None:
    (status,) = receive(InstagramAdapter, "instagram_read", client).statuses
    assert status.provider_message_ids == ("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE-ours",)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("instagram_deleted", "the sender deleted this message"),
        ("instagram_comment_change", "field 'comments' is not handled"),
    ],
)
def test_unhandled_instagram_events_are_ignored(
    name: str, reason: str, client: httpx.AsyncClient
) -> None:
    (ignored,) = receive(InstagramAdapter, name, client).ignored
    assert ignored.reason == reason


# --- WhatsApp -------------------------------------------------------------------------


def test_whatsapp_text_with_profile_name_and_context(client: httpx.AsyncClient) -> None:
    (message,) = receive(WhatsAppAdapter, "whatsapp_text", client).messages
    assert message.channel == "whatsapp"
    assert message.sender_address == "33612345678"
    assert message.sender_name == "Léa Moreau"
    assert message.text == "Bonjour, où en est mon remboursement ?"
    assert message.threading.in_reply_to == "wamid.OURS-1"
    assert message.sent_at == datetime(2024, 6, 3, 10, 14, 55, tzinfo=UTC)
    assert message.metadata["phone_number_id"] == "106540352242922"


def test_whatsapp_image_is_a_media_id_attachment_with_caption(client: httpx.AsyncClient) -> None:
    (message,) = receive(WhatsAppAdapter, "whatsapp_image", client).messages
    (image,) = message.attachments
    assert (image.content_type, image.provider_ref) == ("image/jpeg", "1503926270343745")
    assert message.text == "Le carton était ouvert"


def test_whatsapp_document_keeps_its_file_name(client: httpx.AsyncClient) -> None:
    (message,) = receive(WhatsAppAdapter, "whatsapp_document", client).messages
    (document,) = message.attachments
    assert (document.filename, document.content_type) == ("facture.pdf", "application/pdf")


@pytest.mark.parametrize(
    ("name", "text", "payload"),
    [
        ("whatsapp_interactive", "Mon remboursement", "REFUND_STATUS"),
        ("whatsapp_button", "Stop promotions", "STOP_PROMOS"),
    ],
)
def test_whatsapp_replies_to_buttons_are_postbacks(
    name: str, text: str, payload: str, client: httpx.AsyncClient
) -> None:
    (message,) = receive(WhatsAppAdapter, name, client).messages
    assert message.kind is MessageKind.postback
    assert (message.text, message.postback_payload) == (text, payload)


def test_whatsapp_location_becomes_readable_text(client: httpx.AsyncClient) -> None:
    (message,) = receive(WhatsAppAdapter, "whatsapp_location", client).messages
    assert message.text == "Location: Magasin Rivoli, 1 rue de Rivoli, Paris (48.8566, 2.3522)"


def test_whatsapp_statuses_including_a_failure(client: httpx.AsyncClient) -> None:
    statuses = receive(WhatsAppAdapter, "whatsapp_statuses", client).statuses
    assert [s.state for s in statuses] == [
        DeliveryState.sent,
        DeliveryState.delivered,
        DeliveryState.read,
        DeliveryState.failed,
    ]
    assert len({s.provider_event_id for s in statuses}) == 4
    failed = statuses[-1]
    assert failed.provider_message_ids == ("wamid.OURS-2",)
    assert failed.error is not None and failed.error.code == "131047"
    assert "24 hours" in failed.error.message


def test_whatsapp_contacts_keep_their_names_and_numbers(client: httpx.AsyncClient) -> None:
    (message,) = receive(WhatsAppAdapter, "whatsapp_contacts", client).messages
    assert message.kind is MessageKind.message
    assert message.text == (
        "Shared contact: Julien Moreau (+33 6 98 76 54 32, julien.moreau@example.fr); "
        "Agence Rivoli (+33 1 40 00 00 00)"
    )


def test_whatsapp_flow_completion_reads_as_its_answers(client: httpx.AsyncClient) -> None:
    (message,) = receive(WhatsAppAdapter, "whatsapp_flow_reply", client).messages
    assert message.kind is MessageKind.message and message.review_reason is None
    assert message.text == (
        "Form completed (flow):\n"
        "- date_de_livraison: 2024-06-12\n"
        "- creneau: matin\n"
        "- commentaire: Sonner deux fois, code 4B12\n"
        '- options: ["etage", "ascenseur"]'
    )
    assert "aig-flow-7f3c2a" not in message.text  # our own token, not an answer
    assert message.threading.in_reply_to == "wamid.HBgLMzM2-our-flow-message"


def test_whatsapp_call_permission_reply_is_a_readable_postback(
    client: httpx.AsyncClient,
) -> None:
    (message,) = receive(WhatsAppAdapter, "whatsapp_call_permission_reply", client).messages
    assert message.kind is MessageKind.postback
    assert message.text == "Call permission: accepted until 2024-06-10 10:14 UTC"
    assert message.postback_payload == "call_permission:accept"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "whatsapp_interactive_error",
            "WhatsApp could not pass this interactive message on: Message type unknown "
            "(131051): Message type is currently not supported.",
        ),
        (
            "whatsapp_unsupported",
            "WhatsApp could not pass this unsupported message on: Message type unknown (131051)",
        ),
    ],
)
def test_whatsapp_messages_with_errors_are_held_with_the_reason(
    name: str, reason: str, client: httpx.AsyncClient
) -> None:
    (message,) = receive(WhatsAppAdapter, name, client).messages
    assert message.kind is MessageKind.unreadable and message.postback_payload is None
    assert message.review_reason == reason and message.text == f"[{reason}]"


@pytest.mark.parametrize(
    ("interactive", "reason"),
    [
        ({"type": "payment_method", "payment_method": {}}, "type 'payment_method' is not read"),
        ({"type": "button_reply", "button_reply": {}}, "without a title or payload"),
        ({"type": "nfm_reply", "nfm_reply": {"response_json": "{"}}, "not a JSON object"),
        ({"type": "call_permission_reply", "call_permission_reply": {}}, "None is not read"),
    ],
)
def test_whatsapp_interactive_replies_are_never_empty_postbacks(
    interactive: dict[str, object], reason: str, client: httpx.AsyncClient
) -> None:
    payload = json.loads(fixture_bytes("meta", "whatsapp_interactive.json"))
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"] = interactive
    result = adapter(WhatsAppAdapter, client).receive(signed(json.dumps(payload).encode()))
    (message,) = result.messages
    assert message.kind is MessageKind.unreadable and reason in (message.review_reason or "")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("whatsapp_reaction", "WhatsApp message type 'reaction' is not handled"),
        ("whatsapp_template_status", "field 'message_template_status_update' is not handled"),
    ],
)
def test_unhandled_whatsapp_content_is_ignored(
    name: str, reason: str, client: httpx.AsyncClient
) -> None:
    result = receive(WhatsAppAdapter, name, client)
    assert not result.messages
    assert [i.reason for i in result.ignored] == [reason]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"object": "page"},
        {"object": "page", "entry": "nope"},
        {"object": "page", "entry": [None, 3, {"messaging": [None, {"sender": {}}, {"x": 1}]}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]},
        {
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"field": "messages", "value": {"messages": [{"id": 1}]}}]}],
        },
    ],
)
def test_odd_shapes_never_raise(payload: dict[str, object], client: httpx.AsyncClient) -> None:
    body = json.dumps(payload).encode()
    for kind in (MessengerAdapter, InstagramAdapter, WhatsAppAdapter):
        result = adapter(kind, client).receive(signed(body))
        assert not result.messages
        assert result.ignored
