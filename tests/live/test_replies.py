"""Advisors' replies: stored first, sent by the outbound worker, retried, failures surfaced."""

from __future__ import annotations

from typing import Any

import httpx

from tests.channels.support import FakeProvider, Reply
from tests.conftest import bearer
from tests.live.conftest import PAGE_ID
from tests.live.support import events_of, messenger_text, meta_request, processed, reply_status

PAGE_PATH = f"/v21.0/{PAGE_ID}/messages"
NOW = {"Retry-After": "0"}


async def _messenger_conversation(http: httpx.AsyncClient, sender: str = "7012345678901234") -> int:
    posted = await http.post(
        "/v1/webhooks/meta", **meta_request(messenger_text(f"m_{sender}", sender, "Bonjour ?"))
    )
    message = await processed(http, posted.json()["ids"][0])
    assert message.conversation_id is not None
    return message.conversation_id


async def _reply(http: httpx.AsyncClient, conversation_id: int, **body: Any) -> httpx.Response:
    return await http.post(
        f"/v1/conversations/{conversation_id}/replies", json={"text": "Nous regardons.", **body}
    )


async def test_a_transient_failure_is_retried_with_backoff_then_sent(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    conversation_id = await _messenger_conversation(live)
    busy = Reply(429, {"error": {"code": 613, "message": "rate limited"}}, NOW)
    provider.script(PAGE_PATH, busy, busy, busy, Reply(200, {"message_id": "m_sent_1"}))
    posted = await _reply(live, conversation_id)
    assert posted.status_code == 202, posted.text
    assert posted.json()["status"] == "queued"  # stored before anything is sent
    sent = await reply_status(live, posted.json()["id"], "sent")
    assert (sent["provider_message_id"], sent["attempts"], sent["error"]) == ("m_sent_1", 2, None)
    assert sent["recipient"] == "7012345678901234"
    assert provider.requests[-1].json["message"] == {"text": "Nous regardons."}
    (retry,) = await events_of(live, "message.retry_scheduled")
    assert retry.data["provider_code"] == "613"
    timeline = (await live.get(f"/v1/conversations/{conversation_id}/events")).json()
    types = [e["type"] for e in timeline]
    assert types.index("message.queued") < types.index("message.retry_scheduled")
    assert types.index("message.retry_scheduled") < types.index("message.sent")


async def test_a_permanent_error_is_surfaced_on_the_message(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    conversation_id = await _messenger_conversation(live)
    provider.script(
        PAGE_PATH,
        Reply(400, {"error": {"code": 551, "message": "This person isn't available right now."}}),
    )
    posted = await _reply(live, conversation_id)
    failed = await reply_status(live, posted.json()["id"], "failed")
    assert "isn't available" in failed["error"] and failed["attempts"] == 1
    (event,) = await events_of(live, "message.failed")
    assert event.data["provider_code"] == "551"


async def test_attempts_are_bounded(live: httpx.AsyncClient, provider: FakeProvider) -> None:
    conversation_id = await _messenger_conversation(live)
    down = Reply(503, {"error": {"code": 2, "message": "Service unavailable"}}, NOW)
    provider.script(PAGE_PATH, *([down] * 9))
    posted = await _reply(live, conversation_id)
    failed = await reply_status(live, posted.json()["id"], "failed")
    assert failed["attempts"] == 3  # AIGUILLAGE_OUTBOUND_MAX_ATTEMPTS in these tests
    assert failed["error"].startswith("gave up after 3 attempts")


async def test_replies_of_one_conversation_leave_in_order_and_once(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    conversation_id = await _messenger_conversation(live)
    provider.script(PAGE_PATH, *(Reply(200, {"message_id": f"m_{i}"}) for i in range(5)))
    ids = []
    for i in range(5):
        posted = await _reply(live, conversation_id, text=f"part {i}", idempotency_key=f"k{i}")
        ids.append(posted.json()["id"])
    again = await _reply(live, conversation_id, text="part 0", idempotency_key="k0")
    assert again.json()["id"] == ids[0]  # a double click queues one reply
    for message_id in ids:
        await reply_status(live, message_id, "sent")
    assert [r.json["message"]["text"] for r in provider.requests] == [f"part {i}" for i in range(5)]


async def test_who_may_reply_and_on_which_channel(live: httpx.AsyncClient) -> None:
    conversation_id = await _messenger_conversation(live)
    team = (await live.post("/v1/teams", json={"name": "Front"})).json()
    outsider = await live.post(
        "/v1/advisors",
        json={"name": "Sam Lane", "email": "sam@example.com", "team_id": team["id"]},
    )
    await live.put(
        f"/v1/auth/password/{outsider.json()['id']}", json={"new_password": "a long password!"}
    )
    sam = {"Authorization": await bearer(live, "sam@example.com", "a long password!")}
    refused = await live.post(
        f"/v1/conversations/{conversation_id}/replies", json={"text": "Hi"}, headers=sam
    )
    assert refused.status_code in (403, 404), refused.text
    no_address = await _reply(live, conversation_id, channel="email")
    assert no_address.status_code == 422 and no_address.json()["field"] == "channel"
    unknown = await _reply(live, 999_999)
    assert unknown.status_code == 404
    assert (await live.post(f"/v1/conversations/{conversation_id}/resolve")).status_code == 200
    closed = await _reply(live, conversation_id)
    assert closed.status_code == 409


async def test_sending_on_an_unconfigured_channel_is_refused_up_front(
    client: httpx.AsyncClient,
) -> None:
    posted = await client.post(
        "/v1/messages",
        json={
            "channel": "email",
            "external_id": "<q@example.org>",
            "sender": {"id": "q@example.org", "email": "q@example.org"},
            "text": "Hello",
        },
    )
    message = await processed(client, posted.json()["id"])
    response = await client.post(
        f"/v1/conversations/{message.conversation_id}/replies", json={"text": "Hi"}
    )
    assert response.status_code == 422
    assert "AIGUILLAGE_EMAIL_FROM_ADDRESS" in response.json()["detail"]


async def test_an_idempotency_key_reused_on_another_conversation_is_a_409(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.script(PAGE_PATH, Reply(200, {"message_id": "m_k_1"}))
    first = await _messenger_conversation(live, "7012345678900001")
    second = await _messenger_conversation(live, "7012345678900002")
    assert (await _reply(live, first, idempotency_key="same")).status_code == 202
    reused = await _reply(live, second, idempotency_key="same")
    assert reused.status_code == 409 and reused.json()["field"] == "idempotency_key"


async def test_an_idempotency_key_reused_for_another_reply_is_a_409(
    live: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.script(PAGE_PATH, Reply(200, {"message_id": "m_k_2"}))
    conversation = await _messenger_conversation(live, "7012345678900003")
    sent = await _reply(live, conversation, text="Your refund is on its way", idempotency_key="r1")
    assert sent.status_code == 202
    same = "Your refund is on its way"
    retried = await _reply(live, conversation, text=same, idempotency_key="r1")
    assert retried.status_code == 202 and retried.json()["id"] == sent.json()["id"]
    reused = await _reply(live, conversation, text="Something else entirely", idempotency_key="r1")
    assert reused.status_code == 409 and reused.json()["field"] == "idempotency_key"
    assert str(sent.json()["id"]) in reused.json()["detail"]


async def test_a_reply_starting_an_email_thread_has_a_subject_in_the_customers_language(
    live: httpx.AsyncClient,
) -> None:
    subjects = {}
    for language, text in (
        ("fr", "Bonjour, ma facture de novembre est fausse, merci de la corriger"),
        ("en", "Hello, my November invoice is wrong, please correct it"),
    ):
        address = f"{language}-client@example.org"
        posted = await live.post(
            "/v1/messages",
            json={
                "channel": "api",
                "external_id": f"subject-{language}",
                "sender": {"id": address, "email": address},
                "text": text,
            },
        )
        message = await processed(live, posted.json()["id"])
        conversation = (await live.get(f"/v1/conversations/{message.conversation_id}")).json()
        assert conversation["language"] == language
        reply = await _reply(live, message.conversation_id, channel="email")
        assert reply.status_code == 202, reply.text
        subjects[language] = (reply.json()["subject"], message.conversation_id)
    assert subjects["fr"][0] == f"Votre demande n° {subjects['fr'][1]}"
    assert subjects["en"][0] == f"Your conversation #{subjects['en'][1]}"
