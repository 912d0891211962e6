"""Inbound -> conversation -> routing, push and pull, capacity, order: end to end in-process."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select, update

from router.models import Advisor, Assignment, Event
from router.settings import Settings
from tests.conftest import runtime_of, wait_for
from tests.routing_support import advisor as new_advisor
from tests.routing_support import post


async def _conversation_of(http: httpx.AsyncClient, message_id: int) -> dict[str, Any]:
    async def ready() -> dict[str, Any] | None:
        message = (await http.get(f"/v1/messages/{message_id}")).json()
        if not message["conversation_id"]:
            return None
        return (await http.get(f"/v1/conversations/{message['conversation_id']}")).json()

    result: dict[str, Any] = await wait_for(ready)
    return result


async def test_demo_rules_route_a_french_billing_message(
    demo: Settings, client: httpx.AsyncClient
) -> None:
    message_id = await post(
        client,
        "client-fr",
        "f1",
        "Bonjour, ma facture de novembre est fausse, je suis débité deux fois",
    )
    conversation = await _conversation_of(client, message_id)
    assert conversation["status"] == "assigned"
    assert conversation["language"] == "fr"
    assert conversation["requirements"]["skills"] == {"billing": 2}
    advisor = (await client.get(f"/v1/advisors/{conversation['assignee_id']}")).json()
    assert "fr" in advisor["languages"]
    assert advisor["skills"].get("billing", 0) >= 2
    assert advisor["load_total"] == 1
    timeline = (await client.get(f"/v1/conversations/{conversation['id']}/events")).json()
    assigned = [e for e in timeline if e["type"] == "conversation.assigned"]
    assert len(assigned) == 1
    explanation = assigned[0]["data"]["explanation"]
    assert explanation["rule"] == "Billing and refunds"
    assert explanation["explanation"]


async def test_a_waiting_explanation_stores_what_its_sentence_counts(
    client: httpx.AsyncClient,
) -> None:
    # Full advisors are not in the candidate lists a choice walks: the stored explanation
    # used to say "2 considered (2 at capacity)" with excluded_count 0 and excluded [].
    first = await new_advisor(client, "First")
    second = await new_advisor(client, "Second")
    for sender in ("a", "b"):
        await _conversation_of(client, await post(client, sender, "1", "Hello, I need help"))
    third = await _conversation_of(client, await post(client, "c", "1", "Hello, me too please"))
    assert third["status"] == "waiting"
    events = (await client.get(f"/v1/conversations/{third['id']}/events")).json()
    stored = [e for e in events if e["type"] == "conversation.waiting"][0]["data"]["explanation"]
    assert stored["explanation"] == "No eligible advisor among 2 considered (2 at capacity)."
    assert stored["excluded_count"] == 2 and stored["eligible_count"] == 0
    reasons = {x["advisor_id"]: x["reason"] for x in stored["excluded"]}
    assert reasons.keys() == {first["id"], second["id"]}
    assert all("capacity" in reason for reason in reasons.values())


async def test_follow_up_message_joins_the_open_conversation(client: httpx.AsyncClient) -> None:
    first = await _conversation_of(client, await post(client, "c", "1", "Hello there"))
    second = await _conversation_of(client, await post(client, "c", "2", "Any news?"))
    assert first["id"] == second["id"]
    messages = (await client.get(f"/v1/conversations/{first['id']}/messages")).json()
    assert [m["external_id"] for m in messages] == ["c-1", "c-2"]


async def test_capacity_is_respected_and_freed_capacity_is_pushed(
    client: httpx.AsyncClient,
) -> None:
    advisor = await new_advisor(client, "Solo")
    first = await _conversation_of(client, await post(client, "a", "1", "Hello, I need help"))
    second = await _conversation_of(client, await post(client, "b", "1", "Hello, me too please"))
    assert first["assignee_id"] == advisor["id"]
    assert second["status"] == "waiting" and second["assignee_id"] is None
    waiting = [
        e
        for e in (await client.get(f"/v1/conversations/{second['id']}/events")).json()
        if e["type"] == "conversation.waiting"
    ]
    assert "capacity" in str(waiting[0]["data"]["explanation"])

    resolved = await client.post(f"/v1/conversations/{first['id']}/resolve")
    assert resolved.json()["status"] == "resolved"
    second = (await client.get(f"/v1/conversations/{second['id']}")).json()
    assert second["status"] == "assigned" and second["assignee_id"] == advisor["id"]
    again = await client.post(f"/v1/conversations/{first['id']}/resolve")
    assert again.status_code == 409


async def test_break_stops_new_work_but_keeps_current(client: httpx.AsyncClient) -> None:
    advisor = await new_advisor(client, "Tired", capacity_total=3)
    current = await _conversation_of(client, await post(client, "a", "1", "Hello, help me"))
    assert current["assignee_id"] == advisor["id"]
    response = await client.patch(f"/v1/advisors/{advisor['id']}", json={"status": "break"})
    assert response.json()["status"] == "break"
    later = await _conversation_of(client, await post(client, "b", "1", "Hello, help me too"))
    assert later["status"] == "waiting"
    current = (await client.get(f"/v1/conversations/{current['id']}")).json()
    assert current["status"] == "assigned" and current["assignee_id"] == advisor["id"]
    pull = await client.post(f"/v1/advisors/{advisor['id']}/next")
    assert pull.status_code == 409 and "break" in pull.json()["detail"]
    # Back from the break: the waiting conversation is pushed at once.
    await client.patch(f"/v1/advisors/{advisor['id']}", json={"status": "available"})
    later = (await client.get(f"/v1/conversations/{later['id']}")).json()
    assert later["assignee_id"] == advisor["id"]


async def _make_available_without_push(http: httpx.AsyncClient, advisor_ids: list[int]) -> None:
    """Flip status in the database directly, as if the push had been missed."""
    async with runtime_of(http).db.session() as session:
        await session.execute(
            update(Advisor)
            .where(Advisor.id.in_(advisor_ids))  # type: ignore[union-attr]
            .values(status="available")
        )
        await session.commit()


async def test_pull_claims_the_oldest_fitting_conversation(client: httpx.AsyncClient) -> None:
    advisor = await new_advisor(client, "Puller", status="away", capacity_total=2)
    ids = [await post(client, f"s{i}", "1", "Hello, I need help") for i in range(3)]
    conversations = [await _conversation_of(client, i) for i in ids]
    assert all(c["status"] == "waiting" for c in conversations)
    # Senders are processed concurrently: queue order is waiting time, not posting order.
    conversations.sort(key=lambda c: (c["waiting_since"], c["id"]))
    await _make_available_without_push(client, [advisor["id"]])

    claimed = await client.post(f"/v1/advisors/{advisor['id']}/next")
    assert claimed.status_code == 200
    assert claimed.json()["id"] == conversations[0]["id"]
    assert claimed.json()["assignee_id"] == advisor["id"]
    second = await client.post(f"/v1/advisors/{advisor['id']}/next")
    assert second.json()["id"] == conversations[1]["id"]
    full = await client.post(f"/v1/advisors/{advisor['id']}/next")
    assert full.status_code == 409 and "capacity" in full.json()["detail"]


async def test_pull_returns_204_when_nothing_fits(client: httpx.AsyncClient) -> None:
    advisor = await new_advisor(client, "Idle")
    assert (await client.post(f"/v1/advisors/{advisor['id']}/next")).status_code == 204


async def test_concurrent_pulls_never_double_assign_nor_exceed_capacity(
    client: httpx.AsyncClient,
) -> None:
    advisors = [
        await new_advisor(client, f"Racer{i}", status="away", capacity_total=2) for i in range(3)
    ]
    for i in range(10):
        await _conversation_of(client, await post(client, f"r{i}", "1", "Hello, help me"))
    await _make_available_without_push(client, [a["id"] for a in advisors])

    pulls = [client.post(f"/v1/advisors/{a['id']}/next") for a in advisors for _ in range(4)]
    responses = await asyncio.gather(*pulls)
    claimed = [r.json()["id"] for r in responses if r.status_code == 200]
    assert len(claimed) == 6 and len(set(claimed)) == 6
    assert {r.status_code for r in responses} <= {200, 409}
    async with runtime_of(client).db.session() as session:
        live = (
            await session.scalars(select(Assignment).where(Assignment.ended_at.is_(None)))
        ).all()  # type: ignore[union-attr]
    assert Counter(a.conversation_id for a in live).most_common(1)[0][1] == 1
    assert max(Counter(a.advisor_id for a in live).values()) == 2


async def test_one_senders_messages_are_processed_in_order(client: httpx.AsyncClient) -> None:
    ids = await asyncio.gather(
        *[post(client, "burst", f"{i:03d}", f"message number {i}") for i in range(25)]
    )
    last = await _conversation_of(client, max(ids))
    messages = (await client.get(f"/v1/conversations/{last['id']}/messages")).json()
    assert len(messages) == 25
    assert [m["id"] for m in messages] == sorted(ids)
    async with runtime_of(client).db.session() as session:
        received = (
            await session.scalars(
                select(Event.message_id).where(Event.type == "message.received").order_by(Event.id)  # type: ignore[arg-type]
            )
        ).all()
    assert list(received) == sorted(ids)


async def test_advisor_input_errors_name_the_field(client: httpx.AsyncClient) -> None:
    base = {"name": "X", "email": "x@example.com"}
    cases = [
        ({**base, "team_id": 999}, 422, "team_id"),
        ({**base, "skills": {"juggling": 3}}, 422, "skills"),
        ({**base, "skills": {"billing": 9}}, 422, "skills"),
        ({**base, "languages": ["French"]}, 422, "languages"),
        ({**base, "capacity_per_channel": {"fax": 1}}, 422, "capacity_per_channel"),
        ({**base, "team_id": 2**40}, 422, "team_id"),
    ]
    for body, status, field in cases:
        response = await client.post("/v1/advisors", json=body)
        assert response.status_code == status, (body, response.text)
        problem = response.json()
        assert field in problem.get("field", "") + str(problem.get("errors", "")), problem
    created = await client.post("/v1/advisors", json=base)
    assert created.status_code == 201
    again = await client.post("/v1/advisors", json=base)
    assert again.status_code == 409 and again.json()["field"] == "email"
    advisor_id = created.json()["id"]
    response = await client.patch(f"/v1/advisors/{advisor_id}", json={"status": None})
    assert response.status_code == 422 and "null" in response.json()["detail"]
    response = await client.patch(f"/v1/advisors/{advisor_id}", json={"status": "sleeping"})
    assert response.status_code == 422


async def test_a_language_rule_sends_italian_to_the_team_that_speaks_it(
    client: httpx.AsyncClient,
) -> None:
    # Italian used to be read as French and handed to whoever spoke French.
    italia = (await client.post("/v1/teams", json={"name": "Italia"})).json()
    await new_advisor(client, "Francoise", languages=["fr", "en"])
    giulia = await new_advisor(client, "Giulia", languages=["it"], team_id=italia["id"])
    rule = {"name": "Italiano", "conditions": {"languages": ["it"]}, "team_id": italia["id"]}
    assert (await client.post("/v1/rules", json=rule)).status_code == 201
    text = "Buongiorno, non ho ancora ricevuto il mio ordine, potete controllare?"
    conversation = await _conversation_of(client, await post(client, "cliente-it", "1", text))
    assert conversation["language"] == "it"
    assert conversation["requirements"]["language"] == "it"
    assert conversation["assignee_id"] == giulia["id"]
