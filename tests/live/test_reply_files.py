"""Files both ways: advisors attach files to replies (e-mail MIME parts, web-chat downloads,
WhatsApp and Messenger media uploads), and customers' WhatsApp and Messenger media are
fetched from the provider by our service when an advisor downloads them."""

from __future__ import annotations

import base64
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

import httpx

from tests.channels.conftest import SmtpServer
from tests.channels.support import FakeProvider, Reply, fixture_json
from tests.live.conftest import PAGE_ID, WA_NUMBER_ID
from tests.live.support import messenger_text, meta_request, processed, reply_status

PDF = b"%PDF-1.4\n%\xc4\xe5\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
RAW = {"Content-Type": "message/rfc822"}


def _file(name: str, content_type: str, content: bytes) -> dict[str, str]:
    return {
        "filename": name,
        "content_type": content_type,
        "content": base64.b64encode(content).decode(),
    }


async def _reply(http: httpx.AsyncClient, conversation_id: int, **body: Any) -> httpx.Response:
    return await http.post(f"/v1/conversations/{conversation_id}/replies", json=body)


async def _conversation(http: httpx.AsyncClient, payload: dict[str, Any]) -> int:
    posted = await http.post("/v1/webhooks/meta", **meta_request(payload))
    assert posted.status_code == 200, posted.text
    message = await processed(http, posted.json()["ids"][0])
    assert message.conversation_id is not None
    return message.conversation_id


async def test_an_email_reply_carries_its_files_as_mime_attachments(
    live: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    raw = (
        b"From: Ana <ana@example.fr>\r\nTo: support@aiguillage.test\r\n"
        b"Message-ID: <f1@example.fr>\r\nSubject: Retour\r\n\r\nComment renvoyer le colis ?\r\n"
    )
    posted = await live.post("/v1/email/inbound", content=raw, headers=RAW)
    conversation_id = (await processed(live, posted.json()["ids"][0])).conversation_id
    assert conversation_id is not None
    reply = await _reply(
        live,
        conversation_id,
        text="Voici l'étiquette.",
        attachments=[_file("etiquette/retour.pdf", "application/pdf", PDF)],
    )
    assert reply.status_code == 202, reply.text
    await reply_status(live, reply.json()["id"], "sent")
    (envelope,) = smtp_server.recorder.envelopes
    email = message_from_bytes(envelope.original_content or b"", policy=default_policy)
    (part,) = list(email.iter_attachments())  # type: ignore[attr-defined]
    assert part.get_filename() == "etiquette_retour.pdf"  # no path separator goes out
    assert (part.get_content_type(), part.get_content()) == ("application/pdf", PDF)
    # The advisor sees the file on their reply, as on an inbound message.
    (listed,) = (await live.get(f"/v1/messages/{reply.json()['id']}/attachments")).json()
    assert (listed["filename"], listed["size"], listed["kept"]) == (
        "etiquette_retour.pdf",
        len(PDF),
        True,
    )
    got = await live.get(f"/v1/messages/{reply.json()['id']}/attachments/{listed['id']}")
    assert got.content == PDF


async def test_whatsapp_and_messenger_replies_upload_their_files_first(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    wa = await _conversation(live, fixture_json("meta", "whatsapp_text"))
    provider.script(f"/v21.0/{WA_NUMBER_ID}/media", Reply(200, {"id": "4490709327384033"}))
    provider.script(
        f"/v21.0/{WA_NUMBER_ID}/messages",
        Reply(200, {"messages": [{"id": "wamid.file-1"}]}),
    )
    reply = await _reply(live, wa, attachments=[_file("photo.png", "image/png", PNG)])
    assert reply.status_code == 202, reply.text
    await reply_status(live, reply.json()["id"], "sent")
    upload, send = provider.requests[-2:]
    assert upload.path == f"/v21.0/{WA_NUMBER_ID}/media"
    assert upload.headers["authorization"] == "Bearer wa-token"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert PNG in upload.body and b'name="messaging_product"' in upload.body
    assert (send.json["type"], send.json["image"]) == ("image", {"id": "4490709327384033"})

    provider.reset()
    fb = await _conversation(live, messenger_text("m_files_1", "7012345678909999", "Facture ?"))
    provider.script(f"/v21.0/{PAGE_ID}/message_attachments", Reply(200, {"attachment_id": "77"}))
    sent = [Reply(200, {"message_id": f"m_file_{n}"}) for n in (2, 3)]
    provider.script(f"/v21.0/{PAGE_ID}/messages", *sent)
    reply = await _reply(
        live, fb, text="La facture :", attachments=[_file("f.pdf", "application/pdf", PDF)]
    )
    await reply_status(live, reply.json()["id"], "sent")
    upload, text, attachment = provider.requests[-3:]
    assert PDF in upload.body and b'name="filedata"' in upload.body
    assert text.json["message"] == {"text": "La facture :"}
    assert attachment.json["message"]["attachment"] == {
        "type": "file",
        "payload": {"attachment_id": "77"},
    }


async def test_files_outside_the_limits_are_refused_with_a_reason(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    wa = await _conversation(live, fixture_json("meta", "whatsapp_text"))
    over = 5 * 1024 * 1024 + 1  # AIGUILLAGE_REPLY_FILE_MAX_BYTES by default, plus one
    cases = [
        ([_file("a.html", "text/html", b"<p>hi</p>")], 422, "text/html is not accepted"),
        ([_file("big.pdf", "application/pdf", b"x" * over)], 413, "the limit is 5242880"),
        ([_file("empty.txt", "text/plain", b"")], 422, "empty.txt is empty"),
        ([_file(f"{n}.txt", "text/plain", b"x") for n in range(6)], 422, "at most 5"),
        ([_file("a.txt", "text/plain", b"x")], 422, "files cannot be sent on x"),
    ]
    for files, status, reason in cases:
        refused = await _reply(
            live, wa, attachments=files, channel="x" if "on x" in reason else None
        )
        assert refused.status_code == status, refused.text
        assert reason in refused.json()["detail"]
    garbled = {"filename": "a.txt", "content_type": "text/plain", "content": "%%"}
    not_base64 = await _reply(live, wa, attachments=[garbled])
    assert not_base64.status_code == 422 and "base64" in not_base64.text
    assert not [r for r in provider.requests if "media" in r.path]


async def test_a_chat_visitor_downloads_the_advisors_file_and_their_own(
    live: httpx.AsyncClient,
) -> None:
    session = (await live.post("/v1/chat/sessions")).json()
    visitor = {"Authorization": f"Bearer {session['token']}"}
    upload = await live.post(
        "/v1/chat/files",
        params={"id": "f-1", "filename": "ticket.png"},
        content=PNG,
        headers={**visitor, "Content-Type": "image/png"},
    )
    assert upload.status_code == 202, upload.text
    conversation_id = (await processed(live, upload.json()["ids"][0])).conversation_id
    assert conversation_id is not None
    reply = await _reply(
        live, conversation_id, attachments=[_file("notice.pdf", "application/pdf", PDF)]
    )
    await reply_status(live, reply.json()["id"], "sent", "delivered")
    feed = (await live.get("/v1/chat/messages", headers=visitor)).json()["messages"]
    (mine,), (theirs,) = (m["attachments"] for m in feed)
    assert theirs["filename"] == "notice.pdf"
    assert (await live.get(theirs["url"], headers=visitor)).content == PDF
    own = await live.get(mine["url"], headers=visitor)
    assert own.content == PNG and own.headers["content-disposition"].startswith("attachment")
    stranger = (await live.post("/v1/chat/sessions")).json()
    other = await live.get(theirs["url"], headers={"Authorization": f"Bearer {stranger['token']}"})
    assert other.status_code == 404
    assert (await live.get(theirs["url"])).status_code == 401


async def test_customers_whatsapp_and_messenger_media_download_through_our_service(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    posted = await live.post(
        "/v1/webhooks/meta", **meta_request(fixture_json("meta", "whatsapp_image"))
    )
    message = await processed(live, posted.json()["ids"][0])
    (listed,) = (await live.get(f"/v1/messages/{message.id}/attachments")).json()
    assert (listed["kept"], listed["downloadable"]) == (False, True)
    media_path = "/files/wa-1503926270343745"
    provider.script(
        "/v21.0/1503926270343745",
        Reply(200, {"url": provider.url + media_path, "mime_type": "image/jpeg", "id": "1"}),
    )
    provider.script(media_path, Reply(200, content=PNG, headers={"Content-Type": "image/jpeg"}))
    url = f"/v1/messages/{message.id}/attachments/{listed['id']}"
    got = await live.get(url)
    assert got.status_code == 200, got.text
    assert got.content == PNG and got.headers["content-type"] == "image/jpeg"
    assert [r.headers.get("authorization") for r in provider.requests] == ["Bearer wa-token"] * 2
    again = await live.get(url)  # kept: the provider is not asked twice
    assert again.content == PNG and len(provider.requests) == 2

    # Messenger: the signed URL is fetched as it is, never with our token.
    payload = fixture_json("meta", "messenger_attachments")
    attachments = payload["entry"][0]["messaging"][0]["message"]["attachments"]
    attachments[0]["payload"]["url"] = provider.url + "/cdn/expired.jpg"  # unscripted: 404
    attachments[1]["payload"]["url"] = provider.url + "/cdn/invoice.pdf"
    posted = await live.post("/v1/webhooks/meta", **meta_request(payload))
    message = await processed(live, posted.json()["ids"][0])
    image, file, preview = (await live.get(f"/v1/messages/{message.id}/attachments")).json()
    assert (file["downloadable"], preview["downloadable"]) == (True, False)
    provider.reset()
    pdf = {"Content-Type": "application/pdf"}
    provider.script("/cdn/invoice.pdf", Reply(200, content=PDF, headers=pdf))
    got = await live.get(f"/v1/messages/{message.id}/attachments/{file['id']}")
    assert got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert "authorization" not in provider.requests[0].headers
    expired = await live.get(f"/v1/messages/{message.id}/attachments/{image['id']}")
    assert expired.status_code == 502, expired.text
