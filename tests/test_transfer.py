"""Transfer: to an advisor (409 with the reason when they cannot take it), to a skill or a
team (requirements replaced, routed again or waiting), with a note that travels."""

from __future__ import annotations

import httpx

from router.routing.escalation import waiting_room_round
from tests.conftest import runtime_of
from tests.routing_support import advisor, conversation, login, post, routed, team, timeline

NOTE = "Customer already sent the invoice twice; refund agreed in principle, needs approval."


async def test_transfer_to_an_advisor_with_the_note(client: httpx.AsyncClient) -> None:
    front = await team(client, "Front")  # advisors see (and transfer to) their own team
    anna = await advisor(client, "Anna", team_id=front["id"])
    first = await routed(client, await post(client, "t1", "1", "Hello, I need help"))
    assert first["assignee_id"] == anna["id"]
    ben = await advisor(client, "Ben", team_id=front["id"], status="away")
    refused = await client.post(
        f"/v1/conversations/{first['id']}/transfer", json={"to_advisor_id": ben["id"], "note": NOTE}
    )
    assert refused.status_code == 409 and "away" in refused.json()["detail"]
    await client.patch(f"/v1/advisors/{ben['id']}", json={"status": "available"})

    # Anna hands it over herself; it lands on Ben at once, note attached.
    moved = await client.post(
        f"/v1/conversations/{first['id']}/transfer",
        json={"to_advisor_id": ben["id"], "note": NOTE},
        headers=await login(client, anna),
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["assignee_id"] == ben["id"] and body["status"] == "assigned"
    assert body["handover_note"] == NOTE and body["transferred_at"]
    events = await timeline(client, first["id"])
    transferred = [e for e in events if e["type"] == "conversation.transferred"]
    assert transferred[0]["data"]["note"] == NOTE
    assert transferred[0]["advisor_id"] == anna["id"]
    assigned = [e for e in events if e["type"] == "conversation.assigned"][-1]
    assert assigned["advisor_id"] == ben["id"]
    assert assigned["data"]["explanation"]["from_advisor_id"] == anna["id"]
    loads = {a["id"]: a["load_total"] for a in (await client.get("/v1/advisors")).json()}
    assert loads[anna["id"]] == 0 and loads[ben["id"]] == 1
    # Ben is full now: the next transfer to him is refused with the reason.
    other = await routed(client, await post(client, "t2", "1", "Hello, me as well"))
    full = await client.post(
        f"/v1/conversations/{other['id']}/transfer", json={"to_advisor_id": ben["id"], "note": "x"}
    )
    assert full.status_code == 409 and "capacity" in full.json()["detail"]
    assert full.json()["field"] == "to_advisor_id"


async def test_transfer_to_a_skill_reroutes_away_from_the_sender(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.post("/v1/skills", json={"name": "billing"})).status_code == 201
    anna = await advisor(client, "Anna", skills={"billing": 5}, capacity_total=2)
    first = await routed(client, await post(client, "s1", "1", "Hello, I need help"))
    assert first["assignee_id"] == anna["id"]
    moved = await client.post(
        f"/v1/conversations/{first['id']}/transfer",
        json={"to_skill": "billing", "level": 4, "note": NOTE},
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    # Anna fits, but she is the one who passed it on: it waits for someone else.
    assert body["status"] == "waiting" and body["assignee_id"] is None
    assert body["requirements"]["skills"] == {"billing": 4}
    assert body["requirements"]["language"] == "en"
    cleo = await advisor(client, "Cleo", skills={"billing": 4})
    taken = await conversation(client, first["id"])
    assert taken["assignee_id"] == cleo["id"] and taken["handover_note"] == NOTE
    # A person set these requirements: the rule's escalation no longer rewrites them.
    await waiting_room_round(runtime_of(client).db)
    assert (await conversation(client, first["id"]))["requirements"]["skills"] == {"billing": 4}


async def test_transfer_to_a_team(client: httpx.AsyncClient) -> None:
    experts = await team(client, "Experts")
    anna = await advisor(client, "Anna")
    first = await routed(client, await post(client, "m1", "1", "Hello, I need help"))
    assert first["assignee_id"] == anna["id"]
    dan = await advisor(client, "Dan", team_id=experts["id"], status="away")
    moved = await client.post(
        f"/v1/conversations/{first['id']}/transfer",
        json={"to_team_id": experts["id"], "note": NOTE},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "waiting" and moved.json()["queue_team_id"] == experts["id"]
    await client.patch(f"/v1/advisors/{dan['id']}", json={"status": "available"})
    assert (await conversation(client, first["id"]))["assignee_id"] == dan["id"]


async def test_transfer_requests_are_checked(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna")
    first = await routed(client, await post(client, "v1", "1", "Hello, I need help"))
    url = f"/v1/conversations/{first['id']}/transfer"
    cases = [
        ({"note": NOTE}, 422, "to_advisor_id"),
        ({"to_advisor_id": anna["id"], "to_team_id": 1, "note": NOTE}, 422, "to_advisor_id"),
        ({"to_team_id": 1}, 422, "note"),
        ({"to_skill": "juggling", "note": NOTE}, 422, "to_skill"),
        ({"to_team_id": 999999, "note": NOTE}, 422, "to_team_id"),
        ({"to_skill": "bad name!", "note": NOTE}, 422, "to_skill"),
        ({"to_advisor_id": 999999, "note": NOTE}, 404, ""),
        ({"to_advisor_id": anna["id"], "note": NOTE}, 409, ""),  # already hers
    ]
    for body, status, words in cases:
        response = await client.post(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert words in response.text
    assert (
        await client.post("/v1/conversations/999999/transfer", json={"to_team_id": 1, "note": "x"})
    ).status_code == 404
    ben = await advisor(client, "Ben")
    # An advisor may not transfer a colleague's conversation.
    forbidden = await client.post(
        url, json={"to_advisor_id": ben["id"], "note": NOTE}, headers=await login(client, ben)
    )
    assert forbidden.status_code in (403, 404)
    await client.post(f"/v1/conversations/{first['id']}/resolve")
    resolved = await client.post(url, json={"to_advisor_id": ben["id"], "note": NOTE})
    assert resolved.status_code == 409
