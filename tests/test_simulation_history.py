"""``aiguillage simulate --from-history``: a day written to the database (rows at known
times) becomes a scenario whose arrivals, mix, handling times, patience and shifts are those
rows, computed here independently; the scenario replays, from the command line too."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col
from typer.testing import CliRunner

from router.cli.main import app
from router.cli.scenario_file import load_scenario
from router.cli.sim_history import scenario_of
from router.models import Advisor, Assignment, Conversation, Customer, Event
from router.models.channels import Channel
from router.models.conversations import ConversationStatus
from router.models.events import STATUS_CHANGED
from router.simulation.history import day_scenario
from sim import simulate
from tests.conftest import runtime_of
from tests.routing_support import advisor, team

DAY = date(2026, 11, 30)
START = datetime(2026, 11, 30, tzinfo=UTC)  # the routing config's day zone is UTC

# (minute of the day, channel, language, intent, emotion, intensity, tier, outcome, wait s,
#  handling s): outcome "answered" (by Ann), "left" (abandoned after the wait) or "waiting".
DAY_ROWS = [
    (545, "chat", "fr", "billing", None, None, "standard", "answered", 20, 300),
    (550, "chat", "fr", "billing", None, None, "standard", "answered", 40, 200),
    (552, "chat", "fr", "billing", "anger", 0.8, "vip", "answered", 5, 600),
    (600, "chat", "en", "orders", None, None, "standard", "left", 90, 0),
    (610, "email", "en", "orders", None, None, "standard", "answered", 900, 420),
    (615, "chat", "fr", "billing", "anger", 0.6, "vip", "left", 30, 0),
    (700, "chat", "fr", "billing", None, None, "standard", "answered", 10, 240),
    (701, "chat", "fr", "billing", None, None, "standard", "answered", 15, 180),
    (702, "chat", "en", "orders", None, None, "standard", "answered", 60, 360),
    (1000, "email", "en", None, None, None, "standard", "answered", 100, 500),
    (1430, "chat", "fr", "billing", None, None, "standard", "waiting", 0, 0),
]


def at(minute: float) -> datetime:
    return START + timedelta(minutes=minute)


async def _record_the_day(http: httpx.AsyncClient) -> dict[str, Any]:
    crew = await team(http, "Replay", service_level_seconds=30)
    assert (await http.post("/v1/skills", json={"name": "billing"})).status_code == 201
    ann = await advisor(http, "Ann", team_id=crew["id"], skills={"billing": 4}, capacity_total=3)
    bob = await advisor(http, "Bob", team_id=crew["id"], languages=["en"], status="offline")
    await advisor(http, "Zed", status="offline")  # another team's (none): out of scope
    db = runtime_of(http).db
    async with db.session() as session:
        ids = [ann["id"], bob["id"]]
        await session.execute(
            update(Advisor).where(col(Advisor.id).in_(ids)).values(created_at=at(-1440))
        )
        for minute, previous, current in (
            (540, "offline", "available"),
            (720, "available", "break"),
        ):
            session.add(
                Event(
                    type=STATUS_CHANGED,
                    advisor_id=bob["id"],
                    created_at=at(minute),
                    data={"previous": previous, "current": current},
                )
            )
        for (
            minute,
            channel,
            lang,
            intent,
            emotion,
            strength,
            tier,
            outcome,
            wait,
            handle,
        ) in DAY_ROWS:
            customer = Customer(tier=tier)
            session.add(customer)
            await session.flush()
            opened = at(minute)
            row = Conversation(
                customer_id=customer.id or 0,
                channel=Channel(channel),
                language=lang,
                intent=intent,
                emotion=emotion,
                emotion_intensity=strength,
                queue_team_id=crew["id"],
                status=ConversationStatus.resolved
                if outcome != "waiting"
                else ConversationStatus.waiting,
                created_at=opened,
                abandoned_at=opened + timedelta(seconds=wait) if outcome == "left" else None,
            )
            session.add(row)
            await session.flush()
            if outcome == "answered":
                accepted = opened + timedelta(seconds=wait)
                session.add(
                    Assignment(
                        conversation_id=row.id or 0,
                        advisor_id=ann["id"],
                        channel=channel,
                        mode="push",
                        assigned_at=accepted,
                        accepted_at=accepted,
                        ended_at=accepted + timedelta(seconds=handle),
                        end_reason="resolved",
                    )
                )
        await session.commit()
    return {"team": crew, "ann": ann, "bob": bob}


def _expected_waits() -> dict[str, float]:
    """Exponential patience by channel, censored MLE: every wait over the number who left."""
    total: Counter[str] = Counter()
    left: Counter[str] = Counter()
    for minute, channel, *_, outcome, wait, _handle in DAY_ROWS:
        until = (24 * 60 - minute) * 60 if outcome == "waiting" else wait
        total[channel] += until
        left[channel] += outcome == "left"
    return {c: total[c] / left[c] for c in total if left[c]}


async def test_a_recorded_day_becomes_its_scenario_and_replays(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    known = await _record_the_day(client)
    db = runtime_of(client).db
    document = await day_scenario(db, DAY, team_id=known["team"]["id"])

    counts = [0] * 48
    for row in DAY_ROWS:
        counts[row[0] // 30] += 1
    assert document["arrivals"]["per_interval"] == counts
    stored_mix = Counter((r[1], r[2], r[3], r[4], r[6]) for r in DAY_ROWS)
    built_mix = {
        (m["channel"], m.get("language"), m.get("intent"), m.get("emotion"), m.get("tier")): m
        for m in document["arrivals"]["mix"]
    }
    assert {k: m["weight"] for k, m in built_mix.items()} == dict(stored_mix)
    assert built_mix["chat", "fr", "billing", "anger", "vip"]["intensity"] == 0.7

    handled = sorted(float(r[9]) for r in DAY_ROWS if r[7] == "answered")
    assert document["handling"][-1] == {"time": {"empirical": handled}}
    billing_chat = sorted(float(r[9]) for r in DAY_ROWS if r[7] == "answered" and r[3] == "billing")
    assert {"intent": "billing", "channel": "chat", "time": {"empirical": billing_chat}} in (
        document["handling"]
    )
    patience = {p["channel"]: p["time"] for p in document["patience"]}
    assert patience["email"] is None
    assert patience["chat"]["exponential"] == round(_expected_waits()["chat"], 1)

    people = {p["name"]: p for p in document["advisors"]}
    assert set(people) == {"Ann", "Bob"}
    assert people["Ann"]["shifts"] == [[0, 1440]] and people["Ann"]["skills"] == {"billing": 4}
    assert people["Bob"]["shifts"] == [[540, 720]]
    assert document["service_level"] == "80/30"
    assert any(rule.get("is_default") for rule in document["rules"])

    scenario = scenario_of(document)
    estimates, _ = simulate(scenario, 2, 1)
    assert estimates["all", "day"]["offered"].mean > 0

    # The same from the command line, the scenario written to a file that reads back.
    written = tmp_path / "day.yaml"
    args = ["simulate", "--from-history", "--day", DAY.isoformat(), "--team"]
    args += [str(known["team"]["id"]), "--write-scenario", str(written), "--json"]
    args += ["--replications", "2"]
    env = {"AIGUILLAGE_DATABASE_URL": runtime_of(client).settings.database_url}
    result = await asyncio.to_thread(CliRunner().invoke, app, args, env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenario"] == scenario.name
    assert load_scenario(written).per_interval == scenario.per_interval

    # A day nobody worked, or no day: refused with the reason.
    crew = await team(client, "Empty")
    args = ["simulate", "--from-history", "--day", "2026-11-29", "--team", str(crew["id"])]
    result = await asyncio.to_thread(CliRunner().invoke, app, args, env=env)
    assert result.exit_code == 2
    assert "nobody was available" in result.output
    bad = await asyncio.to_thread(
        CliRunner().invoke, app, ["simulate", "--from-history", "--day", "yesterday"], env=env
    )
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
