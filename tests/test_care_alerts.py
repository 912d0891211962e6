"""Supervisor alerts beyond rising anger, end to end: a first message already very angry, and
an intense conversation left waiting too long (once per wait, again after a new wait)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from router.models import Conversation
from router.routing.escalation import waiting_room_round
from router.settings import Settings
from router.store.types import utcnow
from tests.conftest import admin_client, runtime_of, wait_for
from tests.routing_support import advisor, login, post, routed, set_rows, team, timeline

FIRST = "alert.angry_first_message"
WAITING = "alert.intense_waiting"


def feeling(intensity: float, emotion: str = "anger") -> dict[str, Any]:
    return {"metadata": {"emotion": emotion, "emotion_intensity": intensity}}


@pytest.fixture
async def lively(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the waiting room's round every 0.2 s."""
    async with admin_client(
        settings.model_copy(update={"escalation_interval_seconds": 0.2})
    ) as http:
        yield http


async def _crew_queue(http: httpx.AsyncClient) -> dict[str, Any]:
    """Team Crew, whose queue holds every message about an order; its supervisor Sue."""
    crew = await team(http, "Crew")
    rule = await http.post(
        "/v1/rules",
        json={"name": "Orders", "conditions": {"keywords": ["order"]}, "team_id": crew["id"]},
    )
    assert rule.status_code == 201, rule.text
    return crew


async def _alerts(
    http: httpx.AsyncClient, kind: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    rows = (await http.get("/v1/alerts", params={"limit": 500}, headers=headers)).json()
    return [a for a in rows if a["type"] == kind]


async def test_a_first_message_already_very_angry_alerts_its_queue_s_team(
    client: httpx.AsyncClient,
) -> None:
    crew = await _crew_queue(client)
    other = await team(client, "Other")
    sue = await advisor(client, "Sue", role="supervisor", team_id=crew["id"], status="offline")
    olga = await advisor(client, "Olga", role="supervisor", team_id=other["id"], status="offline")
    furious = await routed(
        client, await post(client, "f1", "1", "Where is my order?! Disgraceful", **feeling(0.9))
    )
    assert furious["status"] == "waiting" and furious["queue_team_id"] == crew["id"]
    # Calm, or angry below the first-message threshold (0.85): no alert.
    await routed(client, await post(client, "f2", "1", "Hello, about my order"))
    mild = await routed(client, await post(client, "f3", "1", "My order is late!", **feeling(0.7)))
    assert mild["intense"] is True  # intense all the same, just not alarming at once
    await routed(client, await post(client, "f4", "1", "Order?", **feeling(0.95, "anxiety")))
    # The same customer again, still furious: their first message was alerted already.
    await routed(client, await post(client, "f1", "2", "ANSWER ME", **feeling(0.97)))

    as_sue = await _alerts(client, FIRST, await login(client, sue))
    assert len(as_sue) == 1
    alert = as_sue[0]
    assert alert["conversation_id"] == furious["id"] and alert["team_id"] == crew["id"]
    assert alert["advisor_id"] is None and alert["supervisor_id"] is None  # nobody holds it
    assert "already reads as anger at 0.90" in alert["reason"]
    assert alert["data"] == {"emotion": "anger", "intensity": 0.9, "conversation_status": "waiting"}
    assert await _alerts(client, FIRST, await login(client, olga)) == []
    assert await _alerts(client, FIRST) == as_sue  # the admin's view: nothing else either
    events = [e["type"] for e in await timeline(client, furious["id"])]
    assert events.count(FIRST) == 1


async def test_a_first_message_routed_at_once_alerts_the_advisor_s_supervisor(
    client: httpx.AsyncClient,
) -> None:
    """The alert is raised after routing: it names the advisor who got the conversation."""
    crew = await _crew_queue(client)
    sue = await advisor(client, "Sue", role="supervisor", team_id=crew["id"], status="offline")
    anna = await advisor(client, "Anna", team_id=crew["id"], supervisor_id=sue["id"])
    furious = await routed(
        client, await post(client, "g1", "1", "My order, NOW", **feeling(0.88, "frustration"))
    )
    assert furious["assignee_id"] == anna["id"]
    (alert,) = await _alerts(client, FIRST, await login(client, sue))
    assert alert["advisor_id"] == anna["id"] and alert["supervisor_id"] == sue["id"]
    assert alert["team_id"] == crew["id"]
    assert alert["data"]["conversation_status"] == "assigned"


async def _wait_alerted_at(http: httpx.AsyncClient, conversation_id: int) -> Any:
    async with runtime_of(http).db.read_session() as session:
        row = await session.get(Conversation, conversation_id)
        assert row is not None
        return row.wait_alerted_at


async def _waited(http: httpx.AsyncClient, conversation_id: int, seconds: float) -> None:
    """As if the conversation had been waiting for ``seconds``."""
    await set_rows(http, conversation_id, waiting_since=utcnow() - timedelta(seconds=seconds))


async def test_an_intense_conversation_waiting_too_long_alerts_once_per_wait(
    lively: httpx.AsyncClient,
) -> None:
    config = (await lively.get("/v1/routing/config")).json()
    config.pop("updated_at")
    put = await lively.put("/v1/routing/config", json={**config, "intense_wait_alert_seconds": 60})
    assert put.status_code == 200, put.text
    crew = await _crew_queue(lively)
    sue = await advisor(lively, "Sue", role="supervisor", team_id=crew["id"], status="offline")
    anna = await advisor(lively, "Anna", team_id=crew["id"], status="away", capacity_total=2)
    angry = await routed(lively, await post(lively, "w1", "1", "My order!!", **feeling(0.7)))
    calm = await routed(lively, await post(lively, "w2", "1", "About my order, no rush"))
    assert angry["status"] == calm["status"] == "waiting" and angry["intense"]

    db = runtime_of(lively).db
    assert (await waiting_room_round(db)).alerted == 0  # it has not waited 60 s yet
    await _waited(lively, angry["id"], 61)
    await _waited(lively, calm["id"], 3600)  # calm: never alerted, however long
    headers = await login(lively, sue)
    (alert,) = await wait_for(lambda: _alerts(lively, WAITING, headers))
    assert alert["conversation_id"] == angry["id"] and alert["team_id"] == crew["id"]
    assert alert["data"]["waited_seconds"] >= 61 and alert["data"]["alert_after_seconds"] == 60
    assert alert["data"]["emotion"] == "anger" and alert["data"]["intensity"] == 0.7
    assert alert["data"]["queue_team_id"] == crew["id"]
    assert "waiting for" in alert["reason"] and "alert after 60 s" in alert["reason"]
    assert await _wait_alerted_at(lively, angry["id"]) is not None
    for _ in range(2):  # more rounds, same wait: nothing new
        await waiting_room_round(db)
    assert len(await _alerts(lively, WAITING)) == 1

    # Assigned: the wait is over. Transferred back to the team's queue: a new wait.
    await lively.patch(f"/v1/advisors/{anna['id']}", json={"status": "available"})
    taken = (await lively.get(f"/v1/conversations/{angry['id']}")).json()
    assert taken["assignee_id"] == anna["id"]
    assert await _wait_alerted_at(lively, angry["id"]) is None
    back = await lively.post(
        f"/v1/conversations/{angry['id']}/transfer",
        json={"to_team_id": crew["id"], "note": "Needs someone else"},
    )
    assert back.status_code == 200 and back.json()["status"] == "waiting", back.text
    await _waited(lively, angry["id"], 62)

    async def alerted_again() -> list[dict[str, Any]] | None:
        rows = await _alerts(lively, WAITING)
        return rows if len(rows) == 2 else None

    rows = await wait_for(alerted_again)
    assert {r["conversation_id"] for r in rows} == {angry["id"]}
    events = [e["type"] for e in await timeline(lively, angry["id"])]
    assert events.count(WAITING) == 2
    assert not [e for e in await timeline(lively, calm["id"]) if e["type"] == WAITING]
