"""channels.email.parse on recorded messages: one test per message condition."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import MessageKind
from channels.email.parse import EmailLimits, parse_email
from channels.errors import PayloadTooLarge
from tests.channels.support import fixture_bytes


def parse(name: str, **limits: int):  # type: ignore[no-untyped-def]
    return parse_email(fixture_bytes("email", name), limits=EmailLimits(**limits))


def test_gmail_reply_prefers_plain_text_and_strips_the_quote_and_signature() -> None:
    message = parse("reply_gmail_en.eml")
    assert message.sender_address == "alice.martin@example.org"
    assert message.sender_name == "Alice Martin"
    assert message.text == (
        "Hello,\n\nThe parcel still hasn\u2019t arrived and the tracking page shows nothing"
        " since Friday. Can you check?"
    )
    assert "Your order #10293 has shipped." in message.full_text
    assert message.metadata["body"] == "text/plain"
    assert message.metadata["quoted_history"] is True
    assert message.sent_at == datetime(2024, 6, 3, 10, 14, 55, tzinfo=UTC)
    assert message.review_reason is None


def test_threading_ids_link_the_reply_to_our_message() -> None:
    threading = parse("reply_gmail_en.eml").threading
    assert threading.message_id == "<CAF3kQ9x1v+reply.7781@mail.example.org>"
    assert threading.in_reply_to == "<aiguillage.5b1c@example.com>"
    assert threading.references == (
        "<order-10293.1@shop.example.com>",
        "<aiguillage.5b1c@example.com>",
    )
    assert threading.ancestors() == (
        "<aiguillage.5b1c@example.com>",
        "<order-10293.1@shop.example.com>",
    )


def test_message_id_is_the_provider_id() -> None:
    message = parse("reply_gmail_en.eml")
    assert message.provider_message_id == "<CAF3kQ9x1v+reply.7781@mail.example.org>"


def test_missing_message_id_falls_back_to_a_digest_of_the_bytes() -> None:
    first, again = parse("no_message_id.eml"), parse("no_message_id.eml")
    assert first.provider_message_id.startswith("sha256:")
    assert first.provider_message_id == again.provider_message_id


def test_outlook_french_reply_strips_the_header_block_and_closing() -> None:
    message = parse("reply_outlook_fr.eml")
    assert message.text == (
        "Bonjour,\n\nJe n'ai toujours pas reçu ma commande. Pouvez-vous vérifier à nouveau ?"
    )
    assert "Votre commande est partie." in message.full_text
    assert message.metadata["signature"] is True


def test_latin1_encoded_word_with_a_windows_dash_reads_as_meant() -> None:
    message = parse("reply_outlook_fr.eml")
    assert message.subject == "Réf. commande 10293 – toujours rien"
    assert message.sender_name == "Jérôme Dupré"


def test_thunderbird_french_attribution_and_sig_delimiter() -> None:
    message = parse("reply_thunderbird_fr.eml")
    assert message.text == "Merci, mais le montant remboursé est de 12 € au lieu de 24 €."
    assert "Claire Petit" not in message.text
    assert "Responsable achats" in message.full_text


def test_html_only_body_becomes_clean_text_without_outlook_history() -> None:
    message = parse("html_only.eml")
    assert message.text == (
        "Hi team,\n\nI was charged twice for invoice INV-88. Please refund one of them."
    )
    assert "Please find your invoice attached." in message.full_text
    assert "<div" not in message.full_text and "margin" not in message.full_text
    assert message.metadata["body"] == "text/html"


def test_rfc2047_headers_in_two_charsets_and_a_koi8_body() -> None:
    message = parse("encoded_headers.eml")
    assert message.sender_name == "Анна Каренина"
    assert message.subject == "Problème de livraison à Paris"
    assert message.text == "Пакет не пришёл."


def test_unknown_charset_is_read_leniently_with_a_note() -> None:
    message = parse("unknown_charset.eml")
    assert message.text == "Café crème, merci."
    assert message.metadata["notes"] == ["unknown charset 'x-klingon'; read as utf-8"]
    assert message.review_reason is None


def test_mislabelled_charset_is_read_as_windows_1252() -> None:
    message = parse("mislabelled_charset.eml")
    assert message.text == "Le colis est arrivé abîmé."
    assert "read as windows-1252" in message.metadata["notes"][0]


def test_attachments_keep_name_type_size_and_bytes() -> None:
    message = parse("attachments.eml")
    pdf, png = message.attachments
    assert (pdf.filename, pdf.content_type) == ("facture n°1.pdf", "application/pdf")
    assert pdf.content is not None and pdf.content.startswith(b"%PDF-1.4")
    assert pdf.size == len(pdf.content)
    # A path in a file name is never trusted.
    assert (png.filename, png.content_type, png.content_id) == (
        "screen.png",
        "image/png",
        "<photo1@example.org>",
    )
    assert message.text == "The screen arrived cracked. Photo and invoice attached."


def test_attachment_above_the_limit_is_described_not_kept() -> None:
    message = parse("attachments.eml", max_attachment_bytes=40)
    pdf, png = message.attachments
    assert pdf.content is None and pdf.size == 66
    assert pdf.omitted == "attachment of 66 bytes is above the 40-byte limit; not kept"
    assert png.content is not None


def test_oversize_message_is_refused_with_a_clear_error() -> None:
    raw = fixture_bytes("email", "attachments.eml")
    with pytest.raises(PayloadTooLarge, match=f"message is {len(raw)} bytes; the limit is 100"):
        parse_email(raw, limits=EmailLimits(max_message_bytes=100))
    assert PayloadTooLarge.status_code == 413


def test_malformed_mime_is_kept_and_flagged_for_review() -> None:
    message = parse("broken_boundary.eml")
    assert message.needs_review
    assert "malformed MIME" in (message.review_reason or "")
    assert "Where is my refund?" in message.text
    assert message.raw == fixture_bytes("email", "broken_boundary.eml")


def test_bytes_that_are_not_mail_do_not_crash_the_parser() -> None:
    message = parse_email(b"\x00\xff\xfe garbage \r\n\r\n\x00 more")
    assert message.needs_review
    assert message.provider_message_id.startswith("sha256:")


def test_bounce_is_classified_and_threaded_to_our_original() -> None:
    message = parse("bounce_dsn.eml")
    assert message.kind is MessageKind.bounce
    assert message.threading.in_reply_to == "<aiguillage.out42@example.com>"
    report = message.metadata["report"]
    assert report["type"] == "delivery-status"
    assert report["recipients"] == [
        {
            "final-recipient": "rfc822; nobody@example.net",
            "action": "failed",
            "status": "5.1.1",
            "diagnostic-code": "smtp; 550 5.1.1 User unknown",
        }
    ]


def test_auto_reply_is_classified() -> None:
    message = parse("auto_reply.eml")
    assert message.kind is MessageKind.auto_reply
    assert message.threading.in_reply_to == "<aiguillage.t9@example.com>"


def test_leading_blank_lines_and_mbox_from_line_do_not_hide_headers() -> None:
    raw = b"\n\nFrom someone@example.com Mon Jun  3 10:00:00 2024\n" + fixture_bytes(
        "email", "auto_reply.eml"
    )
    assert parse_email(raw).sender_address == "eva@example.es"


def test_a_giant_encoded_subject_is_parsed_quickly_and_truncated() -> None:
    word = "=?utf-8?q?Die_hei=C3=9Fe_Zypernsonne?="
    raw = ("Subject: " + "\n ".join([word] * 20_000) + "\nFrom: a@example.com\n\nhi\n").encode()
    message = parse_email(raw)
    assert message.subject is not None and message.subject.startswith("Die heiße Zypernsonne")
    assert len(message.subject) <= 998
