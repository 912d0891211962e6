"""POST /v1/messages: the integrator contract, idempotency and bad input."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from router.models import Message
from tests.conftest import message_payload, runtime_of, wait_for


async def _count_messages(http: httpx.AsyncClient) -> int:
    async with runtime_of(http).db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Message)) or 0)


async def test_message_is_accepted_stored_and_processed(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/messages",
        json=message_payload(
            "visitor-1",
            "m-1",
            "Hello, my order has not arrived",
            sent_at="2026-11-20T10:00:00Z",
            metadata={"page": "/orders"},
            subject="Order 123",
        ),
    )
    assert response.status_code == 202
    body = response.json()
    assert body["duplicate"] is False

    async def processed() -> dict | None:
        message = (await client.get(f"/v1/messages/{body['id']}")).json()
        return message if message["conversation_id"] else None

    message = await wait_for(processed)
    assert message["sender"]["id"] == "visitor-1"
    assert message["metadata"] == {"page": "/orders"}
    assert message["sent_at"].startswith("2026-11-20T10:00:00")
    conversation = (await client.get(f"/v1/conversations/{message['conversation_id']}")).json()
    assert conversation["status"] in ("waiting", "assigned")
    assert conversation["language"] == "en"


async def test_same_message_twice_is_stored_once(client: httpx.AsyncClient) -> None:
    payload = message_payload("visitor-2", "dup-1", "Bonjour, ma facture est fausse")
    first = await client.post("/v1/messages", json=payload)
    second = await client.post("/v1/messages", json=payload)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["duplicate"] is True
    assert await _count_messages(client) == 1
    # Same external id on another channel is another message.
    other = await client.post("/v1/messages", json={**payload, "channel": "email"})
    assert other.json()["duplicate"] is False
    assert await _count_messages(client) == 2


async def test_malformed_json_is_a_400_with_a_reason(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/messages",
        content=b'{"channel": "chat", ',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "malformed_json"


async def test_missing_and_mistyped_fields_are_named(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/messages", json={"channel": "chat", "external_id": "x", "sender": {"id": "s"}}
    )
    assert response.status_code == 422
    assert {"field": "text", "message": "Field required"} in response.json()["errors"]

    response = await client.post("/v1/messages", json=message_payload("s", 12, "hi"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "external_id"


async def test_unknown_channel_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/messages", json=message_payload("s", "x", "hi", channel="pigeon")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "channel"
    assert "email" in response.json()["errors"][0]["message"]


async def test_naive_timestamp_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/messages", json=message_payload("s", "x", "hi", sent_at="2026-11-20T10:00:00")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sent_at"


async def test_body_over_one_mebibyte_is_413_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    payload = message_payload("s", "big", "x" * (1024 * 1024 + 10))
    response = await client.post("/v1/messages", json=payload)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert await _count_messages(client) == 0


async def test_unknown_ids_are_404(client: httpx.AsyncClient) -> None:
    for path in ("/v1/messages/999", "/v1/conversations/999", "/v1/advisors/999"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "999" in response.json()["detail"]
    response = await client.post("/v1/advisors/999/next")
    assert response.status_code == 404


async def test_openapi_documents_the_contract(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert "/v1/messages" in schema["paths"]
    assert "/v1/advisors/{advisor_id}/next" in schema["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_unstorable_text_is_a_422_not_a_500(client: httpx.AsyncClient) -> None:
    nul = message_payload("s", "nul", "hello\u0000world")
    response = await client.post("/v1/messages", json=nul)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"
    surrogate = b'{"channel":"chat","external_id":"x","sender":{"id":"s"},"text":"a\\ud800"}'
    response = await client.post(
        "/v1/messages", content=surrogate, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert await _count_messages(client) == 0


async def test_out_of_range_ids_are_422(client: httpx.AsyncClient) -> None:
    for path in ("/v1/messages/99999999999999999999", "/v1/conversations/0"):
        response = await client.get(path)
        assert response.status_code == 422, path
    response = await client.get("/v1/conversations", params={"assignee_id": 2**40})
    assert response.status_code == 422


async def test_concurrent_duplicates_share_one_row_and_one_first_answer(
    client: httpx.AsyncClient,
) -> None:
    """Group commit puts concurrent posts in one batch; repeats inside it are duplicates."""
    posts = [
        client.post("/v1/messages", json=message_payload(f"s{i % 10}", f"k{i % 10}", "Hello"))
        for i in range(30)
    ]
    answers = [r.json() for r in await asyncio.gather(*posts)]
    by_key: dict[int, list[dict]] = {}
    for i, answer in enumerate(answers):
        by_key.setdefault(i % 10, []).append(answer)
    for group in by_key.values():
        assert len({a["id"] for a in group}) == 1
        assert sorted(a["duplicate"] for a in group) == [False, True, True]
    assert await _count_messages(client) == 10
