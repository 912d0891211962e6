"""Abandonment: resolved or closed while still in the queue, never taken by an advisor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from router.models import Conversation
from tests.conftest import runtime_of
from tests.routing_support import advisor, conversation, login, post, routed, team, timeline


async def _abandoned_at(http: httpx.AsyncClient, conversation_id: int) -> datetime | None:
    async with runtime_of(http).db.read_session() as session:
        row = await session.get(Conversation, conversation_id)
        assert row is not None
        return row.abandoned_at


async def _status(
    http: httpx.AsyncClient, conversation_id: int, status: str, **extra: Any
) -> dict[str, Any]:
    response = await http.post(
        f"/v1/conversations/{conversation_id}/status", json={"status": status, **extra}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_resolved_while_waiting_is_abandoned_and_leaves_the_queue(
    client: httpx.AsyncClient,
) -> None:
    waiting = await routed(client, await post(client, "w1", "1", "Hello, anyone there?"))
    assert waiting["status"] == "waiting"
    done = await _status(client, waiting["id"], "resolved", reason="the customer gave up")
    assert done["status"] == "resolved" and done["status_reason"] == "the customer gave up"
    assert await _abandoned_at(client, waiting["id"]) is not None
    [abandoned] = [
        e for e in await timeline(client, waiting["id"]) if e["type"] == "conversation.abandoned"
    ]
    assert abandoned["data"]["status"] == "waiting" and abandoned["data"]["waited_seconds"] >= 0
    anna = await advisor(client, "Anna")  # comes on duty: nothing left in the queue
    assert (await client.post(f"/v1/advisors/{anna['id']}/next")).status_code == 204


async def test_closed_while_offered_is_abandoned_and_frees_the_advisor(
    client: httpx.AsyncClient,
) -> None:
    crew = await team(client, "Offers", routing_mode="offer")
    anna = await advisor(client, "Anna", team_id=crew["id"])
    offered = await routed(client, await post(client, "o1", "1", "Hello, I need help"))
    assert offered["status"] == "offered"
    await _status(client, offered["id"], "closed", reason="spam")
    assert await _abandoned_at(client, offered["id"]) is not None
    assert (await client.get(f"/v1/advisors/{anna['id']}")).json()["load_total"] == 0


async def test_work_an_advisor_took_is_not_abandoned(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna")
    taken = await routed(client, await post(client, "t1", "1", "Hello, I need help"))
    assert taken["assignee_id"] == anna["id"]
    moved = await client.post(
        f"/v1/conversations/{taken['id']}/status",
        json={"status": "resolved"},
        headers=await login(client, anna),
    )
    assert moved.status_code == 200, moved.text
    assert (await conversation(client, taken["id"]))["status"] == "resolved"
    assert await _abandoned_at(client, taken["id"]) is None
    types = [e["type"] for e in await timeline(client, taken["id"])]
    assert "conversation.resolved" in types and "conversation.abandoned" not in types
