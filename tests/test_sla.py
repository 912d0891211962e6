"""SLA policies end to end: admin CRUD with validation, due times on new tickets, the first
reply, pauses and settling, the ticket clock's warnings and breaches (once each, even run
twice or concurrently), a priority change, and the supervisors' report."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlmodel import col, select

from clocks.business_time import due_at
from clocks.hours import BusinessHours
from router.models import Conversation, Event
from router.models.conversations import ConversationStatus
from router.settings import Settings
from router.tickets import sla
from tests.conftest import runtime_of
from tests.routing_support import advisor, conversation, login, post, routed, set_rows, team

HOUR = 3600
OFFICE = {
    "timezone": "Europe/Paris",
    "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-12-25"],
}


async def policy(http: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "first_response_seconds": HOUR, "resolution_seconds": 8 * HOUR}
    response = await http.post("/v1/sla-policies", json={**body, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def when(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value)


async def sla_events(http: httpx.AsyncClient, conversation_id: int) -> list[tuple[str, str]]:
    async with runtime_of(http).db.read_session() as session:
        rows = await session.scalars(
            select(Event)
            .where(col(Event.conversation_id) == conversation_id, col(Event.type).like("sla.%"))
            .order_by(col(Event.id))
        )
        return [(e.type, e.data["target"]) for e in rows]


async def move(http: httpx.AsyncClient, conversation_id: int, status: str, now: datetime) -> None:
    """A status change as the lifecycle makes it: the status, then the SLA hook."""
    async with runtime_of(http).db.session() as session:
        row = await session.get(Conversation, conversation_id)
        assert row is not None
        row.status = ConversationStatus(status)
        sla.on_status_change(row, now)
        await session.commit()


# Policies: admin CRUD and validation.


async def test_policy_crud(client: httpx.AsyncClient) -> None:
    created = await policy(
        client, "Urgent mail", position=1, min_priority=50, channel="email", business_hours=OFFICE
    )
    assert created["warning_ratio"] == 0.8 and created["active"] is True
    assert created["business_hours"]["when"] == "open"  # stored in canonical form
    other = await policy(client, "Everything", position=5, resolution_seconds=None)
    listed = (await client.get("/v1/sla-policies")).json()
    assert [p["name"] for p in listed] == ["Urgent mail", "Everything"]
    changed = await client.patch(
        f"/v1/sla-policies/{other['id']}", json={"position": 0, "channel": None, "active": False}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["position"] == 0 and changed.json()["active"] is False
    assert changed.json()["first_response_seconds"] == HOUR  # untouched
    assert (await client.get(f"/v1/sla-policies/{other['id']}")).json()["position"] == 0
    taken = await client.post(
        "/v1/sla-policies", json={"name": "Everything", "first_response_seconds": 60}
    )
    assert taken.status_code == 409 and taken.json()["field"] == "name"
    renamed = await client.patch(f"/v1/sla-policies/{other['id']}", json={"name": "Urgent mail"})
    assert renamed.status_code == 409
    assert (await client.delete(f"/v1/sla-policies/{other['id']}")).status_code == 204
    assert (await client.get(f"/v1/sla-policies/{other['id']}")).status_code == 404
    assert (await client.delete(f"/v1/sla-policies/{other['id']}")).status_code == 404


async def test_invalid_policies_are_refused_with_a_reason(client: httpx.AsyncClient) -> None:
    base = {"name": "P", "first_response_seconds": HOUR}
    for changes, reason in [
        ({"first_response_seconds": None}, "first_response_seconds, resolution_seconds"),
        ({"first_response_seconds": 59}, "greater than or equal to 60"),
        ({"resolution_seconds": 91 * 86400}, "less than or equal to"),
        ({"warning_ratio": 0.4}, "greater than or equal to 0.5"),
        ({"warning_ratio": 1.0}, "less than or equal to 0.99"),
        ({"channel": "fax"}, "email"),
        ({"min_priority": 101}, "less than or equal to 100"),
        ({"name": ""}, "at least 1 character"),
    ]:
        response = await client.post("/v1/sla-policies", json={**base, **changes})
        assert response.status_code == 422, (changes, response.text)
        assert reason in response.text, (changes, response.text)
    for hours, field, reason in [
        ({"timezone": "Mars/Olympus"}, "business_hours.timezone", "unknown IANA time zone"),
        ({**OFFICE, "weekly": {"mon": [["18:00", "09:00"]]}}, "business_hours.weekly.mon[0]", ""),
        ({**OFFICE, "when": "closed"}, "business_hours.when", "open hours"),
        ({"timezone": "UTC"}, "business_hours.weekly", "no opening window"),
        (
            {"timezone": "UTC", "weekly": {"mon": [["09:00", "09:15"]]}},
            "business_hours.weekly",
            "weeks",
        ),
    ]:
        body = {**base, "resolution_seconds": 90 * 86400, "business_hours": hours}
        response = await client.post("/v1/sla-policies", json=body)
        assert response.status_code == 422, (hours, response.text)
        assert response.json()["field"] == field and reason in response.json()["detail"]
    created = await policy(client, "Valid")
    for changes, field in [
        ({"first_response_seconds": None, "resolution_seconds": None}, None),
        ({"name": None}, "name"),
        ({"business_hours": {"timezone": "Nowhere"}}, "business_hours.timezone"),
    ]:
        response = await client.patch(f"/v1/sla-policies/{created['id']}", json=changes)
        assert response.status_code == 422, (changes, response.text)
        assert response.json().get("field") == field
    assert (await client.get("/v1/sla-policies/2147483648")).status_code == 422


async def test_supervisors_read_policies_and_only_admins_write(client: httpx.AsyncClient) -> None:
    created = await policy(client, "Standard")
    crew = await team(client, "Crew")
    sue = await login(client, await advisor(client, "Sue", role="supervisor", team_id=crew["id"]))
    ann = await login(client, await advisor(client, "Ann", team_id=crew["id"]))
    assert (await client.get("/v1/sla-policies", headers=sue)).status_code == 200
    assert (await client.get(f"/v1/sla-policies/{created['id']}", headers=sue)).status_code == 200
    body = {"name": "Mine", "first_response_seconds": 60}
    assert (await client.post("/v1/sla-policies", json=body, headers=sue)).status_code == 403
    patch = await client.patch(f"/v1/sla-policies/{created['id']}", json={}, headers=sue)
    assert patch.status_code == 403
    assert (await client.get("/v1/sla-policies", headers=ann)).status_code == 403
    assert (await client.get("/v1/reports/sla", headers=ann)).status_code == 403


# Due times on new tickets and the first reply.


async def test_a_new_ticket_gets_the_first_policy_that_fits(client: httpx.AsyncClient) -> None:
    await policy(client, "Mail only", position=1, channel="email", first_response_seconds=60)
    urgent = await policy(client, "Urgent", position=2, min_priority=50)
    anything = await policy(client, "Any", position=3, warning_ratio=0.5)
    await policy(client, "Off", position=0, active=False)
    ticket = await routed(client, await post(client, "d1", "1", "Hello, my order is late"))
    assert ticket["sla_policy_id"] == anything["id"] != urgent["id"]
    opened = when(ticket["waiting_since"])
    assert when(ticket["first_response_due_at"]) == opened + timedelta(hours=1)
    assert when(ticket["resolution_due_at"]) == opened + timedelta(hours=8)
    assert ticket["first_response_sla"] == "ok" and ticket["resolution_sla"] == "ok"
    assert ticket["ticket_status"] == "new"
    async with runtime_of(client).db.session() as session:
        row = await session.get(Conversation, ticket["id"])
        assert row is not None
        assert row.sla_next_check_at == opened + timedelta(minutes=30)  # the first warning
        # Applying again changes nothing: a conversation keeps the clock it has.
        await sla.apply_policy(session, [row], opened + timedelta(hours=3))
        assert row.first_response_due_at == opened + timedelta(hours=1)
        # The priority floor: a priority-60 ticket gets the urgent policy.
        row.priority, row.sla_clock = 60, None
        await sla.apply_policy(session, [row], opened)
        assert row.sla_policy_id == urgent["id"]


async def test_due_times_follow_business_hours(client: httpx.AsyncClient) -> None:
    await policy(client, "Office", business_hours=OFFICE, resolution_seconds=20 * HOUR)
    ticket = await routed(client, await post(client, "b1", "1", "Hello"))
    hours = BusinessHours.from_dict(OFFICE)
    opened = when(ticket["waiting_since"])
    assert when(ticket["first_response_due_at"]) == due_at(opened, HOUR, hours)
    assert when(ticket["resolution_due_at"]) == due_at(opened, 20 * HOUR, hours)
    assert when(ticket["resolution_due_at"]) - opened >= timedelta(hours=20)


async def test_no_policy_no_sla(client: httpx.AsyncClient) -> None:
    ticket = await routed(client, await post(client, "n1", "1", "Hello"))
    assert ticket["sla_policy_id"] is None and ticket["first_response_sla"] is None
    assert ticket["first_response_due_at"] is None and ticket["resolution_due_at"] is None


async def test_the_first_reply_meets_the_first_response_target(client: httpx.AsyncClient) -> None:
    await policy(client, "Standard")
    await advisor(client, "Anna")
    ticket = await routed(client, await post(client, "r1", "1", "Hello, I need help"))
    assert ticket["status"] == "assigned"
    reply = await client.post(f"/v1/conversations/{ticket['id']}/replies", json={"text": "Hi!"})
    assert reply.status_code == 202, reply.text
    answered = await conversation(client, ticket["id"])
    assert answered["first_response_sla"] == "met" and answered["resolution_sla"] == "ok"
    assert answered["first_response_at"] is not None


async def test_a_late_first_reply_records_the_breach(client: httpx.AsyncClient) -> None:
    await policy(client, "Standard")
    await advisor(client, "Anna")
    ticket = await routed(client, await post(client, "l1", "1", "Hello, I need help"))
    # As if it had opened two hours ago and the clock had not run since.
    earlier = datetime.now(UTC) - timedelta(hours=2)
    async with runtime_of(client).db.session() as session:
        row = await session.get(Conversation, ticket["id"])
        assert row is not None
        row.sla_clock = None
        await sla.apply_policy(session, [row], earlier)
        await session.commit()
    reply = await client.post(f"/v1/conversations/{ticket['id']}/replies", json={"text": "Hi"})
    assert reply.status_code == 202, reply.text
    assert (await conversation(client, ticket["id"]))["first_response_sla"] == "breached"
    assert await sla_events(client, ticket["id"]) == [("sla.breached", "first_response")]


# The ticket clock.


async def test_warning_then_breach_recorded_once(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await policy(client, "Standard", warning_ratio=0.5)
    ticket = await routed(client, await post(client, "c1", "1", "Hello"))
    db, opened = runtime_of(client).db, when(ticket["waiting_since"])
    assert await sla.check_due(db, settings, now=opened + timedelta(minutes=29)) == 0
    assert await sla.check_due(db, settings, now=opened + timedelta(minutes=30)) == 1
    assert await sla.check_due(db, settings, now=opened + timedelta(minutes=31)) == 0
    assert (await conversation(client, ticket["id"]))["first_response_sla"] == "warning"
    assert await sla.check_due(db, settings, now=opened + timedelta(hours=1)) == 1
    assert await sla.check_due(db, settings, now=opened + timedelta(hours=1)) == 0
    assert await sla_events(client, ticket["id"]) == [
        ("sla.warning", "first_response"),
        ("sla.breached", "first_response"),
    ]
    async with db.read_session() as session:
        event = await session.scalar(
            select(Event).where(
                col(Event.conversation_id) == ticket["id"], col(Event.type) == "sla.breached"
            )
        )
    assert event is not None and event.customer_id == ticket["customer_id"]
    assert when(event.data["due_at"]) == when(ticket["first_response_due_at"])
    assert event.data["policy_id"] == ticket["sla_policy_id"]
    assert event.data["by"] == {"kind": "system"}
    timeline = (await client.get(f"/v1/conversations/{ticket['id']}/events")).json()
    assert "sla.breached" in [e["type"] for e in timeline]


async def test_concurrent_clocks_record_each_event_once(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await policy(client, "Standard")
    tickets = [await routed(client, await post(client, f"k{i}", "1", "Hello")) for i in range(4)]
    db = runtime_of(client).db
    late = max(when(t["waiting_since"]) for t in tickets) + timedelta(hours=9)
    counts = await asyncio.gather(*(sla.check_due(db, settings, now=late) for _ in range(3)))
    assert sum(counts) == 8  # two breaches per ticket, whoever recorded them
    assert await sla.check_due(db, settings, now=late + timedelta(days=1)) == 0
    for ticket in tickets:
        assert sorted(await sla_events(client, ticket["id"])) == [
            ("sla.breached", "first_response"),
            ("sla.breached", "resolution"),
        ]


# Status changes.


async def test_pending_pauses_and_resuming_pushes_the_due_time(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await policy(client, "Standard", first_response_seconds=10 * HOUR)
    ticket = await routed(client, await post(client, "p1", "1", "Hello"))
    opened, db = when(ticket["waiting_since"]), runtime_of(client).db
    await move(client, ticket["id"], "pending", opened + timedelta(hours=1))
    paused = await conversation(client, ticket["id"])
    assert paused["resolution_due_at"] is None and paused["resolution_sla"] == "ok"
    # Past the resolution's due time: nothing fires for it while paused.
    assert await sla.check_due(db, settings, now=opened + timedelta(hours=9)) == 1
    assert await sla_events(client, ticket["id"]) == [("sla.warning", "first_response")]
    await move(client, ticket["id"], "waiting", opened + timedelta(hours=11))
    resumed = await conversation(client, ticket["id"])
    assert when(resumed["resolution_due_at"]) == opened + timedelta(hours=18)
    await move(client, ticket["id"], "resolved", opened + timedelta(hours=17))
    settled = await conversation(client, ticket["id"])
    assert settled["resolution_sla"] == "met" and settled["first_response_sla"] == "breached"
    async with db.read_session() as session:
        row = await session.get(Conversation, ticket["id"])
        assert row is not None and row.sla_next_check_at is None
    await move(client, ticket["id"], "closed", opened + timedelta(days=1))
    assert (await conversation(client, ticket["id"]))["resolution_sla"] == "met"
    # Reopened: the resolution target starts again, in full.
    await move(client, ticket["id"], "waiting", opened + timedelta(days=2))
    reopened = await conversation(client, ticket["id"])
    assert reopened["resolution_sla"] == "ok" and reopened["first_response_sla"] == "breached"
    assert when(reopened["resolution_due_at"]) == opened + timedelta(days=2, hours=8)


async def test_resolving_late_records_the_breach(client: httpx.AsyncClient) -> None:
    await policy(client, "Standard", first_response_seconds=None)
    ticket = await routed(client, await post(client, "z1", "1", "Hello"))
    await move(client, ticket["id"], "resolved", when(ticket["waiting_since"]) + timedelta(hours=9))
    assert (await conversation(client, ticket["id"]))["resolution_sla"] == "breached"
    assert await sla_events(client, ticket["id"]) == [("sla.breached", "resolution")]


async def test_a_priority_change_applies_the_policy_that_now_fits(
    client: httpx.AsyncClient,
) -> None:
    await policy(client, "Standard", position=2)
    urgent = await policy(client, "Urgent", position=1, min_priority=50, first_response_seconds=600)
    ticket = await routed(client, await post(client, "u1", "1", "Hello"))
    opened = when(ticket["waiting_since"])
    async with runtime_of(client).db.session() as session:
        row = await session.get(Conversation, ticket["id"])
        assert row is not None
        row.priority = 80
        await sla.reapply_after_priority_change(session, row, opened + timedelta(minutes=20))
        await session.commit()
    now = await conversation(client, ticket["id"])
    assert now["sla_policy_id"] == urgent["id"]
    assert when(now["first_response_due_at"]) == opened + timedelta(minutes=10)
    assert now["first_response_sla"] == "breached"
    assert await sla_events(client, ticket["id"]) == [("sla.breached", "first_response")]


# The supervisors' report.


async def test_the_report_counts_met_and_breached_per_target(client: httpx.AsyncClient) -> None:
    await policy(client, "Standard")
    crew, other = await team(client, "Crew"), await team(client, "Other")
    sue = await login(client, await advisor(client, "Sue", role="supervisor", team_id=crew["id"]))
    tickets = [await routed(client, await post(client, f"s{i}", "1", "Hello")) for i in range(3)]
    for ticket in tickets:
        await set_rows(client, ticket["id"], queue_team_id=crew["id"])
    await set_rows(client, tickets[0]["id"], first_response_sla="met", resolution_sla="met")
    await set_rows(client, tickets[1]["id"], first_response_sla="breached")
    response = await client.get("/v1/reports/sla", params={"team_id": crew["id"]}, headers=sue)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["first_response"] == {"met": 1, "breached": 1, "running": 1, "share_met": 0.5}
    assert report["resolution"] == {"met": 1, "breached": 0, "running": 2, "share_met": 1.0}
    assert (await client.get("/v1/reports/sla", headers=sue)).json()["first_response"]["met"] == 1
    hidden = await client.get("/v1/reports/sla", params={"team_id": other["id"]}, headers=sue)
    assert hidden.status_code == 404
    future = {"since": "2030-01-01T00:00:00Z", "until": "2030-02-01T00:00:00Z"}
    empty = (await client.get("/v1/reports/sla", params=future)).json()
    assert empty["first_response"] == {"met": 0, "breached": 0, "running": 0, "share_met": None}
    for params in (
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"since": "2020-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"since": "2026-01-01T00:00:00"},
    ):
        assert (await client.get("/v1/reports/sla", params=params)).status_code == 422
