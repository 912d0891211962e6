"""Outbound email through a real SMTP server (aiosmtpd) on a loopback port."""

from __future__ import annotations

import pytest

from channels.base import Attachment, OutboundMessage
from channels.email.adapter import EmailAdapter, EmailConfig
from channels.email.parse import parse_email
from channels.email.send import SmtpSettings, build_email
from channels.errors import PermanentSendError, TransientSendError
from tests.channels.conftest import SmtpServer
from tests.channels.support import closed_port, fixture_bytes


def adapter(port: int) -> EmailAdapter:
    return EmailAdapter(
        EmailConfig(
            from_address="support@example.com",
            from_name="Service client",
            smtp=SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5),
        )
    )


def reply_to_gmail_message(**changes: object) -> OutboundMessage:
    customer = parse_email(fixture_bytes("email", "reply_gmail_en.eml"))
    fields: dict[str, object] = {
        "channel": "email",
        "to": customer.sender_address,
        "to_name": customer.sender_name,
        "text": "Hello Alice,\n\nThe carrier lost it; a new parcel leaves today.\n\nMarc",
        "subject": customer.subject,
        "reply_to": customer.threading,
        "idempotency_key": "outbound-42",
        **changes,
    }
    return OutboundMessage(**fields)  # type: ignore[arg-type]


async def test_reply_reaches_the_server_with_threading_headers(smtp_server: SmtpServer) -> None:
    result = await adapter(smtp_server.port).send(reply_to_gmail_message())

    (envelope,) = smtp_server.recorder.envelopes
    assert envelope.mail_from == "support@example.com"
    assert envelope.rcpt_tos == ["alice.martin@example.org"]
    received = parse_email(envelope.original_content or b"")
    assert received.subject == "Re: Your order #10293 has shipped"
    assert received.threading.message_id == result.provider_message_id
    assert received.threading.in_reply_to == "<CAF3kQ9x1v+reply.7781@mail.example.org>"
    assert received.threading.references == (
        "<order-10293.1@shop.example.com>",
        "<aiguillage.5b1c@example.com>",
        "<CAF3kQ9x1v+reply.7781@mail.example.org>",
    )
    assert received.text.startswith("Hello Alice,")
    assert received.sender_name == "Service client"


async def test_the_customers_next_answer_threads_back_to_our_reply(
    smtp_server: SmtpServer,
) -> None:
    result = await adapter(smtp_server.port).send(reply_to_gmail_message())
    ours = parse_email(smtp_server.recorder.envelopes[0].original_content or b"")
    answer = build_email(
        OutboundMessage(
            channel="email",
            to="support@example.com",
            text="Thank you!",
            subject=ours.subject,
            reply_to=ours.threading,
        ),
        from_address="alice.martin@example.org",
    )
    parsed = parse_email(answer.as_bytes())
    assert parsed.threading.in_reply_to == result.provider_message_id
    assert parsed.subject == "Re: Your order #10293 has shipped"


def test_message_id_is_stable_for_one_idempotency_key() -> None:
    first = build_email(reply_to_gmail_message(), from_address="support@example.com")
    again = build_email(reply_to_gmail_message(), from_address="support@example.com")
    other = build_email(
        reply_to_gmail_message(idempotency_key="outbound-43"), from_address="support@example.com"
    )
    assert first["Message-ID"] == again["Message-ID"] != other["Message-ID"]
    assert str(first["Message-ID"]).endswith("@example.com>")


async def test_attachments_and_non_ascii_are_delivered(smtp_server: SmtpServer) -> None:
    message = reply_to_gmail_message(
        to_name="Zoë Ångström",
        text="Voilà la facture réémise.",
        attachments=(Attachment("facture n°2.pdf", "application/pdf", content=b"%PDF-1.4 x"),),
    )
    await adapter(smtp_server.port).send(message)
    received = parse_email(smtp_server.recorder.envelopes[0].original_content or b"")
    assert received.text == "Voilà la facture réémise."
    (pdf,) = received.attachments
    assert (pdf.filename, pdf.content) == ("facture n°2.pdf", b"%PDF-1.4 x")


async def test_a_5xx_refusal_is_permanent_with_the_smtp_code(smtp_server: SmtpServer) -> None:
    smtp_server.recorder.rcpt_reply = "550 5.1.1 <alice.martin@example.org>: user unknown"
    with pytest.raises(PermanentSendError) as caught:
        await adapter(smtp_server.port).send(reply_to_gmail_message())
    assert caught.value.provider_code == "550"
    assert "user unknown" in (caught.value.provider_message or "")


async def test_a_4xx_refusal_is_transient(smtp_server: SmtpServer) -> None:
    smtp_server.recorder.data_reply = "451 4.3.0 try again later"
    with pytest.raises(TransientSendError) as caught:
        await adapter(smtp_server.port).send(reply_to_gmail_message())
    assert caught.value.provider_code == "451"
    assert not caught.value.maybe_delivered


async def test_an_unreachable_server_is_transient() -> None:
    with pytest.raises(TransientSendError, match="cannot reach the SMTP server"):
        await adapter(closed_port()).send(reply_to_gmail_message())


def test_an_invalid_recipient_is_refused_before_connecting() -> None:
    with pytest.raises(PermanentSendError, match="invalid recipient address"):
        build_email(reply_to_gmail_message(to="not-an-address"), from_address="s@example.com")


def test_header_injection_in_the_subject_is_neutralised() -> None:
    email = build_email(
        reply_to_gmail_message(subject="Hi\r\nBcc: victim@example.com", reply_to=None),
        from_address="s@example.com",
    )
    assert email["Bcc"] is None
    assert email["Subject"] == "Hi Bcc: victim@example.com"
