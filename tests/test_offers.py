"""Offers: per-team offer mode, capacity held while offered, accept, decline, expiry."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from router.models import Assignment
from router.routing.escalation import waiting_room_round
from router.store.types import utcnow
from tests.conftest import runtime_of
from tests.routing_support import advisor, conversation, login, post, routed, team, timeline


async def _offer_of(http: httpx.AsyncClient, advisor_id: int) -> dict[str, object]:
    offers = (await http.get(f"/v1/advisors/{advisor_id}/offers")).json()
    assert len(offers) == 1, offers
    return dict(offers[0])


async def test_an_offer_holds_capacity_until_accepted(client: httpx.AsyncClient) -> None:
    crew = await team(client, "Offers", routing_mode="offer", offer_timeout_seconds=60)
    assert crew["routing_mode"] == "offer" and crew["offer_timeout_seconds"] == 60
    anna = await advisor(client, "Anna", team_id=crew["id"])
    first = await routed(client, await post(client, "c1", "1", "Hello, I need help"))
    assert first["status"] == "offered" and first["assignee_id"] == anna["id"]
    second = await routed(client, await post(client, "c2", "1", "Hello, me too please"))
    assert second["status"] == "waiting"  # the offer holds Anna's only seat
    offer = await _offer_of(client, anna["id"])
    assert offer["conversation_id"] == first["id"] and offer["expires_at"]

    accepted = await client.post(f"/v1/offers/{offer['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["accepted_at"] is not None
    assert (await conversation(client, first["id"]))["status"] == "assigned"
    again = await client.post(f"/v1/offers/{offer['id']}/accept")
    assert again.status_code == 409 and "accepted" in again.json()["detail"]
    types = [e["type"] for e in await timeline(client, first["id"])]
    assert types.index("conversation.offered") < types.index("conversation.assigned")
    assert (await client.get(f"/v1/advisors/{anna['id']}/offers")).json() == []


async def test_auto_teams_and_pulls_assign_at_once(client: httpx.AsyncClient) -> None:
    auto = await team(client, "Auto")
    offering = await team(client, "Offering", routing_mode="offer")
    bea = await advisor(client, "Bea", team_id=auto["id"])
    first = await routed(client, await post(client, "a1", "1", "Hello, I need help"))
    assert first["status"] == "assigned" and first["assignee_id"] == bea["id"]
    carl = await advisor(client, "Carl", team_id=offering["id"], status="away")
    waiting = await routed(client, await post(client, "a2", "1", "Hello, anyone?"))
    assert waiting["status"] == "waiting"
    async with runtime_of(client).db.session() as session:  # available without a push
        from router.models import Advisor

        await session.execute(
            update(Advisor).where(Advisor.id == carl["id"]).values(status="available")  # type: ignore[arg-type]
        )
        await session.commit()
    pulled = await client.post(f"/v1/advisors/{carl['id']}/next")
    assert pulled.status_code == 200 and pulled.json()["status"] == "assigned"


async def test_a_declined_offer_goes_back_at_its_place_and_avoids_the_advisor(
    client: httpx.AsyncClient,
) -> None:
    crew = await team(client, "Offers", routing_mode="offer")
    anna = await advisor(client, "Anna", team_id=crew["id"])
    ben = await advisor(client, "Ben", team_id=crew["id"], status="away")
    first = await routed(client, await post(client, "d1", "1", "Hello, I need help"))
    offer = await _offer_of(client, anna["id"])
    outsider = await login(client, ben)  # not Anna, not her supervisor: cannot even see it
    refused = await client.post(f"/v1/offers/{offer['id']}/decline", headers=outsider)
    assert refused.status_code == 404

    declined = await client.post(
        f"/v1/offers/{offer['id']}/decline", headers=await login(client, anna)
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["end_reason"] == "declined"
    back = await conversation(client, first["id"])
    assert back["status"] == "waiting" and back["assignee_id"] is None
    assert back["waiting_since"] == first["waiting_since"]  # its original place
    # Anna has room again but declined this one: it is not offered back to her.
    assert (await client.post(f"/v1/advisors/{anna['id']}/next")).status_code == 204
    events = await timeline(client, first["id"])
    rerouted = [e for e in events if e["type"] == "conversation.waiting"][-1]
    excluded = rerouted["data"]["explanation"]["excluded"]
    assert [x["advisor_id"] for x in excluded if "declined" in x["reason"]] == [anna["id"]]
    # Ben comes back: the conversation is offered to him.
    await client.patch(f"/v1/advisors/{ben['id']}", json={"status": "available"})
    again = await conversation(client, first["id"])
    assert again["status"] == "offered" and again["assignee_id"] == ben["id"]


async def test_an_unanswered_offer_expires_in_the_waiting_room_round(
    client: httpx.AsyncClient,
) -> None:
    """Expiry is the scheduler's job, from the database alone: no process needs to remember
    the offers it made."""
    crew = await team(client, "Offers", routing_mode="offer", offer_timeout_seconds=5)
    anna = await advisor(client, "Anna", team_id=crew["id"])
    first = await routed(client, await post(client, "e1", "1", "Hello, I need help"))
    assert first["status"] == "offered"
    db = runtime_of(client).db
    assert (await waiting_room_round(db)).expired == 0  # not due yet
    async with db.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.conversation_id == first["id"])  # type: ignore[arg-type]
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    assert (await waiting_room_round(db)).expired == 1
    back = await conversation(client, first["id"])
    assert back["status"] == "waiting" and back["waiting_since"] == first["waiting_since"]
    anna_now = (await client.get(f"/v1/advisors/{anna['id']}")).json()
    assert anna_now["status"] == "away" and anna_now["load_total"] == 0
    types = [e["type"] for e in await timeline(client, first["id"])]
    assert "conversation.offer_expired" in types
    async with db.session() as session:
        ended = (
            await session.scalars(
                select(Assignment).where(Assignment.conversation_id == first["id"])  # type: ignore[arg-type]
            )
        ).one()
    assert ended.end_reason == "expired" and ended.accepted_at is None


async def test_accept_and_decline_racing_settle_once(client: httpx.AsyncClient) -> None:
    crew = await team(client, "Offers", routing_mode="offer")
    anna = await advisor(client, "Anna", team_id=crew["id"])
    await routed(client, await post(client, "r1", "1", "Hello, I need help"))
    offer = await _offer_of(client, anna["id"])
    responses = await asyncio.gather(
        client.post(f"/v1/offers/{offer['id']}/accept"),
        client.post(f"/v1/offers/{offer['id']}/decline"),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    async with runtime_of(client).db.session() as session:
        live = (
            await session.scalars(select(Assignment).where(Assignment.ended_at.is_(None)))  # type: ignore[union-attr]
        ).all()
    assert len(live) <= 1


async def test_team_offer_settings_are_validated(client: httpx.AsyncClient) -> None:
    crew = await team(client, "Offers")
    assert crew["routing_mode"] == "push"
    bad = await client.patch(f"/v1/teams/{crew['id']}", json={"offer_timeout_seconds": 1})
    assert bad.status_code == 422
    bad = await client.patch(f"/v1/teams/{crew['id']}", json={"routing_mode": "maybe"})
    assert bad.status_code == 422
    ok = await client.patch(f"/v1/teams/{crew['id']}", json={"routing_mode": "offer"})
    assert ok.status_code == 200 and ok.json()["routing_mode"] == "offer"
    assert (await client.patch("/v1/teams/999999", json={})).status_code == 404
