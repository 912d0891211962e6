"""One customer across channels: linking by email or phone, continuity, merging."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from router.models import AuditEntry, Message
from tests.conftest import runtime_of
from tests.live.conftest import SUPPORT
from tests.live.support import events_of, messenger_text, meta_request, processed, reply_status


async def _chat(
    http: httpx.AsyncClient, widget_id: str, text: str, token: str | None = None, **extra: Any
) -> int:
    token = token or (await http.post("/v1/chat/sessions")).json()["token"]
    posted = await http.post(
        "/v1/chat/messages",
        json={"id": widget_id, "text": text, **extra},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert posted.status_code == 202, posted.text
    return int(posted.json()["ids"][0])


async def test_a_typed_chat_email_links_nobody(live: httpx.AsyncClient) -> None:
    """Anyone can type anyone's address in a widget: it must not reach their history."""
    email_id = await _email(live, "<owner@example.fr>", "owner@example.fr", "Ma facture")
    owner = await processed(live, email_id)
    chat_id = await _chat(live, "w9", "Je suis le titulaire, montrez-moi", email="owner@example.fr")
    visitor = await processed(live, chat_id)
    assert visitor.customer_id != owner.customer_id
    assert visitor.conversation_id != owner.conversation_id


async def _email(http: httpx.AsyncClient, message_id: str, sender: str, subject: str) -> int:
    raw = (
        f"From: {sender}\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n\r\nBonjour.\r\n"
    ).encode()
    posted = await http.post(
        "/v1/email/inbound", content=raw, headers={"Content-Type": "message/rfc822"}
    )
    assert posted.status_code == 202, posted.text
    return int(posted.json()["ids"][0])


async def test_same_email_on_two_channels_is_one_customer_and_one_conversation(
    live: httpx.AsyncClient,
) -> None:
    # An integrator (here the chat platform's back end, authenticated) vouches for the address.
    posted = await live.post(
        "/v1/messages",
        json={
            "channel": "chat",
            "external_id": "w1",
            "sender": {"id": "w1-visitor", "email": "Ines@Example.fr"},
            "text": "Bonjour, ma commande 42 ?",
        },
    )
    assert posted.status_code == 202, posted.text
    first = await processed(live, posted.json()["id"])
    raw = (
        "From: Ines <ines@example.fr>\r\n"
        f"To: {SUPPORT}\r\nSubject: Commande 42\r\nMessage-ID: <i1@example.fr>\r\n\r\n"
        "Je vous écris aussi par mail.\r\n"
    ).encode()
    posted = await live.post(
        "/v1/email/inbound", content=raw, headers={"Content-Type": "message/rfc822"}
    )
    second = await processed(live, posted.json()["ids"][0])
    assert second.customer_id == first.customer_id
    assert second.conversation_id == first.conversation_id  # the open conversation continues
    (switch,) = await events_of(live, "conversation.channel_switched")
    assert (switch.data["previous"], switch.data["current"]) == ("chat", "email")
    identities = (await live.get(f"/v1/customers/{first.customer_id}/identities")).json()
    assert sorted(i["channel"] for i in identities) == ["chat", "email"]
    (linked,) = await events_of(live, "customer.identity_linked")
    assert linked.data["linked_by"] == "email"
    # The reply goes where the customer last wrote: email, threaded on their message.
    reply = await live.post(
        f"/v1/conversations/{first.conversation_id}/replies", json={"text": "Bien reçu."}
    )
    assert reply.json()["channel"] == "email" and reply.json()["recipient"] == "ines@example.fr"
    await reply_status(live, reply.json()["id"], "sent")
    chat_reply = await live.post(
        f"/v1/conversations/{first.conversation_id}/replies",
        json={"text": "Et ici aussi.", "channel": "chat"},
    )
    assert chat_reply.json()["channel"] == "chat"


async def test_a_phone_number_known_to_an_integrator_links_whatsapp(
    live: httpx.AsyncClient,
) -> None:
    api = await live.post(
        "/v1/messages",
        json={
            "channel": "api",
            "external_id": "crm-1",
            "sender": {"id": "crm:1", "phone": "+33 6 12 34 56 78"},
            "text": "Customer called about order 42",
        },
    )
    known = await processed(live, api.json()["id"])
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": {"phone_number_id": "106540352242922"},
                            "contacts": [{"wa_id": "33612345678", "profile": {"name": "Léa"}}],
                            "messages": [
                                {
                                    "from": "33612345678",
                                    "id": "wamid.in-1",
                                    "timestamp": "1717409690",
                                    "type": "text",
                                    "text": {"body": "C'est encore moi"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    posted = await live.post("/v1/webhooks/meta", **meta_request(payload))
    whatsapp = await processed(live, posted.json()["ids"][0])
    assert whatsapp.customer_id == known.customer_id
    assert whatsapp.conversation_id == known.conversation_id


async def test_merging_two_customers_moves_everything_and_is_recorded(
    live: httpx.AsyncClient,
) -> None:
    a = await live.post(
        "/v1/webhooks/meta", **meta_request(messenger_text("m_a", "111111", "Hello from FB"))
    )
    kept = await processed(live, a.json()["ids"][0])
    token = (await live.post("/v1/chat/sessions")).json()["token"]
    chat_id = await _chat(live, "w2", "Hello from the website", token)
    duplicate = await processed(live, chat_id)
    assert kept.customer_id != duplicate.customer_id
    merged = await live.post(
        f"/v1/customers/{kept.customer_id}/merge", json={"duplicate_id": duplicate.customer_id}
    )
    assert merged.status_code == 200, merged.text
    report = merged.json()
    assert (report["identities"], report["messages"]) == (1, 1)
    assert report["folded_conversation_id"] == duplicate.conversation_id
    identities = (await live.get(f"/v1/customers/{kept.customer_id}/identities")).json()
    assert sorted(i["channel"] for i in identities) == ["chat", "messenger"]
    messages = (await live.get(f"/v1/conversations/{kept.conversation_id}/messages")).json()
    assert sorted(m["text"] for m in messages) == ["Hello from FB", "Hello from the website"]
    async with runtime_of(live).db.read_session() as session:
        total = await session.scalar(
            select(func.count()).select_from(Message).where(Message.customer_id == kept.customer_id)  # type: ignore[arg-type]
        )
        audit = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.merged"))  # type: ignore[arg-type]
        ).all()
    assert total == 2
    assert [a.detail["merged_customer_id"] for a in audit] == [duplicate.customer_id]
    (event,) = await events_of(live, "customer.merged")
    assert event.customer_id == kept.customer_id
    # The duplicate's identity writes again: it lands with the kept customer.
    later = await processed(live, await _chat(live, "w3", "Still me", token))
    assert (later.customer_id, later.conversation_id) == (kept.customer_id, kept.conversation_id)
    again = await live.post(
        f"/v1/customers/{kept.customer_id}/merge", json={"duplicate_id": duplicate.customer_id}
    )
    assert again.status_code == 409
    itself = await live.post(
        f"/v1/customers/{kept.customer_id}/merge", json={"duplicate_id": kept.customer_id}
    )
    assert itself.status_code == 422


async def test_the_gdpr_export_carries_the_original_email(live: httpx.AsyncClient) -> None:
    import base64

    owner = await processed(live, await _email(live, "<gdpr@example.fr>", "g@example.fr", "RGPD"))
    export = (await live.get(f"/v1/customers/{owner.customer_id}/export")).json()
    (original,) = export["originals"]
    assert original["message_id"] == owner.id
    assert b"Message-ID: <gdpr@example.fr>" in base64.b64decode(original["raw"])
