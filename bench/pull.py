"""Pull latency in the database: take next, "my queue" and claim, by SQL.

Fills a fresh database (a SQLite file in a temporary directory, or a PostgreSQL database
``aiguillage_bench_<random>`` created on the given server and dropped afterwards) with M
waiting conversations routed by bench/route.py's rules (random channels, languages,
emotions; one in twenty reply-window customers near the end of their window; filed under
the queue priority the service computes, intense boost included) and N advisors from
bench/route.py (skills, languages, 20 teams working by pull, every other one with a pick
limit of 5, 90 % available, their loads as live assignments). Then times, for random
advisors:

* **take next**: ``router.routing.queue.claim`` (fit keys, classes, heads, lock; rolled back);
* **my queue**: ``router.routing.pull.my_queue`` for a page of 25, what
  GET /v1/advisors/{id}/queue runs (ranked, details, profile);
* **claim**: ``router.routing.pull.claim`` of the first conversation of the advisor's queue
  they may take now, committed, for an advisor with room (claims in a team with a pick limit
  also rank the queue's head); the conversation is resolved afterwards (untimed) so the
  advisor's load stays as it was;

and prints the plan of the heads query, a table and, last, one JSON line.

    .venv/bin/python bench/pull.py --waiting 100000
    .venv/bin/python bench/pull.py --waiting 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, text, update
from sqlalchemy.engine import make_url
from sqlmodel import col, select

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # ahead of bench/, whose channels.py shadows the package

from route import CARE, QUEUE, SKILLS, make_advisors, make_rules, random_facts  # noqa: E402

from router.errors import Conflict  # noqa: E402
from router.models import (  # noqa: E402
    Advisor,
    AdvisorSkill,
    Assignment,
    Conversation,
    Customer,
    Message,
    Skill,
    Team,
)
from router.models.queues import ClaimRequest  # noqa: E402
from router.routing import advisor_queue, profiles, queue  # noqa: E402
from router.routing import config as routing_config  # noqa: E402
from router.routing import pull as pulling  # noqa: E402
from router.routing.config import RoutingPolicy  # noqa: E402
from router.store import Database  # noqa: E402
from router.store.migrate import upgrade  # noqa: E402
from skills import (  # noqa: E402
    AdvisorProfile,
    AdvisorStatus,
    AngerTrend,
    QueueClass,
    match_rule,
    requirements_for,
)

POLICY = RoutingPolicy(
    queue=QUEUE, care=CARE, anger=AngerTrend(), exclusion=timedelta(0), day_zone=ZoneInfo("UTC")
)
TEAMS = 20  # make_advisors puts advisors in teams 1..20
PICK_LIMIT = 5  # on every other team
PAGE = 25
WARM_UP = 20


def table(model: Any) -> Any:
    return model.__table__


async def _customers(session: Any, count: int, now: datetime) -> list[int]:
    rows = await session.execute(
        insert(table(Customer)).returning(table(Customer).c.id, sort_by_parameter_order=True),
        [{"tier": "standard", "created_at": now} for _ in range(count)],
    )
    return list(rows.scalars())


async def fill(db: Database, count: int, rng: random.Random) -> None:
    """``count`` waiting conversations, filed as routing files them (router.routing.queue
    .refile: rule priority + reply-window urgency + intense boost)."""
    rules = make_rules()
    now = datetime.now(UTC)
    for start in range(0, count, 5000):
        size = min(5000, count - start)
        async with db.session() as session:
            rows, texts = [], []
            for customer_id in await _customers(session, size, now):
                facts = random_facts(rng)
                texts.append(facts.text)
                rule = match_rule(rules, facts)
                requirements = requirements_for(rule, facts)
                since_message = rng.uniform(20, 24) * 3600 if rng.random() < 0.05 else 0.0
                urgency = QUEUE.urgency(facts.channel, since_message)
                intense = CARE.is_intense(facts.emotion, facts.emotion_intensity)
                priority = QUEUE.queue_priority(rule.priority, urgency, intense)
                rows.append(
                    {
                        "customer_id": customer_id,
                        "status": "waiting",
                        "channel": facts.channel,
                        "language": facts.language,
                        "emotion": facts.emotion,
                        "emotion_intensity": facts.emotion_intensity if facts.emotion else None,
                        "priority": rule.priority,
                        "requirements": requirements.to_dict(),
                        "waiting_since": now - timedelta(seconds=rng.uniform(0, 7200)),
                        "created_at": now,
                        "updated_at": now,
                        "last_message_at": now - timedelta(seconds=since_message),
                        "intense": intense,
                        "urgency_points": urgency,
                        "queue_class": QueueClass(requirements, intense, priority).key,
                        "emotion_trail": [],
                    }
                )
            ids = await session.execute(
                insert(table(Conversation)).returning(
                    table(Conversation).c.id, sort_by_parameter_order=True
                ),
                rows,
            )
            messages = [
                _message(row, i, words)
                for row, i, words in zip(rows, ids.scalars(), texts, strict=True)
            ]
            await session.execute(insert(table(Message)), messages)
            await session.commit()


def _message(conversation: dict[str, Any], conversation_id: int, words: str) -> dict[str, Any]:
    """The customer's message a waiting conversation holds (what "my queue" previews)."""
    return {
        "channel": conversation["channel"],
        "external_id": f"bench-{conversation_id}",
        "direction": "inbound",
        "sender_address": f"customer-{conversation['customer_id']}",
        "text": words,
        "received_at": conversation["last_message_at"],
        "metadata": {},
        "status": "processed",
        "customer_id": conversation["customer_id"],
        "conversation_id": conversation_id,
    }


async def add_advisors(db: Database, count: int, rng: random.Random) -> list[AdvisorProfile]:
    """``count`` advisors of bench/route.py as rows (teams, skills, statuses, capacities),
    each holding their load as live assignments; their profiles with the rows' ids."""
    profiles = make_advisors(count, rng)
    now = datetime.now(UTC)
    async with db.session() as session:
        team_ids = await _teams(session)
        skill_ids = await _skills(session)
        advisor_ids = (
            await session.execute(
                insert(table(Advisor)).returning(table(Advisor).c.id, sort_by_parameter_order=True),
                [_advisor_row(p, team_ids[(p.team_id or 1) - 1], now) for p in profiles],
            )
        ).scalars()
        placed = [
            replace(p, id=i, team_id=team_ids[(p.team_id or 1) - 1])
            for p, i in zip(profiles, advisor_ids, strict=True)
        ]
        await session.execute(
            insert(table(AdvisorSkill)),
            [
                {"advisor_id": p.id, "skill_id": skill_ids[name], "level": level}
                for p in placed
                for name, level in p.skills.items()
            ],
        )
        await _loads(session, placed, now)
        await session.commit()
    return placed


async def _teams(session: Any) -> list[int]:
    rows = [
        {
            "name": f"Team {i + 1}",
            "routing_mode": "pull",
            "offer_timeout_seconds": 30,
            "push_limit": 1,
            "pick_limit": PICK_LIMIT if i % 2 else None,
            "created_at": datetime.now(UTC),
        }
        for i in range(TEAMS)
    ]
    return list(
        (
            await session.execute(
                insert(table(Team)).returning(table(Team).c.id, sort_by_parameter_order=True), rows
            )
        ).scalars()
    )


async def _skills(session: Any) -> dict[str, int]:
    ids = await session.execute(
        insert(table(Skill)).returning(table(Skill).c.id, sort_by_parameter_order=True),
        [{"name": s} for s in SKILLS],
    )
    return dict(zip(SKILLS, ids.scalars(), strict=True))


def _advisor_row(profile: AdvisorProfile, team_id: int, now: datetime) -> dict[str, Any]:
    return {
        "name": profile.name,
        "email": f"advisor{profile.id}@bench.example.com",
        "role": "advisor",
        "team_id": team_id,
        "languages": sorted(profile.languages),
        "status": profile.status.value,
        "capacity_total": profile.capacity_total,
        "capacity_per_channel": {},
        "created_at": now,
        "updated_at": now,
    }


async def _loads(session: Any, advisors: list[AdvisorProfile], now: datetime) -> None:
    """Each advisor's load as chat conversations assigned to them (the first one intense
    when they hold an intense conversation)."""
    held = [(a, i) for a in advisors for i in range(a.load_total)]
    if not held:
        return
    customers = await _customers(session, len(held), now)
    conversation_ids = (
        await session.execute(
            insert(table(Conversation)).returning(
                table(Conversation).c.id, sort_by_parameter_order=True
            ),
            [
                {
                    "customer_id": customer_id,
                    "status": "assigned",
                    "channel": "chat",
                    "assignee_id": advisor.id,
                    "created_at": now,
                    "updated_at": now,
                    "last_message_at": now,
                    "intense": i == 0 and advisor.intense_load > 0,
                    "emotion_trail": [],
                }
                for (advisor, i), customer_id in zip(held, customers, strict=True)
            ],
        )
    ).scalars()
    await session.execute(
        insert(table(Assignment)),
        [
            {
                "conversation_id": conversation_id,
                "advisor_id": advisor.id,
                "channel": "chat",
                "mode": "push",
                "explanation": {},
                "assigned_at": now,
                "accepted_at": now,
                "intense": i == 0 and advisor.intense_load > 0,
            }
            for (advisor, i), conversation_id in zip(held, conversation_ids, strict=True)
        ],
    )


async def analyse(db: Database) -> None:
    """Statistics for the planner and, on PostgreSQL, the visibility map autovacuum would
    have set by then (index-only scans then skip the heap)."""
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(
            text("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE")
        )


Sample = Callable[[], Awaitable[float | None]]


async def timed(action: Sample, samples: int, label: str) -> list[float]:
    """``samples`` timings (ms) of ``action``, which times itself and returns None when it
    had nothing to do; after untimed warm-up ones."""
    Console(stderr=True).print(f"[dim]{label}…[/dim]")
    for _ in range(WARM_UP):
        await action()
    durations: list[float] = []
    for _ in range(samples * 3):
        if len(durations) == samples:
            break
        elapsed = await action()
        if elapsed is not None:
            durations.append(elapsed)
    return durations


def since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class Pulls:
    """Take next, my queue and claim, for random advisors of the database."""

    def __init__(
        self,
        db: Database,
        advisors: list[AdvisorProfile],
        limited: set[int],
        rng: random.Random,
    ) -> None:
        self.db = db
        self.advisors = advisors
        self.limited = limited  # teams with a pick limit
        self.rng = rng
        self.found = 0
        self.refused: list[str] = []

    async def take_next(self) -> float | None:
        advisor = self.rng.choice(self.advisors)
        started = time.perf_counter()
        async with self.db.session() as session:
            found = await queue.claim(session, advisor, POLICY, datetime.now(UTC))
            await session.rollback()
        elapsed = since(started)
        self.found += found is not None
        return elapsed

    async def my_queue(self) -> float | None:
        advisor = self.rng.choice(self.advisors)
        started = time.perf_counter()
        await pulling.my_queue(self.db, advisor.id, None, offset=0, limit=PAGE)
        return since(started)

    async def claim(self, *, limited: bool) -> float | None:
        """One claim of the first conversation of the queue the advisor may take now, by an
        advisor with room in a team with (or without) a pick limit; the conversation is
        found and afterwards resolved untimed."""
        advisor = self.rng.choice(
            [
                a
                for a in self.advisors
                if a.status == AdvisorStatus.AVAILABLE
                and a.load_total < a.capacity_total
                and (a.team_id in self.limited) == limited
            ]
        )
        target = await self._first_takeable(advisor.id)
        if target is None:
            return None
        started = time.perf_counter()
        try:
            await pulling.claim(self.db, target, ClaimRequest(advisor_id=advisor.id), None)
        except Conflict as refused:
            self.refused.append(str(refused))
            return None
        elapsed = since(started)
        await self._resolve(target)
        return elapsed

    async def _first_takeable(self, advisor_id: int) -> int | None:
        async with self.db.read_session() as session:
            policy = await routing_config.current(session)
            now = datetime.now(UTC)
            row = await session.get(Advisor, advisor_id)
            assert row is not None
            advisor = (await profiles.profiles(session, [row], policy.day_start(now)))[0]
            entries = await advisor_queue.ranked(session, advisor, policy, now, PICK_LIMIT)
        for entry in entries:
            if advisor_queue.refusal_now(advisor, entry, policy, now) is None:
                return entry.head.conversation_id
        return None

    async def _resolve(self, conversation_id: int) -> None:
        now = datetime.now(UTC)
        assignments, conversations = table(Assignment), table(Conversation)
        async with self.db.session() as session:
            await session.execute(
                update(assignments)
                .where(
                    assignments.c.conversation_id == conversation_id,
                    assignments.c.ended_at.is_(None),
                )
                .values(ended_at=now, end_reason="resolved")
            )
            await session.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(status="resolved", resolved_at=now, waiting_since=None)
            )
            await session.commit()


def percentiles(durations: list[float]) -> dict[str, float]:
    ordered = sorted(durations)
    if not ordered:
        return {}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)

    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": at(0.95),
        "p99": at(0.99),
        "n": len(ordered),
    }


async def measure(
    db: Database, advisors: list[AdvisorProfile], samples: int, rng: random.Random
) -> dict[str, Any]:
    async with db.session() as session:
        limited = set(
            (await session.scalars(select(Team.id).where(col(Team.pick_limit).is_not(None)))).all()
        )
    pulls = Pulls(db, advisors, {i for i in limited if i is not None}, rng)
    operations: dict[str, Sample] = {
        "take_next": pulls.take_next,
        "my_queue": pulls.my_queue,
        "claim": lambda: pulls.claim(limited=False),
        "claim_pick_limit": lambda: pulls.claim(limited=True),
    }
    result: dict[str, Any] = {
        name: percentiles(await timed(action, samples, name.replace("_", " ")))
        for name, action in operations.items()
    }
    async with db.session() as session:
        result["classes"] = (
            await session.execute(
                text(
                    "SELECT COUNT(DISTINCT queue_class) FROM conversation WHERE status = 'waiting'"
                )
            )
        ).scalar()
        result["fit_keys"] = len((await session.execute(queue._FIT_KEYS)).all())
    result["take_next_found"] = pulls.found
    result["claims_refused"] = len(pulls.refused)
    if pulls.refused:
        result["first_refusal"] = pulls.refused[0]
    return result


async def plan(db: Database) -> str:
    explain = "EXPLAIN" if db.dialect == "postgresql" else "EXPLAIN QUERY PLAN"
    async with db.session() as session:
        key = (await session.execute(text("SELECT MIN(queue_class) FROM conversation"))).scalar()
        rows = await session.execute(
            text(
                f"{explain} SELECT id FROM conversation WHERE status = 'waiting' "
                "AND queue_class = :k ORDER BY waiting_since, id LIMIT 1"
            ),
            {"k": key},
        )
        return " | ".join(str(row[-1]) for row in rows)


async def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        started = time.perf_counter()
        await fill(db, args.waiting, rng)
        advisors = await add_advisors(db, args.advisors, rng)
        await analyse(db)
        filled = time.perf_counter() - started
        result = await measure(db, advisors, args.samples, rng)
        result["heads_plan"] = await plan(db)
        result["fill_seconds"] = round(filled, 1)
        return result
    finally:
        await db.dispose()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    if args.database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'pull.db'}"
            return {"database": "sqlite", **await run(url, args)}
    import asyncpg

    base = make_url(args.database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    name = f"aiguillage_bench_{uuid.uuid4().hex[:8]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        return {"database": "postgresql", **await run(url, args)}
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def show(result: dict[str, Any]) -> None:
    grid = Table(
        title=f"Pull in {result['database']}: {result['waiting']:,} waiting, "
        f"{result['advisors']:,} advisors ({result['fit_keys']} fit keys, "
        f"{result['classes']} classes)"
    )
    for column in ("operation", "samples", "p50 ms", "p95 ms", "p99 ms"):
        grid.add_column(column, justify="left" if column == "operation" else "right")
    for name in ("take_next", "my_queue", "claim", "claim_pick_limit"):
        figures = result[name]
        if figures:
            grid.add_row(
                name.replace("_", " "),
                str(figures["n"]),
                *(f"{figures[q]:.2f}" for q in ("p50", "p95", "p99")),
            )
    Console(stderr=True).print(grid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--advisors", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=500, help="per operation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default SQLite)")
    args = parser.parse_args()
    result = {
        "bench": "pull",
        "waiting": args.waiting,
        "advisors": args.advisors,
        "samples": args.samples,
        **asyncio.run(main_async(args)),
    }
    show(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
