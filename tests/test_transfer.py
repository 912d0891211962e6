"""Transfer: to an advisor (409 with the reason when they cannot take it), to a skill or a
team (requirements replaced, routed again or waiting), with a note that travels."""

from __future__ import annotations

from typing import Any

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


def _angry(intensity: float) -> dict[str, Any]:
    return {"metadata": {"emotion": "anger", "emotion_intensity": intensity}}


async def test_a_supervisor_may_override_a_cool_down(client: httpx.AsyncClient) -> None:
    front = await team(client, "Front")
    sue = await advisor(client, "Sue", role="supervisor", team_id=front["id"], status="offline")
    anna = await advisor(client, "Anna", team_id=front["id"], capacity_total=3)
    first = await routed(client, await post(client, "o1", "1", "Unacceptable!", **_angry(0.9)))
    assert first["assignee_id"] == anna["id"]
    await client.post(f"/v1/conversations/{first['id']}/resolve")  # Anna's cool-down starts
    ben = await advisor(client, "Ben", team_id=front["id"], capacity_total=3)
    second = await routed(client, await post(client, "o2", "1", "Outrageous!", **_angry(0.8)))
    assert second["assignee_id"] == ben["id"]
    url = f"/v1/conversations/{second['id']}/transfer"
    to_anna = {"to_advisor_id": anna["id"], "note": NOTE}

    as_ben = await login(client, ben)
    refused = await client.post(url, json=to_anna, headers=as_ben)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "cool-down" in detail and "a supervisor may override" in detail
    assert "override_care" in detail
    forbidden = await client.post(url, json={**to_anna, "override_care": True}, headers=as_ben)
    assert forbidden.status_code == 403 and forbidden.json()["field"] == "override_care"
    assert (await conversation(client, second["id"]))["assignee_id"] == ben["id"]
    no_note = await client.post(url, json={"to_advisor_id": anna["id"], "override_care": True})
    assert no_note.status_code == 422
    assert [e["field"] for e in no_note.json()["errors"]] == ["note"]

    moved = await client.post(
        url, json={**to_anna, "override_care": True}, headers=await login(client, sue)
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["assignee_id"] == anna["id"] and moved.json()["status"] == "assigned"
    events = await timeline(client, second["id"])
    (transferred,) = [e for e in events if e["type"] == "conversation.transferred"]
    override = transferred["data"]["override"]
    assert override["by"] == sue["id"] and "cool-down" in override["care"]
    assigned = [e for e in events if e["type"] == "conversation.assigned"][-1]
    assert assigned["data"]["explanation"]["override"] == override
    customer = (await client.get(f"/v1/customers/{second['customer_id']}/timeline")).json()
    shown = [i for i in customer["items"] if i["type"] == "conversation.transferred"]
    assert shown[0]["data"]["override"] == override  # the customer timeline shows it too


async def test_care_is_overridden_never_status_or_capacity(client: httpx.AsyncClient) -> None:
    config = (await client.get("/v1/routing/config")).json()
    config.pop("updated_at")
    put = await client.put("/v1/routing/config", json={**config, "cooldown_seconds": 0})
    assert put.status_code == 200, put.text
    anna = await advisor(client, "Anna")  # capacity 1, at most 1 intense conversation
    ben = await advisor(client, "Ben", status="away", capacity_total=3)
    await routed(client, await post(client, "p1", "1", "Unacceptable!", **_angry(0.9)))
    waiting = await routed(client, await post(client, "p2", "1", "Scandalous!", **_angry(0.9)))
    assert waiting["status"] == "waiting"
    url = f"/v1/conversations/{waiting['id']}/transfer"
    override = {"note": NOTE, "override_care": True}

    away = await client.post(url, json={"to_advisor_id": ben["id"], **override})
    assert away.status_code == 409 and "away" in away.json()["detail"]
    full = await client.post(url, json={"to_advisor_id": anna["id"], **override})
    assert full.status_code == 409 and "capacity 1/1" in full.json()["detail"]
    assert "override" not in full.json()["detail"]  # nobody may lift capacity
    patched = await client.patch(f"/v1/advisors/{anna['id']}", json={"capacity_total": 2})
    assert patched.status_code == 200, patched.text
    assert (await conversation(client, waiting["id"]))["status"] == "waiting"  # the cap holds
    capped = await client.post(url, json={"to_advisor_id": anna["id"], "note": NOTE})
    assert capped.status_code == 409 and "1/1 intense" in capped.json()["detail"]
    assert "override_care" in capped.json()["detail"]

    moved = await client.post(url, json={"to_advisor_id": anna["id"], **override})  # an admin
    assert moved.status_code == 200, moved.text
    assert moved.json()["assignee_id"] == anna["id"]
    (transferred,) = [
        e for e in await timeline(client, waiting["id"]) if e["type"] == "conversation.transferred"
    ]
    me = (await client.get("/v1/auth/me")).json()
    assert transferred["data"]["override"] == {
        "care": "already holds 1/1 intense",
        "by": me["id"],
    }
    loads = {a["id"]: a for a in (await client.get("/v1/advisors")).json()}
    assert loads[anna["id"]]["load_total"] == 2


async def test_override_care_is_only_for_a_named_advisor(client: httpx.AsyncClient) -> None:
    await advisor(client, "Anna")
    first = await routed(client, await post(client, "q1", "1", "Hello, I need help"))
    crew = await team(client, "Crew")
    response = await client.post(
        f"/v1/conversations/{first['id']}/transfer",
        json={"to_team_id": crew["id"], "note": NOTE, "override_care": True},
    )
    assert response.status_code == 422 and "override_care" in response.text
