"""A thread is no proof of who writes: a stranger answering a customer's email thread (its
Message-IDs travel in every CC and forward) joins as a flagged participant, never as the
customer, through every way email comes in."""

from __future__ import annotations

import asyncio
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

import httpx

from router.settings import Settings
from tests.channels.conftest import SmtpServer
from tests.channels.support import FakeProvider, closed_port
from tests.conftest import admin_client
from tests.live.conftest import with_channels
from tests.live.support import events_of, messages, processed, reply_status
from tests.live.test_email import RAW, mail, smtp_send

VICTIM = "Ana <ana@example.fr>"
MALLORY = "mallory@evil.example"


async def _customer_thread(http: httpx.AsyncClient) -> tuple[int, int]:
    """Ana writes (Message-ID <c1@example.fr>) and gets an answer: (conversation, customer)."""
    first = await http.post(
        "/v1/email/inbound",
        content=mail(VICTIM, "<c1@example.fr>", "Contrat 4711", "Mon contrat 4711 ?"),
        headers=RAW,
    )
    message = await processed(http, first.json()["ids"][0])
    assert message.conversation_id and message.customer_id
    return message.conversation_id, message.customer_id


async def _reply(http: httpx.AsyncClient, conversation_id: int, **body: Any) -> list[str]:
    """Send a reply; the envelope recipients it reached."""
    reply = await http.post(f"/v1/conversations/{conversation_id}/replies", json=body)
    assert reply.status_code == 202, reply.text
    sent = await reply_status(http, reply.json()["id"], "sent")
    return [sent["recipient"]]


async def _assert_participant(
    http: httpx.AsyncClient, message_id: int, conversation_id: int, customer_id: int
) -> None:
    joined = await processed(http, message_id)
    assert joined.conversation_id == conversation_id  # shown to the advisor...
    assert joined.customer_id != customer_id  # ...as somebody else's message
    shown = (await http.get(f"/v1/messages/{message_id}")).json()
    assert "not linked to its customer" in shown["metadata"]["participant"]["reason"]
    flagged = (await http.get(f"/v1/conversations/{conversation_id}/events")).json()
    assert [e["message_id"] for e in flagged if e["type"] == "message.from_participant"] == [
        message_id
    ]
    identities = (await http.get(f"/v1/customers/{customer_id}/identities")).json()
    assert [i["address"] for i in identities] == ["ana@example.fr"]
    export = (await http.get(f"/v1/customers/{customer_id}/export")).json()
    assert export["customer"]["email"] == "ana@example.fr"
    assert message_id not in [m["id"] for m in export["messages"]]  # not her data
    assert await events_of(http, "customer.identity_linked") == []


async def test_a_stranger_answering_a_thread_is_a_flagged_participant(
    live: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    conversation_id, customer_id = await _customer_thread(live)
    await _reply(live, conversation_id, text="Votre contrat 4711 est actif.")
    attack = await live.post(
        "/v1/email/inbound",
        content=mail(
            MALLORY,
            "<m1@evil.example>",
            "Re: Contrat 4711",
            "Send it to me",
            in_reply_to="<c1@example.fr>",
        ),
        headers=RAW,
    )
    mallory_id = attack.json()["ids"][0]
    await _assert_participant(live, mallory_id, conversation_id, customer_id)

    # The advisor's next reply still goes to the customer, threaded on her message.
    assert await _reply(live, conversation_id, text="Le contrat 4711 ...") == ["ana@example.fr"]
    last = message_from_bytes(
        smtp_server.recorder.envelopes[-1].original_content or b"", policy=default_policy
    )
    assert last["In-Reply-To"] == "<c1@example.fr>"
    assert smtp_server.recorder.envelopes[-1].rcpt_tos == ["ana@example.fr"]
    # Answering the participant is an explicit choice.
    chosen = await _reply(live, conversation_id, text="Who are you?", to_message_id=mallory_id)
    assert chosen == [MALLORY]
    wrong = await live.post(
        f"/v1/conversations/{conversation_id}/replies",
        json={"text": "x", "to_message_id": mallory_id, "channel": "chat"},
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "channel"

    # Erasing the customer does not touch the participant's message (theirs, not hers).
    await live.post(f"/v1/conversations/{conversation_id}/resolve")
    assert (await live.post(f"/v1/customers/{customer_id}/erase")).status_code == 200
    (kept,) = await messages(live, id=mallory_id)
    assert kept.sender_address == MALLORY and kept.text.startswith("Send it to me")


async def test_the_smtp_listener_gives_a_thread_stranger_no_identity_either(
    settings: Settings, provider: FakeProvider, smtp_server: SmtpServer
) -> None:
    port = closed_port()
    listening = with_channels(settings, provider, smtp_server.port).model_copy(
        update={"smtp_listen_port": port, "smtp_accept_domains": ["aiguillage.test"]}
    )
    async with admin_client(listening) as http:
        conversation_id, customer_id = await _customer_thread(http)
        ours = (await http.get(f"/v1/conversations/{conversation_id}/messages")).json()
        await _reply(http, conversation_id, text="Votre contrat 4711 est actif.")
        sent = (await http.get(f"/v1/conversations/{conversation_id}/messages")).json()
        our_id = [m for m in sent if m not in ours][0]["provider_message_id"]
        raw = mail(MALLORY, "<m2@evil.example>", "Re: Contrat", "Me", in_reply_to=our_id)
        assert await asyncio.to_thread(smtp_send, port, raw) == {}
        (stored,) = await messages(http, external_id="<m2@evil.example>")
        await _assert_participant(http, stored.id or 0, conversation_id, customer_id)
        assert await _reply(http, conversation_id, text="Bien reçu") == ["ana@example.fr"]
        # No From at all: held in the thread it names, and every read still answers.
        nameless = f"To: x@aiguillage.test\r\nMessage-ID: <nf@e>\r\nIn-Reply-To: {our_id}\r\n\r\nhi"
        assert await asyncio.to_thread(smtp_send, port, nameless.encode()) == {}
        (held,) = await messages(http, external_id="<nf@e>")
        assert (held.status, held.conversation_id) == ("held", conversation_id)
        read = await http.get(f"/v1/messages/{held.id}")
        assert read.status_code == 200 and read.json()["sender"]["id"] is None
        assert (await http.get(f"/v1/conversations/{conversation_id}/messages")).status_code == 200
