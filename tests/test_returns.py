"""Work that comes back: the return timer (taken, not answered in the team's time), advisors
who go offline (their unanswered work after the grace), and affinity that never waits for an
advisor who is not there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from router.models import Advisor, Assignment
from router.routing.escalation import waiting_room_round
from router.settings import Settings
from router.store.types import utcnow
from tests.conftest import QUIET, admin_client, runtime_of
from tests.routing_support import advisor, conversation, login, post, routed, team, timeline


@pytest.fixture
async def quiet(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The waiting room's background round stays out of the way: each test runs it when the
    times it moved into the past say so."""
    update_ = {"escalation_interval_seconds": QUIET}
    async with admin_client(settings.model_copy(update=update_)) as http:
        yield http


async def _timed_team(http: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    crew = await team(http, name, **fields)
    patched = await http.patch(f"/v1/teams/{crew['id']}", json={"return_after_seconds": 5})
    assert patched.status_code == 200 and patched.json()["return_after_seconds"] == 5
    return crew


async def _taken_ago(http: httpx.AsyncClient, conversation_id: int, seconds: int) -> None:
    """As if the conversation's live assignment had been accepted ``seconds`` ago."""
    async with runtime_of(http).db.session() as session:
        await session.execute(
            update(Assignment)
            .where(
                Assignment.conversation_id == conversation_id,  # type: ignore[arg-type]
                Assignment.ended_at.is_(None),  # type: ignore[union-attr]
            )
            .values(accepted_at=utcnow() - timedelta(seconds=seconds))
        )
        await session.commit()


async def _offline_since(http: httpx.AsyncClient, advisor_id: int, seconds: int) -> None:
    """As if the advisor's last change (going offline) were ``seconds`` old."""
    async with runtime_of(http).db.session() as session:
        await session.execute(
            update(Advisor)
            .where(Advisor.id == advisor_id)  # type: ignore[arg-type]
            .values(updated_at=utcnow() - timedelta(seconds=seconds))
        )
        await session.commit()


async def _assignments(http: httpx.AsyncClient, conversation_id: int) -> list[Assignment]:
    async with runtime_of(http).db.session() as session:
        rows = await session.scalars(
            select(Assignment)
            .where(Assignment.conversation_id == conversation_id)  # type: ignore[arg-type]
            .order_by(Assignment.id)  # type: ignore[arg-type]
        )
        return list(rows)


async def _set_status(http: httpx.AsyncClient, advisor_id: int, status: str) -> None:
    response = await http.patch(f"/v1/advisors/{advisor_id}", json={"status": status})
    assert response.status_code == 200, response.text


async def _grace(http: httpx.AsyncClient, seconds: int) -> None:
    current = (await http.get("/v1/routing/config")).json()
    current.pop("updated_at")
    response = await http.put(
        "/v1/routing/config", json={**current, "offline_grace_seconds": seconds}
    )
    assert response.status_code == 200, response.text


async def _round_returned(http: httpx.AsyncClient) -> int:
    return (await waiting_room_round(runtime_of(http).db)).returned


# --- the return timer --------------------------------------------------------------------


async def test_an_unanswered_conversation_returns_to_a_teammate_and_alerts(
    quiet: httpx.AsyncClient,
) -> None:
    http = quiet
    crew = await _timed_team(http, "Returns")
    sue = await advisor(http, "Sue", role="supervisor", team_id=crew["id"], status="offline")
    anna = await advisor(
        http, "Anna", team_id=crew["id"], capacity_total=2, supervisor_id=sue["id"]
    )
    ben = await advisor(http, "Ben", team_id=crew["id"], status="away")
    silent = await routed(http, await post(http, "t1", "1", "Hello, I need help"))
    answered = await routed(http, await post(http, "t2", "1", "Hello, me too"))
    assert silent["assignee_id"] == answered["assignee_id"] == anna["id"]
    reply = await http.post(
        f"/v1/conversations/{answered['id']}/replies",
        json={"text": "Looking into it."},
        headers=await login(http, anna),
    )
    assert reply.status_code == 202, reply.text
    [kept] = await _assignments(http, answered["id"])
    assert kept.answered_at is not None
    assert (await _assignments(http, silent["id"]))[0].answered_at is None

    assert await _round_returned(http) == 0  # taken just now: not due
    for conversation_id in (silent["id"], answered["id"]):
        await _taken_ago(http, conversation_id, 60)
    await _set_status(http, ben["id"], "available")
    assert await _round_returned(http) == 1

    back = await conversation(http, silent["id"])
    assert back["status"] == "assigned" and back["assignee_id"] == ben["id"]
    assert (await conversation(http, answered["id"]))["assignee_id"] == anna["id"]
    first, second = await _assignments(http, silent["id"])
    assert (first.advisor_id, first.end_reason) == (anna["id"], "not answered")
    assert second.advisor_id == ben["id"] and second.ended_at is None
    events = await timeline(http, silent["id"])
    [returned] = [e for e in events if e["type"] == "conversation.returned"]
    assert returned["advisor_id"] == anna["id"]
    assert returned["data"]["reason"] == "not answered within 5 s"
    assert returned["data"]["held_seconds"] >= 60  # taken a minute ago (moved back)
    assert 0 <= returned["data"]["waited_seconds"] < returned["data"]["held_seconds"]
    assert "conversation.returned" not in [e["type"] for e in await timeline(http, answered["id"])]

    [alert] = [a for a in (await http.get("/v1/alerts")).json() if a["conversation_id"]]
    assert alert["type"] == "alert.returned_unanswered"
    assert (alert["conversation_id"], alert["advisor_id"]) == (silent["id"], anna["id"])
    assert (alert["team_id"], alert["supervisor_id"]) == (crew["id"], sue["id"])
    assert alert["data"]["rerouted_to"] == ben["id"] and "Anna" in alert["reason"]
    other = await team(http, "Elsewhere")
    stranger = await advisor(http, "Stan", role="supervisor", team_id=other["id"], status="offline")
    seen = (await http.get("/v1/alerts", headers=await login(http, stranger))).json()
    assert seen == []  # team-scoped


async def test_a_returned_conversation_keeps_its_place_and_avoids_its_advisor(
    quiet: httpx.AsyncClient,
) -> None:
    http = quiet
    crew = await _timed_team(http, "Returns")
    anna = await advisor(http, "Anna", team_id=crew["id"])
    silent = await routed(http, await post(http, "p1", "1", "Hello, I need help"))
    later = await routed(http, await post(http, "p2", "1", "Hello, after them"))
    assert silent["assignee_id"] == anna["id"] and later["status"] == "waiting"
    await _taken_ago(http, silent["id"], 60)

    assert await _round_returned(http) == 1
    # Anna is not at her desk: set away, nothing more is pushed to her.
    shown = (await http.get(f"/v1/advisors/{anna['id']}")).json()
    assert shown["status"] == "away" and shown["load_total"] == 0
    assert (await conversation(http, later["id"]))["status"] == "waiting"
    back = await conversation(http, silent["id"])
    assert back["status"] == "waiting" and back["assignee_id"] is None
    assert back["waiting_since"] <= later["waiting_since"]  # still ahead of the later one
    assert await _round_returned(http) == 0  # returned once
    ben = await advisor(http, "Ben", team_id=crew["id"], status="away")
    await _set_status(http, ben["id"], "available")
    assert (await conversation(http, silent["id"]))["assignee_id"] == ben["id"]
    await _set_status(http, anna["id"], "available")  # back: served, not what she left
    assert (await conversation(http, later["id"]))["assignee_id"] == anna["id"]


async def test_teams_without_a_return_time_keep_their_work(quiet: httpx.AsyncClient) -> None:
    crew = await team(quiet, "Patient")
    anna = await advisor(quiet, "Anna", team_id=crew["id"])
    silent = await routed(quiet, await post(quiet, "n1", "1", "Hello, I need help"))
    await _taken_ago(quiet, silent["id"], 7 * 24 * 3600)
    assert await _round_returned(quiet) == 0
    assert (await conversation(quiet, silent["id"]))["assignee_id"] == anna["id"]


# --- advisors who go offline -------------------------------------------------------------


async def test_an_offline_advisors_unanswered_work_returns_after_the_grace(
    quiet: httpx.AsyncClient,
) -> None:
    http = quiet
    await _grace(http, 60)
    anna = await advisor(http, "Anna", capacity_total=2)
    ben = await advisor(http, "Ben", status="away")
    silent = await routed(http, await post(http, "o1", "1", "Hello, I need help"))
    answered = await routed(http, await post(http, "o2", "1", "Hello, me too"))
    assert silent["assignee_id"] == answered["assignee_id"] == anna["id"]
    headers = await login(http, anna)
    reply = await http.post(
        f"/v1/conversations/{answered['id']}/replies", json={"text": "Hi"}, headers=headers
    )
    assert reply.status_code == 202, reply.text
    await _set_status(http, ben["id"], "available")
    await _set_status(http, anna["id"], "offline")

    assert await _round_returned(http) == 0  # within the grace: still hers
    assert (await conversation(http, silent["id"]))["assignee_id"] == anna["id"]
    await _offline_since(http, anna["id"], 61)
    assert await _round_returned(http) == 1
    assert (await conversation(http, silent["id"]))["assignee_id"] == ben["id"]
    assert (await conversation(http, answered["id"]))["assignee_id"] == anna["id"]
    ended = (await _assignments(http, silent["id"]))[0]
    assert ended.end_reason == "advisor offline"
    [returned] = [
        e for e in await timeline(http, silent["id"]) if e["type"] == "conversation.returned"
    ]
    assert returned["advisor_id"] == anna["id"] and "offline" in returned["data"]["reason"]
    assert (await http.get("/v1/alerts")).json() == []  # going offline is no incident


async def test_an_advisor_back_online_within_the_grace_keeps_their_work(
    quiet: httpx.AsyncClient,
) -> None:
    await _grace(quiet, 60)
    anna = await advisor(quiet, "Anna")
    await advisor(quiet, "Ben", status="away")
    silent = await routed(quiet, await post(quiet, "b1", "1", "Hello, I need help"))
    await _set_status(quiet, anna["id"], "offline")
    await _set_status(quiet, anna["id"], "available")
    await _offline_since(quiet, anna["id"], 600)
    assert await _round_returned(quiet) == 0
    assert (await conversation(quiet, silent["id"]))["assignee_id"] == anna["id"]
    assert (await _assignments(quiet, silent["id"]))[0].ended_at is None


async def test_an_offline_advisors_pending_offer_returns_at_its_place(
    quiet: httpx.AsyncClient,
) -> None:
    await _grace(quiet, 60)
    crew = await team(quiet, "Offers", routing_mode="offer", offer_timeout_seconds=3600)
    anna = await advisor(quiet, "Anna", team_id=crew["id"])
    offered = await routed(quiet, await post(quiet, "f1", "1", "Hello, I need help"))
    assert offered["status"] == "offered" and offered["assignee_id"] == anna["id"]
    await _set_status(quiet, anna["id"], "offline")
    await _offline_since(quiet, anna["id"], 61)
    assert await _round_returned(quiet) == 1
    back = await conversation(quiet, offered["id"])
    assert back["status"] == "waiting" and back["waiting_since"] == offered["waiting_since"]
    [offer] = await _assignments(quiet, offered["id"])
    assert offer.end_reason == "advisor offline" and offer.accepted_at is None


# --- affinity never waits for an absent advisor ------------------------------------------


async def _answer_and_set(
    http: httpx.AsyncClient, person: dict[str, Any], conversation_id: int, status: str
) -> None:
    headers = await login(http, person)
    reply = await http.post(
        f"/v1/conversations/{conversation_id}/replies", json={"text": "Done."}, headers=headers
    )
    assert reply.status_code == 202, reply.text
    moved = await http.post(
        f"/v1/conversations/{conversation_id}/status", json={"status": status}, headers=headers
    )
    assert moved.status_code == 200, moved.text


@pytest.mark.parametrize("absence", ["offline", "away"])
async def test_a_returning_customer_never_waits_for_an_absent_advisor(
    quiet: httpx.AsyncClient, absence: str
) -> None:
    http = quiet
    anna = await advisor(http, "Anna", capacity_total=3)
    ben = await advisor(http, "Ben", status="away", capacity_total=3)
    first = await routed(http, await post(http, "a1", "1", "Hello, I need help"))
    other = await routed(http, await post(http, "x1", "1", "Hello, another question"))
    assert first["assignee_id"] == other["assignee_id"] == anna["id"]
    await _answer_and_set(http, anna, first["id"], "resolved")
    await _set_status(http, ben["id"], "available")
    # Anna is busier than Ben, yet the customer's advisor is preferred while she is there.
    again = await routed(http, await post(http, "a1", "2", "It broke again"))
    assert again["id"] == first["id"] and again["assignee_id"] == anna["id"]

    await _answer_and_set(http, anna, first["id"], "resolved")
    await _set_status(http, anna["id"], absence)
    reopened = await routed(http, await post(http, "a1", "3", "Still broken"))
    assert reopened["id"] == first["id"] and reopened["assignee_id"] == ben["id"]

    await _answer_and_set(http, ben, first["id"], "pending")
    await _set_status(http, ben["id"], absence)
    resumed = await routed(http, await post(http, "a1", "4", "Any news?"))
    assert resumed["id"] == first["id"]
    assert resumed["status"] == "waiting" and resumed["assignee_id"] is None
