"""Pull latency in the database: the best waiting conversation for an advisor, by SQL.

Fills a fresh database (a SQLite file in a temporary directory, or a PostgreSQL database
``aiguillage_bench_<random>`` created on the given server and dropped afterwards) with M
waiting conversations routed by bench/route.py's rules (random channels, languages,
emotions; one in twenty reply-window customers near the end of their window), then times
``router.routing.queue.claim`` (fit keys, classes, heads, lock; rolled back) for random
advisors, and prints the plan of the heads query.

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
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from route import CARE, QUEUE, make_advisors, make_rules, random_facts
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from router.models import Conversation, Customer
from router.routing import queue
from router.routing.config import RoutingPolicy
from router.store import Database
from router.store.migrate import upgrade
from skills import AngerTrend, QueueClass, match_rule, requirements_for

POLICY = RoutingPolicy(
    queue=QUEUE, care=CARE, anger=AngerTrend(), exclusion=timedelta(0), day_zone=ZoneInfo("UTC")
)


async def fill(db: Database, count: int, rng: random.Random) -> None:
    rules = make_rules()
    now = datetime.now(UTC)
    customer_table = Customer.__table__  # type: ignore[attr-defined]
    conversation_table = Conversation.__table__  # type: ignore[attr-defined]
    for start in range(0, count, 5000):
        size = min(5000, count - start)
        async with db.session() as session:
            ids = (
                await session.execute(
                    insert(customer_table).returning(customer_table.c.id),
                    [{"tier": "standard", "created_at": now} for _ in range(size)],
                )
            ).scalars()
            rows = []
            for customer_id in ids:
                facts = random_facts(rng)
                rule = match_rule(rules, facts)
                requirements = requirements_for(rule, facts)
                since_message = rng.uniform(20, 24) * 3600 if rng.random() < 0.05 else 0.0
                urgency = QUEUE.urgency(facts.channel, since_message)
                intense = CARE.is_intense(facts.emotion, facts.emotion_intensity)
                cls = QueueClass(requirements, intense, rule.priority + urgency)
                rows.append(
                    {
                        "customer_id": customer_id,
                        "status": "waiting",
                        "channel": facts.channel,
                        "language": facts.language,
                        "priority": rule.priority,
                        "requirements": requirements.to_dict(),
                        "waiting_since": now - timedelta(seconds=rng.uniform(0, 7200)),
                        "created_at": now,
                        "updated_at": now,
                        "last_message_at": now - timedelta(seconds=since_message),
                        "intense": intense,
                        "urgency_points": urgency,
                        "queue_class": cls.key,
                        "emotion_trail": [],
                    }
                )
            await session.execute(insert(conversation_table), rows)
            await session.commit()
    async with db.session() as session:
        if db.dialect == "postgresql":
            await session.execute(text("ANALYZE conversation"))
        else:
            await session.execute(text("ANALYZE"))
        await session.commit()


async def measure(db: Database, samples: int, rng: random.Random) -> dict[str, object]:
    advisors = make_advisors(1000, rng)
    durations = []
    found = 0
    for _ in range(samples):
        advisor = rng.choice(advisors)
        started = time.perf_counter()
        async with db.session() as session:
            conversation = await queue.claim(session, advisor, POLICY, datetime.now(UTC))
            await session.rollback()
        durations.append((time.perf_counter() - started) * 1000)
        found += conversation is not None
    async with db.session() as session:
        classes = (
            await session.execute(text("SELECT COUNT(DISTINCT queue_class) FROM conversation"))
        ).scalar()
        fit_keys = len((await session.execute(queue._FIT_KEYS)).all())
    ordered = sorted(durations)
    return {
        "pull_ms": {
            "p50": round(statistics.median(ordered), 2),
            "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        },
        "found": found,
        "classes": classes,
        "fit_keys": fit_keys,
    }


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


async def run(url: str, waiting: int, samples: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        started = time.perf_counter()
        await fill(db, waiting, rng)
        filled = time.perf_counter() - started
        result = await measure(db, samples, rng)
        result["heads_plan"] = await plan(db)
        result["fill_seconds"] = round(filled, 1)
        return result
    finally:
        await db.dispose()


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    if args.database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'pull.db'}"
            return {"database": "sqlite", **await run(url, args.waiting, args.samples, args.seed)}
    import asyncpg

    base = make_url(args.database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    name = f"aiguillage_bench_{uuid.uuid4().hex[:8]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        return {"database": "postgresql", **await run(url, args.waiting, args.samples, args.seed)}
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default SQLite)")
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print(json.dumps({"bench": "pull", "waiting": args.waiting, "samples": args.samples, **result}))


if __name__ == "__main__":
    main()
