"""Waiting order in the database: effective priority (priority + urgency + ageing), classes
read with index seeks, and the rule conditions added with it (patterns, business hours)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from router.models import Conversation, Customer, RoutingExclusion
from router.models.channels import Channel
from router.models.conversations import ConversationStatus
from router.models.routing import RoutingConfigWrite
from router.routing import advisor_queue, queue
from router.routing import config as routing_config
from router.routing.escalation import waiting_room_round
from router.store import Database
from router.store.types import utcnow
from skills import (
    AdvisorProfile,
    AdvisorStatus,
    Head,
    QueueClass,
    Requirements,
    WaitingQueue,
    parse_class,
    rank,
)
from tests.conftest import runtime_of
from tests.routing_support import advisor, post, routed, set_rows


def profile(advisor_id: int = 10**6, **overrides: Any) -> AdvisorProfile:
    base: dict[str, Any] = {
        "id": advisor_id,
        "name": "puller",
        "team_id": None,
        "status": AdvisorStatus.AVAILABLE,
        "languages": frozenset({"en", "fr"}),
        "skills": {"billing": 3},
        "capacity_total": 5,
        "capacity_per_channel": {},
        "load_total": 0,
        "load_per_channel": {},
        "last_assigned_at": None,
    }
    return AdvisorProfile(**{**base, **overrides})


async def _claimed(db: Database, puller: AdvisorProfile, **config: Any) -> int | None:
    """What ``puller`` would pull under these tunables (rolled back: nothing changes)."""
    policy = routing_config.policy_of(RoutingConfigWrite(**config))
    async with db.session() as session:
        found = await queue.claim(session, puller, policy, utcnow())
        found_id = None if found is None else found.id
        await session.rollback()
        return found_id


async def test_ageing_lets_a_long_wait_overtake_a_higher_priority(
    client: httpx.AsyncClient,
) -> None:
    rule = {
        "name": "Urgent",
        "conditions": {"patterns": ["\\burgen(t|ce)\\b"]},
        "priority": 20,
        "position": 1,
    }
    assert (await client.post("/v1/rules", json=rule)).status_code == 201
    old = await routed(client, await post(client, "o1", "1", "Hello, a question"))
    urgent = await routed(client, await post(client, "u1", "1", "This is URGENT please"))
    assert (old["priority"], urgent["priority"]) == (0, 20)
    await set_rows(client, old["id"], waiting_since=utcnow() - timedelta(minutes=30))
    db = runtime_of(client).db
    # 0 + 30 min x 1/min = 30 > 20 + ~0: the long wait first; at 0.1/min, priority wins.
    assert await _claimed(db, profile(), ageing_points_per_minute=1.0) == old["id"]
    assert await _claimed(db, profile(), ageing_points_per_minute=0.1) == urgent["id"]


async def test_a_closing_reply_window_raises_urgency(client: httpx.AsyncClient) -> None:
    chat = await routed(client, await post(client, "h1", "1", "Hello, a question"))
    whatsapp = await routed(
        client, await post(client, "+33600000001", "1", "Hello, a question", channel="whatsapp")
    )
    db = runtime_of(client).db
    await set_rows(client, chat["id"], waiting_since=utcnow() - timedelta(minutes=10), priority=15)
    # The customer wrote 23 hours ago: 3 of the 4 last hours of the 24-hour window are gone.
    await set_rows(
        client,
        whatsapp["id"],
        last_message_at=utcnow() - timedelta(hours=23),
        urgency_due_at=utcnow(),
    )
    assert await _claimed(db, profile(), ageing_points_per_minute=0.0) == chat["id"]
    await waiting_room_round(db)  # refiles what became more urgent
    async with db.session() as session:
        refiled = await session.get(Conversation, whatsapp["id"])
        assert refiled is not None and refiled.urgency_points == 20  # 4 of 6 steps of 5
        assert refiled.urgency_due_at is not None and refiled.urgency_due_at > utcnow()
    assert await _claimed(db, profile(), ageing_points_per_minute=0.0) == whatsapp["id"]
    # Without a window for WhatsApp, the priority decides again.
    no_window = {"ageing_points_per_minute": 0.0, "reply_windows": {}}
    async with db.session() as session:
        row = await session.get(Conversation, whatsapp["id"])
        assert row is not None
        queue.refile(row, routing_config.policy_of(RoutingConfigWrite(**no_window)), utcnow())
        await session.commit()
    assert await _claimed(db, profile(), **no_window) == chat["id"]


async def test_the_sql_pull_agrees_with_the_in_memory_plan(client: httpx.AsyncClient) -> None:
    """Random waiting rooms, random pullers: the database and skills.queue pick the same."""
    db = runtime_of(client).db
    rng = random.Random(5)
    policy = routing_config.DEFAULT_POLICY
    now = utcnow()
    memory = WaitingQueue(policy.queue)
    async with db.session() as session:
        customers = [Customer() for _ in range(60)]
        session.add_all(customers)
        await session.flush()
        rows = []
        for customer in customers:
            requirements = Requirements(
                channel=rng.choice(["chat", "email"]),
                skills=rng.choice([{}, {"billing": 2}, {"billing": 4}, {"orders": 1}]),
                language=rng.choice([None, "en", "de"]),
                team_id=None,
            )
            row = Conversation(
                customer_id=customer.id or 0,
                channel=Channel(requirements.channel),
                status=ConversationStatus.waiting,
                priority=rng.choice([0, 0, 10, 40]),
                requirements=requirements.to_dict(),
                intense=rng.random() < 0.3,
                waiting_since=now - timedelta(seconds=rng.randint(0, 7200)),
                last_message_at=now,
            )
            queue.refile(row, policy, now)
            rows.append(row)
        session.add_all(rows)
        await session.commit()
    for row in rows:
        assert row.id is not None and row.queue_class is not None and row.waiting_since
        memory.add(row.id, parse_class(row.queue_class), row.waiting_since.timestamp())
    pullers = [
        profile(),
        profile(skills={}, languages=frozenset({"de"})),
        profile(skills={"billing": 5, "orders": 2}, last_intense_ended_at=now.timestamp()),
        profile(skills={"orders": 1}, capacity_per_channel={"email": 0}),
        profile(skills={}, languages=frozenset({"it"})),
    ]
    for puller in pullers:
        best = memory.best_for(puller, now=utcnow().timestamp(), care=policy.care)
        expected = None if best is None else best.conversation_id
        assert await _claimed(db, puller) == expected, puller


async def test_my_queue_ranks_as_if_every_waiting_conversation_were_read(
    client: httpx.AsyncClient,
) -> None:
    """ "My queue" reads a few members per class and widens a class only when needed: its
    pages equal the ranking of every waiting conversation the advisor fits, declined ones
    aside, also when one class (priority 40, many members) fills a page on its own."""
    db, policy, now = runtime_of(client).db, routing_config.DEFAULT_POLICY, utcnow()
    puller = profile((await advisor(client, "Ranker"))["id"], skills={"billing": 4})
    rng = random.Random(9)
    async with db.session() as session:
        customers = [Customer() for _ in range(45)]
        session.add_all(customers)
        await session.flush()
        rows = []
        for customer in customers:
            requirements = Requirements(
                channel="chat",
                skills=rng.choice([{}, {"billing": 2}, {"orders": 1}]),
                language=None,
                team_id=None,
            )
            row = Conversation(
                customer_id=customer.id or 0,
                channel=Channel.chat,
                status=ConversationStatus.waiting,
                priority=rng.choice([0, 10, 40, 40]),
                requirements=requirements.to_dict(),
                waiting_since=now - timedelta(seconds=rng.randint(0, 3600)),
                last_message_at=now,
            )
            queue.refile(row, policy, now)
            rows.append(row)
        session.add_all(rows)
        await session.flush()
        declined = {row.id for row in rows[:6] if row.id is not None}
        session.add_all(
            RoutingExclusion(
                conversation_id=i,
                advisor_id=puller.id,
                reason="declined",
                expires_at=now + timedelta(hours=1),
            )
            for i in declined
        )
        await session.commit()
    as_free = advisor_queue.as_if_free(puller)
    heads = [
        Head(
            row.id or 0,
            parse_class(row.queue_class or "").queue_priority,
            row.waiting_since.timestamp(),
        )
        for row in rows
        if row.id not in declined
        and row.waiting_since is not None
        and parse_class(row.queue_class or "").fits(as_free, now.timestamp(), policy.care)
    ]
    for count in (1, 4, 12, 40):
        async with db.read_session() as session:
            entries = await advisor_queue.ranked(session, puller, policy, now, count)
        expected = rank(heads, now.timestamp(), policy.queue.ageing_per_minute)[:count]
        assert [e.head.conversation_id for e in entries] == [h.conversation_id for h in expected], (
            count
        )


async def test_unsafe_patterns_and_bad_hours_are_422_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    base = {"name": "R", "position": 5}
    cases = [
        ({"patterns": ["(a+)+$"]}, "conditions.patterns[0]"),
        ({"patterns": ["ok", "\\d+\\d+"]}, "conditions.patterns[1]"),
        ({"patterns": ["(unclosed"]}, "conditions.patterns[0]"),
        ({"hours": {"timezone": "Nowhere/Land", "weekly": {}}}, "conditions.hours.timezone"),
        (
            {"hours": {"timezone": "UTC", "weekly": {"mon": [["18:00", "09:00"]]}}},
            "conditions.hours.weekly.mon[0]",
        ),
    ]
    for conditions, field in cases:
        response = await client.post("/v1/rules", json={**base, "conditions": conditions})
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field, response.json()


async def test_business_hours_route_by_the_time_of_arrival(client: httpx.AsyncClient) -> None:
    night = {
        "name": "Night shift",
        "position": 1,
        "priority": 5,
        "conditions": {
            "hours": {
                "timezone": "Europe/Paris",
                "weekly": {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
                "holidays": ["2026-12-25"],
                "when": "closed",
            }
        },
    }
    created = await client.post("/v1/rules", json=night)
    assert created.status_code == 201, created.text
    assert created.json()["conditions"]["hours"]["when"] == "closed"

    async def rule_at(at: str) -> str:
        response = await client.post(
            "/v1/routing/dry-run", json={"text": "Hello", "language": "en", "at": at}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["rule"]["name"])

    assert await rule_at("2026-11-24T10:00:00+01:00") == "default"  # Tuesday, open
    assert await rule_at("2026-11-24T21:30:00+01:00") == "Night shift"  # Tuesday night
    assert await rule_at("2026-11-28T10:00:00+01:00") == "Night shift"  # Saturday
    assert await rule_at("2026-12-25T10:00:00+01:00") == "Night shift"  # holiday
    response = await client.post(
        "/v1/routing/dry-run", json={"text": "x", "at": "2026-11-24T10:00"}
    )
    assert response.status_code == 422  # a time without a zone is ambiguous


async def test_routing_config_is_validated(client: httpx.AsyncClient) -> None:
    current = (await client.get("/v1/routing/config")).json()
    assert current["reply_windows"]["whatsapp"]["seconds"] == 86400
    current.pop("updated_at")
    bad_cases = [
        {"day_timezone": "Mars/Base"},
        {"reply_windows": {"whatsapp": {"seconds": 60, "ramp_seconds": 120, "points": 5}}},
        {"reply_windows": {"fax": {"seconds": 60, "ramp_seconds": 30, "points": 5}}},
        {"intense_threshold": 1.5},
        {"max_intense": 0},
    ]
    for change in bad_cases:
        response = await client.put("/v1/routing/config", json={**current, **change})
        assert response.status_code == 422, (change, response.text)
    ok = await client.put("/v1/routing/config", json={**current, "ageing_points_per_minute": 2})
    assert ok.status_code == 200 and ok.json()["ageing_points_per_minute"] == 2


async def test_waiting_rows_without_a_class_are_filed_by_the_round(
    client: httpx.AsyncClient,
) -> None:
    """Rows written before classes existed (or by an older process) get one."""
    waiting = await routed(client, await post(client, "n1", "1", "Hello, a question"))
    db = runtime_of(client).db
    async with db.session() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == waiting["id"]).values(queue_class=None)  # type: ignore[arg-type]
        )
        await session.commit()
    assert await _claimed(db, profile()) is None
    await waiting_room_round(db)
    assert await _claimed(db, profile()) == waiting["id"]
    await advisor(client, "Late")  # and push still works afterwards
    async with db.session() as session:
        row = await session.get(Conversation, waiting["id"])
        assert row is not None and row.status == ConversationStatus.assigned
    assert QueueClass  # re-exported for the bench and tests
