"""Queues advisors pull from: team routing modes, "my queue", claim, pick limit, standing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event, update
from sqlmodel import col

from router.models import Assignment
from router.routing import assignment
from router.routing.escalation import waiting_room_round
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


def angry(intensity: float) -> dict[str, Any]:
    return {"metadata": {"emotion": "anger", "emotion_intensity": intensity}}


async def _queue(http: httpx.AsyncClient, advisor_id: int, **params: Any) -> dict[str, Any]:
    response = await http.get(f"/v1/advisors/{advisor_id}/queue", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _waiting(http: httpx.AsyncClient, sender: str, text: str, **extra: Any) -> int:
    found = await routed(http, await post(http, sender, "1", text, **extra))
    assert found["status"] == "waiting", found
    return int(found["id"])


async def test_a_pull_team_keeps_its_conversations_until_advisors_take_or_claim_them(
    client: httpx.AsyncClient,
) -> None:
    crew = await team(client, "Pullers", routing_mode="pull")
    assert crew["routing_mode"] == "pull"
    ana = await advisor(client, "Ana", team_id=crew["id"], capacity_total=2)
    named = await client.post(
        "/v1/messages",
        json={
            "channel": "chat",
            "external_id": "p1-1",
            "sender": {"id": "p1", "name": "Pia"},
            "text": "Hello, my parcel is late",
        },
    )
    assert named.status_code == 202, named.text
    first = int((await routed(client, int(named.json()["id"])))["id"])
    second = await _waiting(client, "p2", "Bonjour, ma facture est fausse")
    third = await _waiting(client, "p3", "Hi, I cannot log in")

    page = await _queue(client, ana["id"])
    assert [i["conversation_id"] for i in page["items"]] == [first, second, third]
    top = page["items"][0]
    assert top["position"] == 1 and top["preview"] == "Hello, my parcel is late"
    assert top["customer_name"] == "Pia"
    assert top["channel"] == "chat" and top["waiting_seconds"] >= 0
    assert top["can_take_now"] and top["claimable"] and "handles chat" in top["eligible_because"]
    assert page["has_more"] is False and page["pick_limit"] is None

    claimed = await client.post(f"/v1/conversations/{second}/claim")
    assert claimed.status_code == 409  # the admin claims for themselves: not available
    ana_headers = await login(client, ana)
    claimed = await client.post(f"/v1/conversations/{second}/claim", headers=ana_headers)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["assignee_id"] == ana["id"] and claimed.json()["status"] == "assigned"
    assigned = [e for e in await timeline(client, second) if e["type"] == "conversation.assigned"]
    assert assigned[-1]["data"]["mode"] == "claim"
    assert "chose it from their queue" in assigned[-1]["data"]["explanation"]["reason"]

    taken = await client.post(f"/v1/advisors/{ana['id']}/next", headers=ana_headers)
    assert taken.status_code == 200 and taken.json()["id"] == first
    full = await _queue(client, ana["id"])
    assert [i["conversation_id"] for i in full["items"]] == [third]
    assert full["items"][0]["can_take_now"] is False
    assert full["items"][0]["not_now_because"] == "at capacity 2/2"
    refused = await client.post(f"/v1/conversations/{third}/claim", headers=ana_headers)
    assert refused.status_code == 409 and "at capacity 2/2" in refused.json()["detail"]
    assert (await conversation(client, third))["status"] == "waiting"


async def test_claims_are_atomic_and_explain_refusals(client: httpx.AsyncClient) -> None:
    crew = await team(client, "Pickers", routing_mode="pull", pick_limit=1)
    ana = await advisor(client, "Ana", team_id=crew["id"])
    bob = await advisor(client, "Bob", team_id=crew["id"])
    head = await _waiting(client, "k1", "First in line")
    behind = await _waiting(client, "k2", "Second in line")
    ana_headers, bob_headers = await login(client, ana), await login(client, bob)

    page = await _queue(client, ana["id"])
    assert [i["claimable"] for i in page["items"]] == [True, False]
    picky = await client.post(f"/v1/conversations/{behind}/claim", headers=ana_headers)
    assert picky.status_code == 409 and "first 1 of their queue" in picky.json()["detail"]

    tagged = await client.patch(f"/v1/conversations/{head}", json={"add_tags": ["vip", "late"]})
    assert tagged.status_code == 200, tagged.text
    won = await client.post(f"/v1/conversations/{head}/claim", headers=ana_headers)
    assert won.status_code == 200, won.text
    assert won.json()["tags"] == ["late", "vip"]  # read with the lock, sorted as elsewhere
    lost = await client.post(f"/v1/conversations/{head}/claim", headers=bob_headers)
    assert lost.status_code == 409
    assert "another advisor took it a moment earlier" in lost.json()["detail"]
    for_other = await client.post(
        f"/v1/conversations/{behind}/claim", json={"advisor_id": ana["id"]}, headers=bob_headers
    )
    assert for_other.status_code == 403
    other_queue = await client.get(f"/v1/advisors/{ana['id']}/queue", headers=bob_headers)
    assert other_queue.status_code == 403

    admin_claim = await client.post(
        f"/v1/conversations/{behind}/claim", json={"advisor_id": bob["id"]}
    )
    assert admin_claim.status_code == 200 and admin_claim.json()["assignee_id"] == bob["id"]
    resolved = await client.post(f"/v1/conversations/{behind}/resolve")
    assert resolved.status_code == 200
    closed = await client.post(f"/v1/conversations/{behind}/claim", headers=ana_headers)
    assert closed.status_code == 404  # not hers to see, and no race to explain


async def test_switching_a_team_to_push_serves_its_queue_at_once(
    client: httpx.AsyncClient,
) -> None:
    crew = await team(client, "Switchers", routing_mode="pull")
    ana = await advisor(client, "Ana", team_id=crew["id"])
    waiting = await _waiting(client, "s1", "Anyone there?")
    changed = await client.patch(f"/v1/teams/{crew['id']}", json={"routing_mode": "push"})
    assert changed.status_code == 200 and changed.json()["routing_mode"] == "push"
    now = await conversation(client, waiting)
    assert now["status"] == "assigned" and now["assignee_id"] == ana["id"]
    shown = await client.get(f"/v1/teams/{crew['id']}")
    assert shown.status_code == 200 and shown.json()["routing_mode"] == "push"
    bad = await client.patch(f"/v1/teams/{crew['id']}", json={"routing_mode": None})
    assert bad.status_code == 422 and "cannot be null" in bad.text


async def test_a_blended_team_pushes_up_to_its_limit_then_after_a_long_wait(
    client: httpx.AsyncClient,
) -> None:
    crew = await team(client, "Blend", routing_mode="blended", push_limit=1)
    ana = await advisor(client, "Ana", team_id=crew["id"], capacity_total=3)
    pushed = await routed(client, await post(client, "b1", "1", "First question"))
    assert pushed["status"] == "assigned" and pushed["assignee_id"] == ana["id"]
    held = await _waiting(client, "b2", "Second question")
    explanation = [e for e in await timeline(client, held) if e["type"] == "conversation.waiting"]
    why = explanation[-1]["data"]["explanation"]
    assert "serving by pull" in why["explanation"]
    assert why["excluded"] == [{"advisor_id": ana["id"], "reason": "holds 1, pushed up to 1"}]

    await client.patch(f"/v1/teams/{crew['id']}", json={"push_after_seconds": 60})
    await set_rows(client, held, waiting_since=utcnow() - timedelta(seconds=90))
    await waiting_room_round(runtime_of(client).db)
    assert (await conversation(client, held))["assignee_id"] == ana["id"]


async def test_an_angry_customer_is_served_before_calmer_ones_who_came_later(
    client: httpx.AsyncClient,
) -> None:
    crew = await team(client, "Care", routing_mode="pull")
    ana = await advisor(client, "Ana", team_id=crew["id"])
    calm = await _waiting(client, "a1", "A small question")
    angry_one = await _waiting(client, "a2", "This is outrageous!", **angry(0.93))
    page = await _queue(client, ana["id"])
    assert [i["conversation_id"] for i in page["items"]] == [angry_one, calm]
    assert page["items"][0]["intense"] and page["items"][0]["queue_priority"] == 30

    config = (await client.get("/v1/routing/config")).json()
    config.pop("updated_at")
    changed = await client.put("/v1/routing/config", json={**config, "intense_boost_points": 0})
    assert changed.status_code == 200, changed.text
    await waiting_room_round(runtime_of(client).db)  # files the waiting ones again
    page = await _queue(client, ana["id"])
    assert [i["conversation_id"] for i in page["items"]] == [calm, angry_one]
    assert page["items"][1]["queue_priority"] == 0
    await client.put("/v1/routing/config", json={**config, "intense_boost_points": 30})
    await waiting_room_round(runtime_of(client).db)
    taken = await client.post(f"/v1/advisors/{ana['id']}/next", headers=await login(client, ana))
    assert taken.json()["id"] == angry_one


async def test_a_waiting_conversation_knows_its_place_and_expected_wait(
    client: httpx.AsyncClient,
) -> None:
    crew = await team(client, "Estimates", routing_mode="pull")
    ana = await advisor(client, "Ana", team_id=crew["id"], capacity_total=10)
    ids = [await _waiting(client, f"w{i}", f"Question number {i}") for i in range(4)]
    standing = (await conversation(client, ids[2]))["queue"]
    assert standing["position"] == 3 and standing["ahead"] == 2
    assert standing["estimated_wait_seconds"] is None  # nothing served lately: no guess
    assert standing["queue"] == "chat, any team"

    headers = await login(client, ana)
    for _ in range(2):
        assert (await client.post(f"/v1/advisors/{ana['id']}/next", headers=headers)).json()
    standing = (await conversation(client, ids[3]))["queue"]
    assert standing["position"] == 2 and standing["served_per_hour"] == 4.0
    assert standing["estimated_wait_seconds"] == 2 * 900  # 2 ahead of it at 4 per hour
    assert (await conversation(client, ids[0]))["queue"] is None  # served


async def test_the_expected_wait_reads_the_seats_when_they_free_faster_than_throughput(
    client: httpx.AsyncClient,
) -> None:
    """Two conversations held, handled in 600 s on average: a seat frees every 300 s, while
    three taken in the last half hour alone would say one every 600 s."""
    crew = await team(client, "Seats", routing_mode="pull")
    ana = await advisor(client, "Ana", team_id=crew["id"], capacity_total=10)
    ids = [await _waiting(client, f"s{i}", f"Question number {i}") for i in range(5)]
    headers = await login(client, ana)
    for _ in range(3):
        assert (await client.post(f"/v1/advisors/{ana['id']}/next", headers=headers)).json()
    assert (await client.post(f"/v1/conversations/{ids[0]}/resolve")).status_code == 200
    now = utcnow()
    async with runtime_of(client).db.session() as session:
        await session.execute(
            update(Assignment)
            .where(col(Assignment.conversation_id) == ids[0])
            .values(accepted_at=now - timedelta(seconds=700), ended_at=now - timedelta(seconds=100))
        )
        await session.commit()
    standing = (await conversation(client, ids[4]))["queue"]
    assert standing["position"] == 2 and standing["served_per_hour"] == 12.0
    assert standing["estimated_wait_seconds"] == 2 * 300


async def test_the_web_chat_visitor_sees_their_place_in_the_queue(
    client: httpx.AsyncClient,
) -> None:
    await team(client, "Chat", routing_mode="pull")
    session = (await client.post("/v1/chat/sessions")).json()
    visitor = {"Authorization": f"Bearer {session['token']}"}
    before = await client.get("/v1/chat/queue", headers=visitor)
    assert before.status_code == 200 and before.json() is None
    await _waiting(client, "v0", "Someone before")
    sent = await client.post(
        "/v1/chat/messages", json={"id": "m1", "text": "Hello, is anyone there?"}, headers=visitor
    )
    assert sent.status_code == 202, sent.text
    await routed(client, int(sent.json()["ids"][0]))
    standing = (await client.get("/v1/chat/queue", headers=visitor)).json()
    assert standing["position"] == 2 and standing["ahead"] == 1
    assert (await client.get("/v1/chat/queue")).status_code == 401


async def test_a_blended_push_past_the_limit_reads_the_queue_heads_only(
    client: httpx.AsyncClient,
) -> None:
    """An advisor past their push limit is pushed only conversations that waited past the
    threshold: those too young are refused by class (its head is its oldest), never read
    one by one (a queue of thousands would cost thousands of statements)."""
    crew = await team(
        client, "Patient blend", routing_mode="blended", push_limit=1, push_after_seconds=600
    )
    ana = await advisor(client, "Ana", team_id=crew["id"], capacity_total=3)
    held = await routed(client, await post(client, "h0", "1", "Pushed while she was free"))
    assert held["assignee_id"] == ana["id"]
    young = [await _waiting(client, f"y{i}", f"Young question {i}") for i in range(30)]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2])[:60])

    db = runtime_of(client).db
    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with db.session() as session:
            assert await assignment.fill_advisor(session, ana["id"]) == []
            await session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) < 20, statements
    await set_rows(client, young[5], waiting_since=utcnow() - timedelta(seconds=900))
    async with db.session() as session:
        [pushed] = await assignment.fill_advisor(session, ana["id"])
        await session.commit()
    assert pushed.id == young[5]
