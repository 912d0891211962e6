"""SQL statements per routed message at a low rate, by the call site that issued them.

At 100 msg/s each pipeline batch holds about one message, so its cost is the number of
statements it issues times their fixed cost. This runs the real app in-process (the API
behind an in-memory transport, the worker in-process), posts messages one at a time,
waits until each is routed, and counts every statement the database driver executes in
between, attributed to the innermost frame of this repository that issued it.

    .venv/bin/python bench/statements.py [-n 200] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from router.app import create_app  # noqa: E402
from router.settings import load_settings  # noqa: E402

TEXTS = [
    "Bonjour, ma commande CMD-{n} n'est toujours pas arrivée, pouvez-vous vérifier ?",
    "Hello, I was charged twice on invoice INV-{n}, please refund me.",
    "C'est inadmissible, troisième fois que j'appelle pour la facture FA-{n} !",
    "Hi, how do I change the delivery address of order {n}?",
]
CHANNELS = ["chat", "email", "whatsapp", "messenger"]


class StatementCounter:
    """Counts the statements every engine executes, by their issuing call site."""

    def __init__(self) -> None:
        self.sites: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.total = 0
        self.active = False

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not self.active:
            return
        self.total += 1
        self.kinds[" ".join(statement.split()[:3])[:60]] += 1
        self.sites[_call_site()] += 1


def _call_site() -> str:
    """The innermost frames of this repository's router/ package (skipping the store
    helpers that wrap every statement), as `module:function` pairs."""
    names = []
    for path, function in _frames():
        if "/router/" not in path or "/bench/" in path or "/router/store/" in path:
            continue
        module = path.rsplit("/router/", 1)[1].removesuffix(".py").replace("/", ".")
        names.append(f"{module}:{function}")
        if len(names) == 2:
            break
    return " < ".join(names) or "(outside router/)"


def _frames() -> Iterator[tuple[str, str]]:
    """Innermost first: this greenlet's frames, then those of the greenlets that spawned
    it (SQLAlchemy's asyncio layer runs the driver call in a child greenlet, so the
    awaiting coroutines are on the parent's suspended stack)."""
    import greenlet

    frame = sys._getframe(2)
    current = greenlet.getcurrent()
    while True:
        while frame is not None:
            yield frame.f_code.co_filename, frame.f_code.co_name
            frame = frame.f_back
        current = current.parent
        if current is None:
            return
        frame = current.gr_frame


@contextmanager
def counting(counter: StatementCounter) -> Iterator[StatementCounter]:
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(Engine, "before_cursor_execute", counter)


def run_cli(env: dict[str, str], *command: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "router", *command],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout


async def create_pg_database(url: str) -> str:
    import asyncpg  # type: ignore[import-untyped]

    dsn = "postgresql://" + url.partition("://")[2]
    name = f"aiguillage_statements_{os.getpid()}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(dsn)._replace(path=f"/{name}"))


class RoutedProbe:
    """Reads `processed_at` through the bare driver, outside SQLAlchemy, so the probe's
    own reads are not counted."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.conn: Any = None

    async def open(self) -> None:
        if self.url.startswith("sqlite"):
            import sqlite3

            self.conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
        else:
            import asyncpg

            self.conn = await asyncpg.connect(self.url)

    async def processed(self, message_id: int) -> bool:
        sql = "SELECT processed_at FROM message WHERE id = {}"
        if self.url.startswith("sqlite"):
            row = self.conn.execute(sql.format("?"), (message_id,)).fetchone()
        else:
            row = await self.conn.fetchrow(sql.format("$1"), message_id)
        return bool(row and row[0])

    async def wait(self, message_id: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await self.processed(message_id):
                return
            await asyncio.sleep(0.005)
        raise TimeoutError(f"message {message_id} not routed within {timeout} s")

    async def close(self) -> None:
        result = self.conn.close()
        if asyncio.iscoroutine(result):
            await result


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="aiguillage-statements-"))
    if args.database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp / 'statements.db'}"
    else:
        database_url = await create_pg_database(args.database_url)
    env = dict(os.environ, AIGUILLAGE_DATABASE_URL=database_url, AIGUILLAGE_BROKER_URL="memory://")
    run_cli(env, "migrate")
    run_cli(env, "demo-data")
    created = run_cli(env, "apikeys", "create", "--name", "s", "--scope", "messages:write")
    key = created.rsplit("secret (shown once): ", 1)[1].split()[0]
    settings = load_settings(database_url=database_url, broker_url="memory://", smtp_listen_port=0)
    app = create_app(settings)
    rng = random.Random(7)
    counter = StatementCounter()
    probe = RoutedProbe(database_url)
    await probe.open()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers={"X-API-Key": key}
        ) as http:
            for number in range(args.warmup + args.messages):
                sender = rng.randrange(args.messages // 3 + 1)
                channel = CHANNELS[sender % len(CHANNELS)]
                payload: dict[str, Any] = {
                    "channel": channel,
                    "external_id": f"s-{number}",
                    "sender": {"id": f"customer-{sender}@example.org", "name": f"C {sender}"},
                    "text": rng.choice(TEXTS).format(n=rng.randrange(10**5, 10**6)),
                }
                if channel == "email":
                    payload["sender"]["email"] = payload["sender"]["id"]
                    payload["subject"] = "Commande"
                counter.active = number >= args.warmup
                with counting(counter):
                    answer = await http.post("/v1/messages", json=payload)
                    answer.raise_for_status()
                    await probe.wait(answer.json()["id"])
                    counter.active = False
    await probe.close()
    return {
        "database": database_url.split(":")[0],
        "messages": args.messages,
        "per_message": counter.total / args.messages,
        "sites": counter.sites,
        "kinds": counter.kinds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--messages", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--database-url", default="sqlite://")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    result = asyncio.run(measure(args))
    count = args.messages
    print(
        f"{result['database']}: {result['per_message']:.1f} statements per message "  # noqa: T201
        f"({count} messages, one per batch)"
    )
    for site, n in result["sites"].most_common(args.top):
        print(f"{n / count:6.2f}  {site}")  # noqa: T201
    print()  # noqa: T201
    for kind, n in result["kinds"].most_common(args.top):
        print(f"{n / count:6.2f}  {kind}")  # noqa: T201
    print(
        json.dumps(
            {
                "bench": "statements",
                "database": result["database"],  # noqa: T201
                "per_message": round(result["per_message"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
