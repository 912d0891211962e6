"""Team KPIs, live and by interval: the figures match the stored history, computed here
independently (plain Python over the rows), on both backends."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col, select

from router.models import Advisor, Assignment, Conversation, CsatSurvey, Event
from router.models.events import STATUS_CHANGED
from tests.conftest import runtime_of, wait_for
from tests.routing_support import advisor, conversation, login, post, routed, set_rows, team

STEP = 900


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def _update(http: httpx.AsyncClient, table: Any, where: Any, **values: Any) -> None:
    async with runtime_of(http).db.session() as session:
        await session.execute(update(table).where(where).values(**values))
        await session.commit()


async def _history(http: httpx.AsyncClient) -> dict[str, Any]:
    """Three conversations of team Crew, moved to known times from R (a 15-minute
    boundary 30 to 45 minutes ago): c1 answered in 30 s then transferred back to the
    team's queue after 300 s, c2 answered in 340 s and held since, c3 abandoned."""
    crew, other = await team(http, "Crew"), await team(http, "Other")
    ann = await advisor(http, "Ann", team_id=crew["id"])
    sue = await advisor(http, "Sue", role="supervisor", team_id=crew["id"], status="offline")
    for status in ("break", "available"):  # Ann's status history: a break
        response = await http.patch(f"/v1/advisors/{ann['id']}", json={"status": status})
        assert response.status_code == 200, response.text
    c1 = await routed(http, await post(http, "k1", "1", "Hello, my order is late"))
    c2 = await routed(http, await post(http, "k2", "1", "Hello, my parcel is lost"))
    c3 = await routed(http, await post(http, "k3", "1", "Hello, where is my refund"))
    assert c1["assignee_id"] == ann["id"] and c2["status"] == c3["status"] == "waiting"
    resolved = await http.post(
        f"/v1/conversations/{c3['id']}/status", json={"status": "resolved", "reason": "gave up"}
    )
    assert resolved.status_code == 200, resolved.text
    moved = await http.post(
        f"/v1/conversations/{c1['id']}/transfer", json={"to_team_id": crew["id"], "note": "n"}
    )
    assert moved.status_code == 200, moved.text

    async def c2_taken() -> bool:
        return (await conversation(http, c2["id"]))["assignee_id"] == ann["id"]

    await wait_for(c2_taken)
    now = datetime.now(UTC)
    r = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    r -= timedelta(minutes=30)

    def at(seconds: int) -> datetime:
        return r + timedelta(seconds=seconds)

    await set_rows(http, c1["id"], created_at=at(0), waiting_since=at(330))
    await set_rows(http, c2["id"], created_at=at(60))
    await set_rows(
        http, c3["id"], created_at=at(120), abandoned_at=at(300), queue_team_id=crew["id"]
    )
    first = col(Assignment.conversation_id) == c1["id"]
    await _update(http, Assignment, first, assigned_at=at(30), accepted_at=at(30), ended_at=at(330))
    second = col(Assignment.conversation_id) == c2["id"]
    await _update(http, Assignment, second, assigned_at=at(400), accepted_at=at(400))
    await _update(http, Advisor, col(Advisor.id) == ann["id"], created_at=at(-3600))
    async with runtime_of(http).db.session() as session:
        changes = (
            await session.scalars(
                select(Event)
                .where(col(Event.type) == STATUS_CHANGED, col(Event.advisor_id) == ann["id"])
                .order_by(col(Event.id))
            )
        ).all()
        for event, seconds in zip(changes, (200, 260), strict=True):
            event.created_at = at(seconds)
        session.add(
            CsatSurvey(
                conversation_id=c2["id"],
                advisor_id=ann["id"],
                team_id=crew["id"],
                channel="chat",
                language="en",
                token_hash="k" * 64,
                score=4,
                answered_at=now,
            )
        )
        await session.commit()
    return {"crew": crew, "other": other, "ann": ann, "sue": sue, "r": r}


async def _rows(http: httpx.AsyncClient, team_id: int) -> dict[str, Any]:
    async with runtime_of(http).db.read_session() as session:
        advisors = (await session.scalars(select(Advisor))).all()
        mine = {a.id for a in advisors if a.team_id == team_id}
        conversations = [
            c
            for c in (await session.scalars(select(Conversation))).all()
            if c.queue_team_id == team_id or c.assignee_id in mine
        ]
        assignments = (await session.scalars(select(Assignment))).all()
        events = (
            await session.scalars(select(Event).where(col(Event.type) == STATUS_CHANGED))
        ).all()
    return {
        "advisors": [a for a in advisors if a.id in mine],
        "conversations": conversations,
        "assignments": assignments,
        "events": [e for e in events if e.advisor_id in mine],
    }


def _service(rows: dict[str, Any], start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """The service figures of the definitions, straight from the rows."""
    accepted: dict[int, datetime] = {}
    for a in rows["assignments"]:
        if a.accepted_at is not None:
            accepted[a.conversation_id] = min(
                accepted.get(a.conversation_id, a.accepted_at), a.accepted_at
            )
    offered = [c for c in rows["conversations"] if start <= c.created_at < end]
    waits = [(accepted[c.id] - c.created_at).total_seconds() for c in offered if c.id in accepted]
    abandoned = [c for c in offered if c.id not in accepted and c.abandoned_at is not None]
    settled = [
        c
        for c in offered
        if c.id in accepted
        or c.abandoned_at is not None
        or now - c.created_at >= timedelta(seconds=60)
    ]
    team_advisors = {a.id for a in rows["advisors"]}
    handled = [
        a
        for a in rows["assignments"]
        if a.advisor_id in team_advisors
        and a.accepted_at is not None
        and a.ended_at is not None
        and start <= a.ended_at < end
    ]
    spans = [(a.ended_at - a.accepted_at).total_seconds() for a in handled]
    in_target = sum(1 for w in waits if w <= 60)
    return {
        "offered": len(offered),
        "answered": len(waits),
        "answered_in_target": in_target,
        "abandoned": len(abandoned),
        "service_level": round(in_target / len(settled), 4) if settled else None,
        "asa_seconds": round(sum(waits) / len(waits), 1) if waits else None,
        "handled": len(handled),
        "aht_seconds": round(sum(spans) / len(spans), 1) if spans else None,
        "transfers": sum(1 for a in handled if a.end_reason == "transferred"),
    }


def _seconds_available(rows: dict[str, Any], start: datetime, end: datetime) -> float:
    """Advisor-seconds available in [start, end), second by second over the status events."""
    total = 0.0
    for person in rows["advisors"]:
        changes = sorted(
            (e.created_at, e.data["current"]) for e in rows["events"] if e.advisor_id == person.id
        )
        moment = start
        while moment < end:
            earlier = [s for t, s in changes if t <= moment]
            later = [
                e.data["previous"]
                for e in rows["events"]
                if e.advisor_id == person.id and e.created_at > moment
            ]
            status = earlier[-1] if earlier else (later[0] if later else person.status)
            if status == "available" and moment >= person.created_at:
                total += 1
            moment += timedelta(seconds=10)
    return total * 10


async def test_live_and_interval_figures_match_the_stored_history(
    client: httpx.AsyncClient,
) -> None:
    known = await _history(client)
    crew, r = known["crew"], known["r"]
    sue = await login(client, known["sue"])
    rows = await _rows(client, crew["id"])

    live = await client.get("/v1/reports/live", params={"team_id": crew["id"]}, headers=sue)
    assert live.status_code == 200, live.text
    body = live.json()
    [figures] = body["teams"]
    now, day_start = (
        datetime.fromisoformat(body["at"]),
        datetime.fromisoformat(figures["day_start"]),
    )
    assert body["timezone"] == "UTC" and day_start == now.replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    assert figures["today"] == _service(rows, day_start, now, now)
    assert figures["waiting"] == 1 and [q["waiting"] for q in figures["queues"]] == [1]
    assert figures["queues"][0]["channel"] == "chat"
    oldest = (now - (r + timedelta(seconds=330))).total_seconds()
    assert abs(figures["oldest_wait_seconds"] - oldest) < 1
    assert figures["advisors_by_status"] == {"available": 1, "away": 0, "break": 0, "offline": 1}
    assert (figures["held"], figures["capacity_available"], figures["occupancy"]) == (1, 1, 1.0)
    assert (figures["csat_sent_today"], figures["csat_average_today"]) == (1, 4.0)
    assert (figures["service_level_seconds"], figures["service_level_percent"]) == (60, 80)

    params = {"team_id": crew["id"], "from": _iso(r), "to": _iso(r + timedelta(minutes=45))}
    report = await client.get("/v1/reports/intervals", params=params, headers=sue)
    assert report.status_code == 200, report.text
    intervals = report.json()["intervals"]
    assert [i["start"] for i in intervals] == [
        _iso(r + timedelta(seconds=STEP * k)) for k in range(3)
    ]
    for k, row in enumerate(intervals):
        start = r + timedelta(seconds=STEP * k)
        expected = _service(rows, start, start + timedelta(seconds=STEP), datetime.now(UTC))
        assert {name: row[name] for name in expected} == expected, k
    # The known history: c1 in 30 s (in target), c2 in 340 s, c3 abandoned; one transfer.
    first = intervals[0]
    assert (first["offered"], first["answered"], first["answered_in_target"]) == (3, 2, 1)
    assert (first["abandoned"], first["service_level"], first["asa_seconds"]) == (1, 0.3333, 185.0)
    assert (first["handled"], first["aht_seconds"], first["transfers"]) == (1, 300.0, 1)
    # Ann on a break from R+200 to R+260: available 840 s of the first interval, holding
    # c1 from R+30 to R+330 (240 s while available) and c2 from R+400 on (500 s).
    assert first["staffed_seconds"] == _seconds_available(rows, r, r + timedelta(seconds=STEP))
    assert (first["staffed_seconds"], first["busy_seconds"]) == (840.0, 740.0)
    assert first["occupancy"] == round(740 / 840, 4)
    assert (intervals[1]["staffed_seconds"], intervals[1]["occupancy"]) == (900.0, 1.0)

    exported = await client.get(
        "/v1/reports/intervals", params=params, headers={**sue, "Accept": "text/csv"}
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert 'filename="intervals-team' in exported.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(table) == 3 and list(table[0])[:3] == ["start", "end", "offered"]
    running = ("staffed_seconds", "capacity_seconds", "busy_seconds", "occupancy")
    for k, (line, row) in enumerate(zip(table, intervals, strict=True)):
        same = [name for name in row if k < 2 or name not in running]  # the last one runs
        assert {n: line[n] for n in same} == {
            n: "" if row[n] is None else str(row[n]) for n in same
        }


async def test_kpi_requests_are_checked(client: httpx.AsyncClient) -> None:
    crew, other = await team(client, "Crew"), await team(client, "Other")
    sue = await login(client, await advisor(client, "Sue", role="supervisor", team_id=crew["id"]))
    ann = await login(client, await advisor(client, "Ann", team_id=crew["id"]))
    assert (await client.get("/v1/reports/live", headers=ann)).status_code == 403
    hidden = await client.get("/v1/reports/live", params={"team_id": other["id"]}, headers=sue)
    assert hidden.status_code == 404
    mine = (await client.get("/v1/reports/live", headers=sue)).json()["teams"]
    assert [t["team_id"] for t in mine] == [crew["id"]]
    everyone = (await client.get("/v1/reports/live")).json()["teams"]
    assert [t["team_id"] for t in everyone] == [crew["id"], other["id"]]
    changed = await client.patch(
        f"/v1/teams/{crew['id']}", json={"service_level_seconds": 30, "service_level_percent": 90}
    )
    assert changed.status_code == 200 and changed.json()["service_level_seconds"] == 30
    base = {"team_id": crew["id"], "from": "2026-01-05T09:00:00Z", "to": "2026-01-05T10:00:00Z"}
    day = await client.get("/v1/reports/intervals", params={**base, "step": "30m", "format": "csv"})
    assert day.status_code == 200 and len(day.text.strip().splitlines()) == 3
    json_body = (await client.get("/v1/reports/intervals", params=base)).json()
    assert json_body["service_level_seconds"] == 30 and len(json_body["intervals"]) == 4
    assert json_body["from"] == "2026-01-05T09:00:00Z"
    for params, field, reason in [
        ({"from": "2026-01-05T10:00:00Z"}, "from", "before"),
        ({"from": "2026-01-05T09:05:00Z"}, "from", "aligned"),
        ({"step": "1h", "to": "2026-01-05T10:30:00Z"}, "to", "aligned"),
        ({"from": "2025-12-01T00:00:00Z", "to": "2026-01-05T00:00:00Z"}, "to", "31 days"),
    ]:
        response = await client.get("/v1/reports/intervals", params={**base, **params})
        assert response.status_code == 422, (params, response.text)
        assert response.json()["field"] == field and reason in response.json()["detail"]
    for params in ({"step": "5m"}, {"format": "xml"}, {"to": "2026-01-05T10:00:00"}):
        assert (
            await client.get("/v1/reports/intervals", params={**base, **params})
        ).status_code == 422
    other_team = {**base, "team_id": other["id"]}
    assert (
        await client.get("/v1/reports/intervals", params=other_team, headers=sue)
    ).status_code == 404


async def test_live_report_counts_the_queue_of_no_team(client: httpx.AsyncClient) -> None:
    """A rule without a team leaves conversations in no team's queue: the whole board shows
    them apart (so its figures agree with the waiting list), one team's report does not."""
    crew = await team(client, "Crew")
    supervisor = await advisor(
        client, "Sue", role="supervisor", team_id=crew["id"], status="offline"
    )
    sue = await login(client, supervisor)
    waiting = await routed(client, await post(client, "n1", "1", "Hello, where is my order?"))
    assert waiting["status"] == "waiting" and waiting["queue_team_id"] is None
    body = (await client.get("/v1/reports/live", headers=sue)).json()
    assert [t["waiting"] for t in body["teams"]] == [0]
    no_team = body["no_team"]
    assert no_team["waiting"] == 1 and [q["waiting"] for q in no_team["queues"]] == [1]
    assert no_team["oldest_wait_seconds"] is not None and no_team["oldest_wait_seconds"] >= 0
    listed = await client.get("/v1/conversations", params={"status": "waiting"}, headers=sue)
    assert [c["id"] for c in listed.json()] == [waiting["id"]]  # the same one, seen by Sue
    one = await client.get("/v1/reports/live", params={"team_id": crew["id"]}, headers=sue)
    assert one.json()["no_team"] is None
