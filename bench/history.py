"""History at scale: context card, customer timeline and full-text search latency.

Fills a fresh database (a SQLite file in a temporary directory, or a PostgreSQL database
``aiguillage_bench_<random>`` created on the given server and dropped afterwards) with
``--messages`` messages (default 1,000,000; texts drawn from the shipped bilingual
classifier data with order numbers, amounts and dates mixed in), their conversations
(about ten messages each), customers (about fifty messages each) and timeline events; one
customer has ``--customer-messages`` messages (default 1,000) across five channels, in
twenty conversations, with internal notes. Then times, through the real app in process
(HTTP over ASGI, admin caller), ``GET /v1/conversations/{id}/context`` and
``GET /v1/customers/{id}/timeline`` for that customer, and ``GET /v1/search`` for common
and rare words in both languages, and prints percentiles as JSON.

    .venv/bin/python bench/history.py --messages 1000000
    .venv/bin/python bench/history.py --messages 1000000 \\
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
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import insert
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # ahead of bench/, whose channels.py shadows the package

from router.app import create_app  # noqa: E402
from router.models import Advisor, Conversation, Customer, Event, Message, Note  # noqa: E402
from router.security.staff import create_admin  # noqa: E402
from router.settings import load_settings  # noqa: E402
from router.store import Database  # noqa: E402
from router.store.migrate import upgrade  # noqa: E402

DATA = REPO_ROOT / "router" / "classify" / "data"
CHANNELS = ("email", "chat", "whatsapp", "messenger", "x")
ADMIN = ("bench@history.aiguillage.dev", "a long bench password")
BATCH = 5000
SEARCHES = {
    "common en": "refund",
    "common fr": "remboursement",
    "plural fr": "factures",
    "two words": "card blocked",
    "rare": "CMD-2026-424242",
    "absent": "zyxwvut",
}


def corpus() -> list[tuple[str, str, str]]:
    """(text, language, intent) of the shipped examples."""
    rows = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            rows.append((item["text"], item["lang"], item["intent"]))
    return rows


def decorate(text: str, rng: random.Random) -> str:
    """Mix in the facts customers give: order numbers, amounts, dates."""
    roll = rng.random()
    if roll < 0.15:
        number = rng.randrange(10**6)
        return f"{text} Commande CMD-2026-{number:06d}."
    if roll < 0.25:
        cents = rng.randrange(100)
        return f"{text} Order #{rng.randrange(10**7)} of ${rng.randrange(5, 900)}.{cents:02d}"
    if roll < 0.32:
        day, month, euros = rng.randrange(1, 28), rng.randrange(1, 12), rng.randrange(5, 500)
        return f"{text} Le {day}/{month:02d}/2026, {euros},90 €."
    return text


class Filler:
    """Writes customers, conversations, messages, events and notes in batches."""

    def __init__(self, db: Database, rng: random.Random, texts: list[tuple[str, str, str]]):
        self.db = db
        self.rng = rng
        self.texts = texts
        self.clock = datetime.now(UTC) - timedelta(days=400)
        self.serial = 0
        self.pending_messages: list[dict[str, Any]] = []
        self.pending_events: list[dict[str, Any]] = []

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=self.rng.randrange(1, 30))
        return self.clock

    async def rows(self, table: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
        async with self.db.session() as session:
            result = await session.execute(insert(table).returning(table.c.id), list(rows))
            ids = list(result.scalars())
            await session.commit()
        return ids

    async def flush(self, force: bool = False) -> None:
        if self.pending_messages and (force or len(self.pending_messages) >= BATCH):
            ids = await self.rows(Message.__table__, self.pending_messages)  # type: ignore[attr-defined]
            for message_id, event in zip(ids, self.pending_events, strict=True):
                event["message_id"] = message_id
            await self.rows(Event.__table__, self.pending_events)  # type: ignore[attr-defined]
            self.pending_messages, self.pending_events = [], []

    async def customers(self, count: int) -> list[int]:
        ids: list[int] = []
        for start in range(0, count, BATCH):
            rows = [
                {
                    "display_name": f"Customer {start + i}",
                    "tier": "standard",
                    "created_at": self.clock,
                }
                for i in range(min(BATCH, count - start))
            ]
            ids += await self.rows(Customer.__table__, rows)  # type: ignore[attr-defined]
        return ids

    async def conversations(
        self, customer_id: int, count: int, channels: Sequence[str], advisor_id: int
    ) -> list[int]:
        rows = []
        for index in range(count):
            at = self.tick()
            last = index == count - 1
            rows.append(
                {
                    "customer_id": customer_id,
                    "status": "assigned" if last else "resolved",
                    "channel": channels[index % len(channels)],
                    "priority": 0,
                    "requirements": {},
                    "assignee_id": advisor_id,
                    "created_at": at,
                    "updated_at": at,
                    "last_message_at": at,
                    "resolved_at": None if last else at,
                    "intent": self.rng.choice(self.texts)[2],
                    "language": "fr",
                }
            )
        return await self.rows(Conversation.__table__, rows)  # type: ignore[attr-defined]

    async def messages(
        self, customer_id: int, conversation_id: int, channel: str, count: int, advisor_id: int
    ) -> None:
        for _ in range(count):
            text, language, intent = self.rng.choice(self.texts)
            inbound = self.rng.random() < 0.6
            at = self.tick()
            self.serial += 1
            self.pending_messages.append(
                {
                    "channel": channel,
                    "external_id": f"bench-{self.serial}",
                    "direction": "inbound" if inbound else "outbound",
                    "sender_address": f"{channel}:{customer_id}"
                    if inbound
                    else f"advisor:{advisor_id}",
                    "text": decorate(text, self.rng),
                    "received_at": at,
                    "processed_at": at,
                    "metadata": {},
                    "classification": {"language": language, "intent": intent, "emotion": "neutral"}
                    if inbound
                    else None,
                    "status": "processed" if inbound else "sent",
                    "customer_id": customer_id,
                    "conversation_id": conversation_id,
                    "advisor_id": None if inbound else advisor_id,
                    "attempts": 0,
                }
            )
            self.pending_events.append(
                {
                    "type": "message.received" if inbound else "message.queued",
                    "created_at": at,
                    "customer_id": customer_id,
                    "conversation_id": conversation_id,
                    "advisor_id": None if inbound else advisor_id,
                    "data": {"channel": channel},
                }
            )
            await self.flush()


async def fill(db: Database, total: int, customer_messages: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    filler = Filler(db, rng, corpus())
    async with db.session() as session:
        row = Advisor(name="Bench Advisor", email="advisor@bench.dev", languages=["fr", "en"])
        session.add(row)
        await session.commit()
        assert row.id is not None
        advisor = row.id
    others = max(1, (total - customer_messages) // 50)
    customers = await filler.customers(others + 1)
    target, background = customers[0], customers[1:]
    progress = Progress(console=Console(stderr=True))  # stdout is the JSON result
    progress.start()
    task = progress.add_task("filling", total=total)
    # The customer under test: 20 conversations across five channels, notes on each.
    conversations = await filler.conversations(target, 20, CHANNELS, advisor)
    for conversation_id, channel in zip(conversations, CHANNELS * 4, strict=True):
        await filler.messages(target, conversation_id, channel, customer_messages // 20, advisor)
    await filler.rows(
        Note.__table__,  # type: ignore[attr-defined]
        [
            {
                "conversation_id": c,
                "author_id": advisor,
                "text": "Customer called twice, be kind.",
                "created_at": filler.clock,
            }
            for c in conversations
        ],
    )
    progress.update(task, advance=customer_messages)
    left = total - customer_messages
    for customer_id in background:
        if left <= 0:
            break
        for conversation_id in await filler.conversations(customer_id, 5, CHANNELS, advisor):
            count = min(left, 10)
            await filler.messages(
                customer_id, conversation_id, rng.choice(CHANNELS), count, advisor
            )
            left -= count
            progress.update(task, advance=count)
    await filler.flush(force=True)
    progress.stop()
    return {"customer_id": target, "conversation_id": conversations[-1]}


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def timed(http: httpx.AsyncClient, url: str, samples: int) -> dict[str, Any]:
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        response = await http.get(url)
        durations.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:300]}")
    body = response.json()
    return {**percentiles(durations), "items": len(body) if isinstance(body, list) else None}


@asynccontextmanager
async def app_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(database_url=url, broker_url="memory://", smtp_listen_port=0)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await create_admin(app.state.runtime.db, ADMIN[0], "Bench Admin", ADMIN[1])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            token = await http.post(
                "/v1/auth/token", data={"username": ADMIN[0], "password": ADMIN[1]}
            )
            http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield http


async def measure(url: str, ids: dict[str, int], samples: int) -> dict[str, Any]:
    async with app_client(url) as http:
        customer, conversation = ids["customer_id"], ids["conversation_id"]
        result: dict[str, Any] = {
            "context_card": await timed(http, f"/v1/conversations/{conversation}/context", samples),
            "timeline_first_page": await timed(
                http, f"/v1/customers/{customer}/timeline?limit=50", samples
            ),
            "timeline_messages_on_chat": await timed(
                http,
                f"/v1/customers/{customer}/timeline?limit=50&kind=message&channel=chat",
                samples,
            ),
        }
        searches = {}
        all_search: list[float] = []
        for label, query in SEARCHES.items():
            figures = await timed(http, f"/v1/search?q={query}&limit=20", samples)
            searches[label] = {"q": query, **figures}
            all_search.append(figures["p99_ms"])
        result["search"] = searches
        result["search_worst_p99_ms"] = max(all_search)
        return result


async def run(
    url: str, total: int, customer_messages: int, samples: int, seed: int
) -> dict[str, Any]:
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        started = time.perf_counter()
        ids = await fill(db, total, customer_messages, seed)
        filled = time.perf_counter() - started
    finally:
        await db.dispose()
    return {"fill_seconds": round(filled, 1), **await measure(url, ids, samples)}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    if args.database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'history.db'}"
            return {
                "database": "sqlite",
                **await run(url, args.messages, args.customer_messages, args.samples, args.seed),
            }
    import asyncpg

    base = make_url(args.database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    name = f"aiguillage_bench_{uuid.uuid4().hex[:8]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        if args.keep:
            print(f"keeping the database {name}", file=sys.stderr)
        return {
            "database": "postgresql",
            **await run(url, args.messages, args.customer_messages, args.samples, args.seed),
        }
    finally:
        if not args.keep:
            conn = await asyncpg.connect(admin)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--customer-messages", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print(
        json.dumps(
            {"bench": "history", "messages": args.messages, "samples": args.samples, **result}
        )
    )


if __name__ == "__main__":
    main()
