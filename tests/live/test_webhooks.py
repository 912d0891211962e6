"""Provider webhooks into the running service: verified, stored once, statuses applied."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from channels.x.signature import crc_response
from router.settings import Settings
from tests.channels.support import FakeProvider, Reply, fixture_json
from tests.live.conftest import APP_SECRET, VERIFY_TOKEN, WA_NUMBER_ID, X_SECRET
from tests.live.support import (
    events_of,
    messages,
    messenger_text,
    meta_request,
    processed,
    reply_status,
    served,
    x_request,
)

WA_PATH = f"/v21.0/{WA_NUMBER_ID}/messages"


async def test_meta_handshake_echoes_the_challenge_only_for_our_token(
    live: httpx.AsyncClient,
) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    ok = await live.get("/v1/webhooks/meta", params=query)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = await live.get("/v1/webhooks/meta", params={**query, "hub.verify_token": "guess"})
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "handshake_rejected"


async def test_unsigned_forged_or_tampered_events_are_refused_and_stored_nowhere(
    live: httpx.AsyncClient,
) -> None:
    payload = messenger_text("m_forged", "7012345678901234", "Hello")
    unsigned = await live.post("/v1/webhooks/meta", json=payload)
    forged = await live.post("/v1/webhooks/meta", **meta_request(payload, "not-the-secret"))
    signed = meta_request(payload)
    tampered = await live.post(
        "/v1/webhooks/meta",
        content=signed["content"].replace(b"Hello", b"Hallo"),
        headers=signed["headers"],
    )
    for response in (unsigned, forged, tampered):
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "invalid_signature"
    assert "missing" in unsigned.json()["detail"]
    assert await messages(live) == []


async def test_a_message_is_stored_before_the_200_and_provider_retries_are_not_duplicated(
    live: httpx.AsyncClient,
) -> None:
    request = meta_request(messenger_text("m_AbC123-text", "7012345678901234", "Ma commande ?"))
    first = await live.post("/v1/webhooks/meta", **request)
    assert first.status_code == 200, first.text
    assert first.json() | {"ids": None} == {
        "messages": 1,
        "duplicates": 0,
        "conflicts": 0,
        "statuses": 0,
        "ignored": 0,
        "ids": None,
    }
    (stored,) = await messages(live)  # committed before the answer
    assert (stored.channel, stored.external_id, stored.text) == (
        "messenger",
        "m_AbC123-text",
        "Ma commande ?",
    )
    retry = await live.post("/v1/webhooks/meta", **request)
    assert retry.json()["duplicates"] == 1 and retry.json()["ids"] == first.json()["ids"]
    assert retry.json()["conflicts"] == 0  # the same content: a retry, not a reused id
    assert len(await messages(live)) == 1
    message = await processed(live, stored.id or 0)
    identities = await live.get(f"/v1/customers/{message.customer_id}/identities")
    assert [(i["channel"], i["address"]) for i in identities.json()] == [
        ("messenger", "7012345678901234")
    ]


async def test_unknown_payload_types_are_acknowledged_logged_and_not_stored(
    live: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="router.intake.channel")
    feed = {"object": "page", "entry": [{"id": "1", "changes": [{"field": "feed", "value": {}}]}]}
    other = {"object": "user", "entry": []}
    for payload in (feed, other, fixture_json("meta", "messenger_reaction")):
        response = await live.post("/v1/webhooks/meta", **meta_request(payload))
        assert response.status_code == 200, response.text
        assert response.json()["messages"] == 0 and response.json()["ignored"] >= 1
    assert await messages(live) == []
    assert "field 'feed' is not handled" in caplog.text
    assert "is not a Meta messaging platform" in caplog.text


async def test_a_channel_without_its_secret_answers_404_and_accepts_nothing(
    client: httpx.AsyncClient,
) -> None:
    payload = messenger_text("m_1", "7012345678901234", "Hello")
    for response in (
        await client.post("/v1/webhooks/meta", **meta_request(payload)),
        await client.get("/v1/webhooks/x", params={"crc_token": "abc"}),
        await client.post("/v1/webhooks/x", **x_request({"for_user_id": "1"})),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "channel_not_configured"
    assert (
        "AIGUILLAGE_META_APP_SECRET"
        in (await client.post("/v1/webhooks/meta", **meta_request(payload))).json()["detail"]
    )
    assert await messages(client) == []


async def test_x_crc_and_signed_direct_messages(live: httpx.AsyncClient) -> None:
    crc = await live.get("/v1/webhooks/x", params={"crc_token": "challenge-123"})
    assert crc.status_code == 200
    assert crc.json() == crc_response("challenge-123", X_SECRET)
    payload = fixture_json("x", "dm_text")
    assert (await live.post("/v1/webhooks/x", json=payload)).status_code == 401
    response = await live.post("/v1/webhooks/x", **x_request(payload))
    assert response.status_code == 200 and response.json()["messages"] == 1
    (stored,) = await messages(live)
    assert (stored.channel, stored.sender_address, stored.sender_name) == (
        "x",
        "3001969357",
        "Jordan Brinks",
    )
    assert "https://shop.example.com/orders/10293" in stored.text


async def test_whatsapp_statuses_move_our_replies_forward_once(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    inbound = await live.post(
        "/v1/webhooks/meta", **meta_request(fixture_json("meta", "whatsapp_text"))
    )
    message = await processed(live, inbound.json()["ids"][0])
    assert message.sender_phone == "+33612345678"
    provider.script(
        WA_PATH,
        Reply(200, {"messages": [{"id": "wamid.OURS-1"}]}),
        Reply(200, {"messages": [{"id": "wamid.OURS-2"}]}),
    )
    replies = []
    for text in ("Votre colis arrive demain.", "Autre chose ?"):
        posted = await live.post(
            f"/v1/conversations/{message.conversation_id}/replies", json={"text": text}
        )
        assert posted.status_code == 202, posted.text
        assert posted.json()["status"] == "queued" and posted.json()["channel"] == "whatsapp"
        replies.append(await reply_status(live, posted.json()["id"], "sent"))
    assert [r["provider_message_id"] for r in replies] == ["wamid.OURS-1", "wamid.OURS-2"]
    assert provider.requests[0].json["to"] == "33612345678"

    statuses = meta_request(fixture_json("meta", "whatsapp_statuses"))
    applied = await live.post("/v1/webhooks/meta", **statuses)
    assert applied.status_code == 200 and applied.json()["statuses"] == 4
    first = (await live.get(f"/v1/messages/{replies[0]['id']}")).json()
    second = (await live.get(f"/v1/messages/{replies[1]['id']}")).json()
    assert first["status"] == "read"
    assert second["status"] == "failed" and "131047" in second["error"]
    timeline = [e.type for e in await events_of(live, "message.read")]
    again = await live.post("/v1/webhooks/meta", **statuses)
    assert again.json()["statuses"] == 0  # the provider retried: nothing moves twice
    assert [e.type for e in await events_of(live, "message.read")] == timeline
    assert len(await events_of(live, "message.delivered")) == 1


async def test_a_webhook_over_real_http_through_uvicorn(live_settings: Settings) -> None:
    async with served(live_settings) as (url, _app), httpx.AsyncClient(base_url=url) as http:
        payload = messenger_text("m_real_http", "7012345678901234", "Over the wire")
        accepted = await http.post("/v1/webhooks/meta", **meta_request(payload))
        refused = await http.post("/v1/webhooks/meta", content=json.dumps(payload).encode())
        handshake = await http.get(
            "/v1/webhooks/meta",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "7",
            },
        )
    assert accepted.status_code == 200 and accepted.json()["messages"] == 1
    assert refused.status_code == 401
    assert handshake.text == "7"
    assert APP_SECRET not in accepted.text


async def test_whatsapp_contacts_flows_and_errors_are_stored_readable_or_held(
    live: httpx.AsyncClient,
) -> None:
    stored = {}
    for name in ("whatsapp_contacts", "whatsapp_flow_reply", "whatsapp_interactive_error"):
        response = await live.post("/v1/webhooks/meta", **meta_request(fixture_json("meta", name)))
        assert response.status_code == 200 and response.json()["messages"] == 1, response.text
        stored[name] = response.json()["ids"][0]
    contacts = await processed(live, stored["whatsapp_contacts"])
    assert contacts.text.startswith("Shared contact: Julien Moreau (+33 6 98 76 54 32")
    flow = await processed(live, stored["whatsapp_flow_reply"])
    assert "- commentaire: Sonner deux fois, code 4B12" in flow.text
    assert flow.conversation_id == contacts.conversation_id  # the same customer's thread

    (error,) = await messages(live, id=stored["whatsapp_interactive_error"])
    assert error.status == "held" and error.meta["kind"] == "unreadable"
    assert error.review_reason and "Message type unknown (131051)" in error.review_reason
    # Never routed to an advisor as an empty postback.
    assert error.text.startswith("[WhatsApp could not pass this interactive message on")
    assert error.conversation_id is None and error.customer_id is None
    assert "postback_payload" not in error.meta
