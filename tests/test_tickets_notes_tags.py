"""Ticket add-ons: tags and priority (PATCH), internal notes (never sent to the customer),
and the assignee history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, func, select

from router.customers.privacy import purge_closed
from router.models import Message
from router.models.tickets import ConversationTag, Note
from router.store.types import utcnow
from tests.conftest import runtime_of
from tests.routing_support import (
    advisor,
    conversation,
    login,
    post,
    routed,
    set_rows,
    team,
    timeline,
)


def _of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


async def _patch(http: httpx.AsyncClient, cid: int, **body: Any) -> httpx.Response:
    headers = body.pop("headers", None)
    return await http.patch(f"/v1/conversations/{cid}", json=body, headers=headers)


async def test_tags_are_normalised_shown_and_filtered(client: httpx.AsyncClient) -> None:
    ticket = await routed(client, await post(client, "g1", "1", "Hello"))
    other = await routed(client, await post(client, "g2", "1", "Hello"))
    cid = ticket["id"]
    added = await _patch(client, cid, add_tags=[" VIP ", "Billing:Refund", "vip"])
    assert added.status_code == 200, added.text
    assert added.json()["tags"] == ["billing:refund", "vip"]
    assert (await conversation(client, cid))["tags"] == ["billing:refund", "vip"]
    listed = (await client.get("/v1/conversations", params={"tag": "VIP"})).json()
    assert [(c["id"], c["tags"]) for c in listed] == [(cid, ["billing:refund", "vip"])]
    everything = (await client.get("/v1/conversations")).json()
    assert {c["id"]: c["tags"] for c in everything}[other["id"]] == []

    changed = await _patch(client, cid, add_tags=["late"], remove_tags=["VIP", "absent"])
    assert changed.json()["tags"] == ["billing:refund", "late"]
    tagged = _of_type(await timeline(client, cid), "conversation.tagged")
    assert [(e["data"]["added"], e["data"]["removed"]) for e in tagged] == [
        (["vip", "billing:refund"], []),
        (["late"], ["vip"]),
    ]
    assert tagged[0]["data"]["by"]["kind"] == "staff"
    # Nothing really changes: no event.
    assert (await _patch(client, cid, add_tags=["late"])).status_code == 200
    assert len(_of_type(await timeline(client, cid), "conversation.tagged")) == 2


async def test_bad_tags_and_too_many_are_refused(client: httpx.AsyncClient) -> None:
    cid = (await routed(client, await post(client, "b1", "1", "Hello")))["id"]
    for body in (
        {"add_tags": ["-starts-with-dash"]},
        {"add_tags": ["has space"]},
        {"add_tags": ["x" * 61]},
        {"add_tags": ["ok"], "remove_tags": ["OK"]},
        {},
        {"priority": 101},
        {"add_tags": [f"t{i}" for i in range(21)]},
    ):
        refused = await client.patch(f"/v1/conversations/{cid}", json=body)
        assert refused.status_code == 422, (body, refused.text)
    assert (await _patch(client, cid, add_tags=[f"t{i}" for i in range(15)])).status_code == 200
    over = await _patch(client, cid, add_tags=[f"u{i}" for i in range(6)])
    assert over.status_code == 422 and over.json()["field"] == "add_tags"
    assert "at most 20" in over.json()["detail"]
    assert len((await conversation(client, cid))["tags"]) == 15
    listed = await client.get("/v1/conversations", params={"tag": "bad tag"})
    assert listed.status_code == 422


async def test_priority_change(client: httpx.AsyncClient) -> None:
    front = await team(client, "Front")
    anna = await advisor(client, "Anna", team_id=front["id"])
    cleo = await advisor(client, "Cleo", team_id=front["id"], status="away")
    ticket = await routed(client, await post(client, "pr", "1", "Hello"))
    cid = ticket["id"]
    assert ticket["assignee_id"] == anna["id"]
    changed = await _patch(client, cid, priority=50, headers=await login(client, anna))
    assert changed.status_code == 200 and changed.json()["priority"] == 50
    event = _of_type(await timeline(client, cid), "conversation.priority_changed")[0]
    assert event["data"]["from"] == 0 and event["data"]["to"] == 50
    assert event["data"]["by"] == {"kind": "staff", "id": anna["id"]}
    # A colleague who cannot see Anna's work gets a 404; in the queue she may tag, not
    # reprioritise.
    cleo_auth = await login(client, cleo)
    assert (await _patch(client, cid, priority=1, headers=cleo_auth)).status_code == 404
    await client.patch(f"/v1/advisors/{anna['id']}", json={"status": "away"})
    queued = await routed(client, await post(client, "pq", "1", "Hello?"))
    assert queued["status"] == "waiting"
    tag = await _patch(client, queued["id"], add_tags=["callback"], headers=cleo_auth)
    assert tag.status_code == 200, tag.text
    refused = await _patch(client, queued["id"], priority=90, headers=cleo_auth)
    assert refused.status_code == 403


async def test_notes_stay_internal(client: httpx.AsyncClient) -> None:
    front, back = await team(client, "Front"), await team(client, "Back")
    anna = await advisor(client, "Anna", team_id=front["id"])
    omar = await advisor(client, "Omar", team_id=back["id"], status="away")
    ticket = await routed(client, await post(client, "nn", "1", "Hello, my order is late"))
    cid = ticket["id"]
    anna_auth = await login(client, anna)
    url = f"/v1/conversations/{cid}/notes"
    first = await client.post(url, json={"text": "Order 4471 is in the depot."}, headers=anna_auth)
    assert first.status_code == 201, first.text
    note = first.json()
    assert note["author_id"] == anna["id"] and note["author_name"] == "Anna"
    assert note["conversation_id"] == cid and note["created_at"]
    second = await client.post(url, json={"text": "Depot called back."})  # the admin
    assert second.status_code == 201
    listed = (await client.get(url, headers=anna_auth)).json()
    assert [n["text"] for n in listed] == ["Order 4471 is in the depot.", "Depot called back."]
    after = (await client.get(url, params={"after_id": note["id"]})).json()
    assert [n["id"] for n in after] == [second.json()["id"]]
    added = _of_type(await timeline(client, cid), "note.added")
    assert added[0]["data"]["note_id"] == note["id"]
    assert added[0]["data"]["by"] == {"kind": "staff", "id": anna["id"]}

    # Never sent: no message of any kind was written for them.
    async with runtime_of(client).db.read_session() as session:
        count = await session.scalar(
            select(func.count()).select_from(Message).where(col(Message.conversation_id) == cid)
        )
    assert count == 1
    messages = (await client.get(f"/v1/conversations/{cid}/messages")).json()
    assert [m["direction"] for m in messages] == ["inbound"]

    # Another team: not found. API keys: neither read nor write.
    omar_auth = await login(client, omar)
    assert (await client.get(url, headers=omar_auth)).status_code == 404
    assert (await client.post(url, json={"text": "x"}, headers=omar_auth)).status_code == 404
    key = await client.post(
        "/v1/api-keys",
        json={"name": "crm", "scopes": ["conversations:read", "conversations:write"]},
    )
    api = {"X-API-Key": key.json()["secret"], "Authorization": ""}
    assert (await client.get(url, headers=api)).status_code == 403
    assert (await client.post(url, json={"text": "x"}, headers=api)).status_code == 403
    for text in ("", "   ", "x" * 10_001, "nul\x00"):
        assert (await client.post(url, json={"text": text})).status_code == 422, text
    assert (await client.get("/v1/conversations/999999/notes")).status_code == 404


async def test_assignee_history(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna")
    ticket = await routed(client, await post(client, "ah", "1", "Hello"))
    ben = await advisor(client, "Ben")
    assert (await _patch(client, ticket["id"], add_tags=["refund"])).status_code == 200
    moved = await client.post(
        f"/v1/conversations/{ticket['id']}/transfer",
        json={"to_advisor_id": ben["id"], "note": "Ben knows this customer"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["tags"] == ["refund"]
    transferred = _of_type(await timeline(client, ticket["id"]), "conversation.transferred")
    assert transferred[0]["data"]["by"]["kind"] == "staff"
    history = (await client.get(f"/v1/conversations/{ticket['id']}/assignments")).json()
    assert [(h["advisor_id"], h["advisor_name"], h["end_reason"]) for h in history] == [
        (anna["id"], "Anna", "transferred"),
        (ben["id"], "Ben", None),
    ]
    assert history[0]["mode"] == "push" and history[1]["mode"] == "transfer"
    assert history[0]["ended_at"] and history[1]["ended_at"] is None
    assert history[0]["accepted_at"] and history[0]["assigned_at"] <= history[1]["assigned_at"]
    assert (await client.get("/v1/conversations/999999/assignments")).status_code == 404


async def test_export_erasure_and_purge_cover_notes_and_tags(client: httpx.AsyncClient) -> None:
    await advisor(client, "Anna", capacity_total=3)
    first = await routed(client, await post(client, "gd", "1", "My order ORD-4411 is late"))
    cid, customer_id = first["id"], first["customer_id"]
    note = await client.post(f"/v1/conversations/{cid}/notes", json={"text": "Said ORD-4411 again"})
    assert note.status_code == 201
    assert (await _patch(client, cid, add_tags=["late"])).status_code == 200
    resolved = await client.post(
        f"/v1/conversations/{cid}/status", json={"status": "resolved", "reason": "sent ORD-4411"}
    )
    assert resolved.status_code == 200, resolved.text
    export = (await client.get(f"/v1/customers/{customer_id}/export")).json()
    assert [n["text"] for n in export["notes"]] == ["Said ORD-4411 again"]
    assert [t["tag"] for t in export["tags"]] == ["late"]
    assert export["csat_surveys"] == []  # surveys are off by default

    # After the window the customer's next message opens a conversation linked to it.
    await set_rows(client, cid, resolved_at=utcnow() - timedelta(days=100))
    second = await routed(client, await post(client, "gd", "2", "Hello again"))
    assert second["previous_conversation_id"] == cid
    assert (await client.post(f"/v1/conversations/{second['id']}/resolve")).is_success

    erased = await client.post(f"/v1/customers/{customer_id}/erase")
    assert erased.status_code == 200, erased.text
    after = (await client.get(f"/v1/customers/{customer_id}/export")).json()
    assert "ORD-4411" not in str(after)
    assert [n["text"] for n in after["notes"]] == ["[erased]"]

    # Retention: notes and tags go with their conversation (cascade on both backends); the
    # conversation linked to the purged one stays, unlinked.
    db = runtime_of(client).db
    assert (await purge_closed(db, 90, apply=True)).conversations == 1
    assert (await conversation(client, second["id"]))["previous_conversation_id"] is None
    async with db.read_session() as session:
        for table in (Note, ConversationTag):
            assert await session.scalar(select(func.count()).select_from(table)) == 0


async def test_erasure_removes_free_text_tags_everywhere(client: httpx.AsyncClient) -> None:
    await advisor(client, "Anna", capacity_total=3)
    first = await routed(client, await post(client, "gt", "1", "My order 4411 is late"))
    cid, customer_id = first["id"], first["customer_id"]
    personal = "rappeler-jeanne-0612345678"
    assert (await _patch(client, cid, add_tags=[personal, "late"])).status_code == 200
    assert (await _patch(client, cid, remove_tags=["late"])).status_code == 200
    resolved = await client.post(f"/v1/conversations/{cid}/resolve")
    assert resolved.status_code == 200, resolved.text
    listed = await client.get("/v1/conversations", params={"tag": personal})
    assert [c["id"] for c in listed.json()] == [cid]

    erased = await client.post(f"/v1/customers/{customer_id}/erase")
    assert erased.status_code == 200, erased.text
    seen = {
        "the tag table and the export": await client.get(f"/v1/customers/{customer_id}/export"),
        "the conversation": await client.get(f"/v1/conversations/{cid}"),
        "the context card": await client.get(f"/v1/conversations/{cid}/context"),
        "the conversation's events": await client.get(f"/v1/conversations/{cid}/events"),
        "the timeline": await client.get(f"/v1/customers/{customer_id}/timeline"),
        "the ?tag= filter": await client.get("/v1/conversations", params={"tag": personal}),
    }
    for where, response in seen.items():
        assert response.status_code == 200, (where, response.text)
        assert "0612345678" not in response.text and "late" not in response.text, where
    assert seen["the tag table and the export"].json()["tags"] == []
    assert seen["the context card"].json()["tags"] == []
    assert seen["the ?tag= filter"].json() == []
    tagged = [
        e for e in seen["the conversation's events"].json() if e["type"] == "conversation.tagged"
    ]
    assert len(tagged) == 2  # the events stay (statistics), without their tags
    assert all("added" not in e["data"] and "removed" not in e["data"] for e in tagged)
    async with runtime_of(client).db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(ConversationTag)) == 0
