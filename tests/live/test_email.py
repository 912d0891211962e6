"""Email into the service three ways (SMTP listener, raw POST, importer), threading, bounces."""

from __future__ import annotations

import asyncio
import mailbox
import smtplib
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from router.cli.main import app as cli
from router.settings import Settings
from tests.channels.conftest import SmtpServer
from tests.channels.support import FakeProvider, closed_port, fixture_bytes
from tests.conftest import admin_client, wait_for
from tests.live.conftest import SUPPORT, with_channels
from tests.live.support import (
    conversation,
    events_of,
    messages,
    processed,
    reply_status,
)

RAW = {"Content-Type": "message/rfc822"}


def mail(
    sender: str,
    message_id: str,
    subject: str,
    body: str,
    *,
    in_reply_to: str | None = None,
    extra: str = "",
) -> bytes:
    headers = [
        f"From: {sender}",
        f"To: {SUPPORT}",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Date: Mon, 23 Nov 2026 10:00:00 +0100",
    ]
    if in_reply_to:
        headers += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    return ("\r\n".join(headers) + f"\r\n{extra}\r\n{body}\r\n").encode()


def smtp_send(port: int, raw: bytes, rcpt: str = SUPPORT) -> dict[str, Any]:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        return dict(client.sendmail("dana@example.org", [rcpt], raw))


async def test_an_smtp_client_delivers_to_our_listener(
    settings: Settings, provider: FakeProvider, smtp_server: SmtpServer
) -> None:
    port = closed_port()
    listening = with_channels(settings, provider, smtp_server.port).model_copy(
        update={
            "smtp_listen_port": port,
            "email_max_message_bytes": 64 * 1024,
            "smtp_accept_domains": ["aiguillage.test"],
        }
    )
    async with admin_client(listening) as http:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            await asyncio.to_thread(
                smtp_send, port, fixture_bytes("email", "attachments.eml"), "x@elsewhere.test"
            )
        assert refused.value.recipients["x@elsewhere.test"][0] == 550
        assert (
            await asyncio.to_thread(smtp_send, port, fixture_bytes("email", "attachments.eml"))
            == {}
        )
        (stored,) = await messages(http, channel="email")
        assert (stored.sender_address, stored.external_id) == (
            "dana@example.org",
            "<attach-1@example.org>",
        )
        assert stored.meta["envelope"]["rcpt_to"] == [SUPPORT]
        original = await http.get(f"/v1/messages/{stored.id}/original")
        sent = fixture_bytes("email", "attachments.eml")  # smtplib sends CRLF line ends
        assert original.content.replace(b"\r\n", b"\n").rstrip() == sent.rstrip()

        big = mail("dana@example.org", "<big@example.org>", "Big", "x" * 70_000)
        with pytest.raises(smtplib.SMTPException) as too_big:
            await asyncio.to_thread(smtp_send, port, big)
        assert getattr(too_big.value, "smtp_code", None) == 552

        broken = await asyncio.to_thread(
            smtp_send, port, fixture_bytes("email", "broken_boundary.eml")
        )
        assert broken == {}
        after = mail("eve@example.org", "<after-broken@example.org>", "Still there?", "Hello")
        assert await asyncio.to_thread(smtp_send, port, after) == {}
        flagged = (await messages(http, external_id="<broken-1@example.com>"))[0]
        assert flagged.review_reason and "malformed MIME" in flagged.review_reason
        assert "Where is my refund?" in flagged.text
        assert len(await messages(http, channel="email")) == 3
        await processed(http, stored.id or 0)


async def test_raw_email_post_keeps_attachments_and_the_original(live: httpx.AsyncClient) -> None:
    raw = fixture_bytes("email", "attachments.eml")
    first = await live.post("/v1/email/inbound", content=raw, headers=RAW)
    assert first.status_code == 202, first.text
    again = await live.post("/v1/email/inbound", content=raw, headers=RAW)
    assert again.json()["duplicates"] == 1 and again.json()["ids"] == first.json()["ids"]
    message_id = first.json()["ids"][0]
    message = (await live.get(f"/v1/messages/{message_id}")).json()
    assert message["text"] == "The screen arrived cracked. Photo and invoice attached."
    assert message["review_reason"] is None
    listed = (await live.get(f"/v1/messages/{message_id}/attachments")).json()
    assert [(a["filename"], a["content_type"], a["kept"]) for a in listed] == [
        ("facture n°1.pdf", "application/pdf", True),
        ("screen.png", "image/png", True),  # the sender's path is not trusted
    ]
    pdf = await live.get(f"/v1/messages/{message_id}/attachments/{listed[0]['id']}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert (await live.get(f"/v1/messages/{message_id}/original")).content == raw


async def test_raw_email_limits_and_key_channels(
    settings: Settings, provider: FakeProvider, smtp_server: SmtpServer
) -> None:
    small = with_channels(settings, provider, smtp_server.port).model_copy(
        update={"email_max_message_bytes": 4096}
    )
    async with admin_client(small) as http:
        big = mail("a@example.org", "<big@example.org>", "Big", "x" * 5000)
        too_big = await http.post("/v1/email/inbound", content=big, headers=RAW)
        assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
        empty = await http.post("/v1/email/inbound", content=b"  ", headers=RAW)
        assert empty.status_code == 422
        key = await http.post(
            "/v1/api-keys",
            json={"name": "chat only", "scopes": ["messages:write"], "channels": ["chat"]},
        )
        refused = await http.post(
            "/v1/email/inbound",
            content=mail("a@example.org", "<k@example.org>", "Hi", "Hello"),
            headers={**RAW, "X-API-Key": key.json()["secret"], "Authorization": ""},
        )
        assert refused.status_code == 403
        assert await messages(http) == []


async def test_threading_links_replies_reopens_and_fails_on_bounce(
    live: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    first = await live.post(
        "/v1/email/inbound",
        content=mail(
            "Ana <ana@example.fr>", "<c1@example.fr>", "Commande 42", "Où est mon colis ?"
        ),
        headers=RAW,
    )
    customer_message = await processed(live, first.json()["ids"][0])
    conversation_id = customer_message.conversation_id

    reply = await live.post(
        f"/v1/conversations/{conversation_id}/replies", json={"text": "Il part demain."}
    )
    assert reply.status_code == 202, reply.text
    sent = await reply_status(live, reply.json()["id"], "sent")
    (envelope,) = smtp_server.recorder.envelopes
    email = message_from_bytes(envelope.original_content or b"", policy=default_policy)
    assert envelope.rcpt_tos == ["ana@example.fr"]
    assert email["In-Reply-To"] == "<c1@example.fr>"
    assert "<c1@example.fr>" in email["References"]
    assert email["Subject"] == "Re: Commande 42"
    assert email["Message-ID"] == sent["provider_message_id"]
    ours = sent["provider_message_id"]

    # An answer in the thread from another address is no proof of who writes: it joins the
    # conversation as a participant's message; a supervisor who knows it is the customer
    # merges the two records, and only then is the address the customer's.
    other = await live.post(
        "/v1/email/inbound",
        content=mail(
            "ana.pro@work.example",
            "<c2@work.example>",
            "Re: Commande 42",
            "Merci",
            in_reply_to=ours,
        ),
        headers=RAW,
    )
    answer = await processed(live, other.json()["ids"][0])
    assert answer.conversation_id == conversation_id
    assert answer.customer_id != customer_message.customer_id
    assert "participant" in answer.meta
    assert await events_of(live, "customer.identity_linked") == []
    merged = await live.post(
        f"/v1/customers/{customer_message.customer_id}/merge",
        json={"duplicate_id": answer.customer_id},
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["identities"] == 1 and merged.json()["messages"] == 1

    # Our reply bounced: held (nobody is assigned a mailer-daemon), the reply fails.
    bounce = await live.post("/v1/email/inbound", content=_bounce(ours), headers=RAW)
    (held,) = await messages(live, id=bounce.json()["ids"][0])
    assert held.status == "held" and held.conversation_id == conversation_id
    failed = (await live.get(f"/v1/messages/{sent['id']}")).json()
    assert failed["status"] == "failed" and "5.1.1" in failed["error"]

    # After resolution a reply in the thread reopens the same conversation.
    assert (await live.post(f"/v1/conversations/{conversation_id}/resolve")).status_code == 200
    late = await live.post(
        "/v1/email/inbound",
        content=mail(
            "ana@example.fr",
            "<c3@example.fr>",
            "Re: Commande 42",
            "Toujours rien",
            in_reply_to=ours,
        ),
        headers=RAW,
    )
    reopened = await processed(live, late.json()["ids"][0])
    assert reopened.conversation_id == conversation_id
    assert (await conversation(live, conversation_id)).status != "resolved"
    assert len(await events_of(live, "conversation.reopened")) == 1


def _bounce(our_id: str) -> bytes:
    return (
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
        f"To: {SUPPORT}\r\n"
        "Subject: Delivery Status Notification (Failure)\r\n"
        "Message-ID: <bounce-1@mx.google.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.google.example\r\n\r\n"
        "Final-Recipient: rfc822; ana@example.fr\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {SUPPORT}\r\nTo: ana@example.fr\r\nMessage-ID: {our_id}\r\n\r\n"
        "--b--\r\n"
    ).encode()


async def test_email_import_of_eml_mbox_and_maildir(settings: Settings, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(fixture_bytes("email", "attachments.eml"))
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("reply_gmail_en.eml", "html_only.eml"):
        (folder / name).write_bytes(fixture_bytes("email", name))
    (folder / "huge.eml").write_bytes(mail("h@example.org", "<huge@x>", "Huge", "y" * 30_000))
    box = mailbox.mbox(tmp_path / "archive.mbox")
    for name in ("reply_outlook_fr.eml", "broken_boundary.eml"):
        box.add(fixture_bytes("email", name))
    box.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(fixture_bytes("email", "no_message_id.eml"))
    maildir.add(fixture_bytes("email", "attachments.eml"))  # already in one.eml
    paths = [str(p) for p in (eml, folder, tmp_path / "archive.mbox", tmp_path / "Maildir")]
    env = {
        "AIGUILLAGE_DATABASE_URL": settings.database_url,
        "AIGUILLAGE_EMAIL_MAX_MESSAGE_BYTES": "20000",
        "AIGUILLAGE_LOG_LEVEL": "WARNING",
    }

    def run() -> Any:
        return CliRunner().invoke(cli, ["email", "import", *paths], env=env)

    result = await asyncio.to_thread(run)
    assert result.exit_code == 0, result.output
    assert "imported 6, duplicates 1, flagged 1, rejected 1" in result.output
    assert "huge.eml" in result.output and "the limit is 20000" in result.output
    again = await asyncio.to_thread(run)
    assert "imported 0, duplicates 7, flagged 0, rejected 1" in again.output

    # The service routes what was imported (its outbox sweep publishes the rows).
    async with admin_client(settings) as http:
        stored = await messages(http, channel="email")
        assert len(stored) == 6

        async def all_routed() -> bool:
            rows = await messages(http, channel="email")
            return all(m.conversation_id for m in rows)

        await wait_for(all_routed)


async def test_erasing_a_customer_removes_their_originals_and_attachments(
    live: httpx.AsyncClient,
) -> None:
    posted = await live.post(
        "/v1/email/inbound", content=fixture_bytes("email", "attachments.eml"), headers=RAW
    )
    message = await processed(live, posted.json()["ids"][0])
    await live.post(f"/v1/conversations/{message.conversation_id}/resolve")
    erased = await live.post(f"/v1/customers/{message.customer_id}/erase")
    assert erased.status_code == 200, erased.text
    assert (await live.get(f"/v1/messages/{message.id}/original")).status_code == 404
    assert (await live.get(f"/v1/messages/{message.id}/attachments")).json() == []
