"""Care for advisors, end to end: emotion on the conversation, cool-down, the cap on intense
conversations, fair spread and its report, and supervisor alerts when anger rises."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from router.models import Advisor
from router.routing.escalation import waiting_room_round
from router.store.types import utcnow
from tests.conftest import runtime_of
from tests.routing_support import advisor, conversation, login, post, routed, team, timeline


def angry(intensity: float, emotion: str = "anger") -> dict[str, Any]:
    return {"metadata": {"emotion": emotion, "emotion_intensity": intensity}}


async def _config(http: httpx.AsyncClient, **changes: Any) -> None:
    current = (await http.get("/v1/routing/config")).json()
    current.pop("updated_at")
    response = await http.put("/v1/routing/config", json={**current, **changes})
    assert response.status_code == 200, response.text


async def test_the_conversation_keeps_the_latest_emotion(client: httpx.AsyncClient) -> None:
    await advisor(client, "Anna", capacity_total=2)
    calm = await routed(client, await post(client, "e1", "1", "Hello, a question"))
    assert calm["intense"] is False  # read as calm (by the classifier, when one runs)
    await routed(client, await post(client, "e1", "2", "Still waiting!", **angry(0.9)))
    later = await conversation(client, calm["id"])
    assert later["emotion"] == "anger" and later["emotion_intensity"] == 0.9
    assert later["intense"] is True
    bad = await routed(client, await post(client, "e2", "1", "hm", metadata={"emotion": 3}))
    assert bad["emotion"] != 3 and bad["intense"] is False  # a malformed hint is ignored


async def test_cooldown_after_an_intense_conversation(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna", capacity_total=3)
    first = await routed(
        client, await post(client, "c1", "1", "This is unacceptable!", **angry(0.9))
    )
    assert first["assignee_id"] == anna["id"] and first["intense"]
    assert (await client.post(f"/v1/conversations/{first['id']}/resolve")).status_code == 200

    second = await routed(client, await post(client, "c2", "1", "Furious, again!", **angry(0.8)))
    assert second["status"] == "waiting"  # Anna is in cool-down
    waiting = [
        e for e in await timeline(client, second["id"]) if e["type"] == "conversation.waiting"
    ]
    assert "cool-down" in str(waiting[-1]["data"]["explanation"])
    calm = await routed(client, await post(client, "c3", "1", "Hello, a simple question"))
    assert calm["assignee_id"] == anna["id"]  # calm work is fine

    async with runtime_of(client).db.session() as session:  # ten minutes later
        await session.execute(
            update(Advisor)
            .where(Advisor.id == anna["id"])  # type: ignore[arg-type]
            .values(last_intense_ended_at=utcnow() - timedelta(minutes=11))
        )
        await session.commit()
    await waiting_room_round(runtime_of(client).db)
    assert (await conversation(client, second["id"]))["assignee_id"] == anna["id"]


async def test_a_cap_on_simultaneous_intense_conversations(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna", capacity_total=3)
    first = await routed(client, await post(client, "k1", "1", "Outrageous!", **angry(0.7)))
    assert first["assignee_id"] == anna["id"]
    second = await routed(client, await post(client, "k2", "1", "Scandalous!", **angry(0.95)))
    assert second["status"] == "waiting"
    waiting = [
        e for e in await timeline(client, second["id"]) if e["type"] == "conversation.waiting"
    ]
    assert "intense" in str(waiting[-1]["data"]["explanation"])
    await _config(client, max_intense=2)
    await waiting_room_round(runtime_of(client).db)
    assert (await conversation(client, second["id"]))["assignee_id"] == anna["id"]


async def test_intense_conversations_are_spread_and_reported(client: httpx.AsyncClient) -> None:
    await _config(client, cooldown_seconds=0, max_intense=5)
    crew = await team(client, "Crew")
    anna = await advisor(client, "Anna", team_id=crew["id"], capacity_total=5)
    ben = await advisor(client, "Ben", team_id=crew["id"], capacity_total=5)
    first = await routed(client, await post(client, "f1", "1", "Angry!", **angry(0.9)))
    assert first["assignee_id"] == anna["id"]  # equal so far: the lower id
    await client.post(f"/v1/conversations/{first['id']}/resolve")
    calm = await routed(client, await post(client, "f2", "1", "Hello there"))
    assert calm["assignee_id"] == ben["id"]  # least busy, then idle longest (never assigned)
    # Anna is now the less busy (0 vs 1 of 5), but took an intense one today: Ben gets it.
    second = await routed(client, await post(client, "f3", "1", "Angry too!", **angry(0.9)))
    assert second["assignee_id"] == ben["id"]
    assigned = [
        e for e in await timeline(client, second["id"]) if e["type"] == "conversation.assigned"
    ]
    assert (
        "fewest intense conversations today (0 vs 1)"
        in assigned[0]["data"]["explanation"]["explanation"]
    )

    report = await client.get("/v1/reports/intense-spread", params={"team_id": crew["id"]})
    assert report.status_code == 200, report.text
    rows = {r["advisor_id"]: (r["intense"], r["total"]) for r in report.json()["advisors"]}
    assert rows == {anna["id"]: (1, 1), ben["id"]: (1, 2)}
    assert report.json()["spread"] == 0 and report.json()["intense_total"] == 2
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    earlier = await client.get(
        "/v1/reports/intense-spread", params={"team_id": crew["id"], "day": yesterday}
    )
    assert earlier.json()["intense_total"] == 0
    assert (
        await client.get("/v1/reports/intense-spread", params={"team_id": 999999})
    ).status_code == 404


async def test_rising_anger_alerts_the_supervisor(client: httpx.AsyncClient) -> None:
    crew = await team(client, "Crew")
    other = await team(client, "Other")
    sue = await advisor(client, "Sue", role="supervisor", team_id=crew["id"], status="offline")
    anna = await advisor(
        client, "Anna", team_id=crew["id"], supervisor_id=sue["id"], capacity_total=3
    )
    olga = await advisor(client, "Olga", role="supervisor", team_id=other["id"], status="offline")
    first = await routed(client, await post(client, "a1", "1", "Hmm, not great", **angry(0.3)))
    assert first["assignee_id"] == anna["id"]
    await routed(
        client,
        await post(client, "a1", "2", "This is getting annoying", **angry(0.5, "frustration")),
    )
    assert (await client.get("/v1/alerts")).json() == []
    await routed(client, await post(client, "a1", "3", "I am FURIOUS now", **angry(0.8)))
    await routed(client, await post(client, "a1", "4", "FURIOUS!!!", **angry(0.9)))  # same rise

    as_sue = (await client.get("/v1/alerts", headers=await login(client, sue))).json()
    assert len(as_sue) == 1
    alert = as_sue[0]
    assert alert["type"] == "alert.anger_rising"
    assert alert["conversation_id"] == first["id"] and alert["advisor_id"] == anna["id"]
    assert alert["supervisor_id"] == sue["id"] and alert["team_id"] == crew["id"]
    assert "0.30 -> 0.50 -> 0.80" in alert["reason"]
    assert (
        await client.get(
            "/v1/alerts", params={"after_id": alert["id"]}, headers=await login(client, sue)
        )
    ).json() == []
    assert (await client.get("/v1/alerts", headers=await login(client, olga))).json() == []
    assert (await client.get("/v1/alerts", headers=await login(client, anna))).status_code == 403
    events = [e["type"] for e in await timeline(client, first["id"])]
    assert events.count("alert.anger_rising") == 1
