"""Ingest benchmark: POST N customer messages, wait until each one is routed, print figures.

Figures: messages/s accepted over HTTP, messages/s end to end (first POST to last
``message.processed_at``), ingest-to-routing latency p50/p95/p99 (``processed_at -
received_at``, read from the database: "routed" means the routing decision was made, the
conversation assigned *or* left waiting), the same for conversations assigned on arrival
(``assignment.assigned_at - received_at``), counts, and with ``--spawn`` the resident memory
and CPU time of every service process.

Examples (from the repository root)::

    # embedded default: SQLite file + memory:// broker, worker inside the API process
    .venv/bin/python bench/ingest.py --spawn
    # PostgreSQL + RabbitMQ: API ``serve --without-worker`` and 2 worker processes
    .venv/bin/python bench/ingest.py --spawn --workers 2 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test \\
        --broker-url amqp://guest:guest@127.0.0.1:5672/
    # against a server you started yourself (reads the same database)
    .venv/bin/python bench/ingest.py --url http://127.0.0.1:8000 \\
        --database-url sqlite:///var/aiguillage.db

The load generator speaks HTTP/1.1 keep-alive over raw asyncio streams (one connection per
concurrent sender) so that it costs little CPU next to the server it measures; it only talks
to loopback addresses.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
console = Console(stderr=True)

# --------------------------------------------------------------------------- realistic traffic

_FIRST = [
    "Camille",
    "Lucas",
    "Emma",
    "Hugo",
    "Chloé",
    "Louis",
    "Sarah",
    "Nathan",
    "Olivia",
    "James",
    "Amelia",
    "Oliver",
    "Sophie",
    "Thomas",
    "Léa",
    "Jules",
    "Grace",
    "Noah",
]
_LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Smith",
    "Johnson",
    "Brown",
    "Garnier",
    "Roux",
    "Taylor",
    "Wilson",
    "Fontaine",
    "Chevalier",
    "Evans",
    "Girard",
]
_PRODUCTS = [
    "la box fibre",
    "mon forfait mobile",
    "le casque audio",
    "la machine à café",
    "l'abonnement Premium",
    "la carte cadeau",
    "le canapé trois places",
]
_PRODUCTS_EN = [
    "the fibre router",
    "my mobile plan",
    "the headphones",
    "the coffee machine",
    "the Premium subscription",
    "the gift card",
    "the three-seat sofa",
]
_FRENCH = [
    "Bonjour, je n'ai toujours pas reçu ma commande {order}, pouvez-vous me dire où elle en est ?",
    "Bonjour, j'ai été débité deux fois pour la commande {order}. Merci de me rembourser.",
    "C'est inadmissible, {product} ne fonctionne plus depuis trois jours et personne ne répond !",
    "Bonjour, je souhaite résilier {product}, quelle est la marche à suivre ?",
    "Je n'arrive plus à me connecter à mon espace client, le mot de passe est refusé.",
    "Bonjour, pouvez-vous m'envoyer la facture de la commande {order} s'il vous plaît ?",
    "Le colis {order} est arrivé abîmé, je voudrais un échange ou un remboursement.",
    "Merci pour votre aide hier, tout fonctionne parfaitement maintenant.",
    "Troisième message sans réponse. Je suis très mécontent, je vais porter plainte.",
    "Bonjour, est-il possible de changer l'adresse de livraison de la commande {order} ?",
    "Bonsoir, {product} affiche un message d'erreur au démarrage, que dois-je faire ?",
    "Je voudrais savoir si vous livrez en Belgique et quels sont les délais.",
]
_ENGLISH = [
    "Hi, my order {order} still hasn't arrived, could you tell me where it is?",
    "Hello, I was charged twice for order {order}. Please refund the duplicate payment.",
    "This is unacceptable, {product} stopped working three days ago and nobody answers!",
    "Hi, I'd like to cancel {product}, what do I need to do?",
    "I can't log in to my account anymore, my password is rejected.",
    "Hello, could you send me the invoice for order {order} please?",
    "Parcel {order} arrived damaged, I'd like a replacement or a refund.",
    "Thanks for your help yesterday, everything works fine now.",
    "Third message without an answer. I am really upset and will file a complaint.",
    "Hi, can I change the delivery address for order {order}?",
    "Good evening, {product} shows an error at start-up, what should I do?",
    "Do you ship to Ireland, and how long does delivery take?",
]
_CHANNELS = (
    ("chat", 40),
    ("email", 25),
    ("whatsapp", 15),
    ("messenger", 10),
    ("instagram", 5),
    ("x", 5),
)


@dataclass(frozen=True)
class Sender:
    channel: str
    id: str
    name: str
    french: bool


def make_senders(count: int, run_id: str, rng: random.Random) -> list[Sender]:
    channels = [name for name, weight in _CHANNELS for _ in range(weight)]
    senders = []
    for number in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        channel = rng.choice(channels)
        if channel == "email":
            address = f"{first.lower()}.{last.lower()}.{run_id}.{number}@example.com"
        elif channel == "whatsapp":
            address = f"+336{number:08d}.{run_id}"
        else:
            address = f"{first.lower()}_{run_id}_{number}"
        senders.append(Sender(channel, address, f"{first} {last}", rng.random() < 0.6))
    return senders


def make_bodies(count: int, senders: Sequence[Sender], run_id: str, seed: int) -> list[bytes]:
    """``count`` JSON bodies, senders drawn at random so conversations get several messages."""
    rng = random.Random(seed)
    bodies = []
    for number in range(count):
        sender = rng.choice(senders)
        template = rng.choice(_FRENCH if sender.french else _ENGLISH)
        text = template.format(
            order=f"CMD-{rng.randrange(10**6, 10**7)}",
            product=rng.choice(_PRODUCTS if sender.french else _PRODUCTS_EN),
        )
        payload: dict[str, Any] = {
            "channel": sender.channel,
            "external_id": f"bench-{run_id}-{number}",
            "sender": {"id": sender.id, "name": sender.name},
            "text": text,
        }
        if sender.channel == "email":
            payload["sender"]["email"] = sender.id
            payload["subject"] = "Réclamation" if sender.french else "Complaint"
        bodies.append(json.dumps(payload, ensure_ascii=False).encode())
    return bodies


# --------------------------------------------------------------------------- HTTP load


class RawConnection:
    """One HTTP/1.1 keep-alive connection: just enough protocol for small JSON POSTs."""

    def __init__(self, host: str, port: int, api_key: str) -> None:
        self.host, self.port = host, port
        self.auth = b"X-API-Key: %s\r\n" % api_key.encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            b"POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
            b"%sContent-Length: %d\r\n\r\n%s"
            % (path.encode(), self.host.encode(), self.port, self.auth, len(body), body)
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.lower()
        start = headers.find(b"\r\ncontent-length:")
        if start < 0:
            raise ConnectionError("response without content-length")
        length = int(headers[start + 17 : headers.index(b"\r\n", start + 2)])
        data = await self.reader.readexactly(length)
        if b"\r\nconnection: close" in headers:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class LoadResult:
    sent: int = 0
    accepted: int = 0  # 202 and duplicate false
    duplicates: int = 0
    errors: int = 0  # non-202 answers and requests that failed after retries
    retries: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    first_post: float = 0.0  # wall clock (time.time), comparable with database timestamps
    last_answer: float = 0.0
    http_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)


async def _post_one(conn: RawConnection, body: bytes, result: LoadResult, timeout: float) -> None:
    for attempt in range(3):  # a retried POST is safe: intake is idempotent on external_id
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                status, data = await conn.post("/v1/messages", body)
        except (
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            ValueError,
        ) as error:
            await conn.close()
            if attempt == 2:
                _record_error(result, f"{type(error).__name__}: {error}")
                return
            result.retries += 1
            continue
        result.http_ms.append((time.perf_counter() - started) * 1000)
        result.statuses[str(status)] = result.statuses.get(str(status), 0) + 1
        if status == 202:
            duplicate = json.loads(data).get("duplicate")
            result.duplicates += bool(duplicate)
            result.accepted += not duplicate
        else:
            _record_error(result, f"HTTP {status}: {data[:200]!r}")
        return


def _record_error(result: LoadResult, text: str) -> None:
    result.errors += 1
    if len(result.error_samples) < 5:
        result.error_samples.append(text)


async def run_load(
    host: str,
    port: int,
    api_key: str,
    bodies: Sequence[bytes],
    concurrency: int,
    rate: float | None,
    timeout: float,
    progress: Progress,
) -> LoadResult:
    """``concurrency`` senders share the bodies; with ``rate`` message i leaves at t0 + i/rate
    (open loop: a slow answer does not delay the schedule while senders are free)."""
    result = LoadResult()
    task = progress.add_task("posting", total=len(bodies))
    counter = itertools.count()
    t0 = time.perf_counter()
    result.first_post = time.time()

    async def sender() -> None:
        conn = RawConnection(host, port, api_key)
        try:
            while (index := next(counter)) < len(bodies):
                if rate:
                    delay = t0 + index / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                result.sent += 1
                await _post_one(conn, bodies[index], result, timeout)
                progress.advance(task)
        finally:
            await conn.close()

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    result.last_answer = time.time()
    return result


# --------------------------------------------------------------------------- reading results


def _to_epoch(value: Any) -> float:
    """SQLite stores naive UTC text, PostgreSQL returns aware datetimes."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


_PENDING_SQL = "SELECT count(*) FROM message WHERE status = 'received' AND external_id LIKE {p}"
_TIMES_SQL = (
    "SELECT received_at, processed_at, status FROM message "
    "WHERE external_id LIKE {p} AND direction = 'inbound'"
)
_ASSIGNED_SQL = """
SELECT m.received_at, a.assigned_at FROM assignment a
JOIN message m ON m.conversation_id = a.conversation_id
WHERE m.external_id LIKE {p}
  AND m.id = (SELECT min(id) FROM message WHERE conversation_id = a.conversation_id)"""
_CONVERSATIONS_SQL = """
SELECT status, count(*) FROM conversation WHERE id IN
  (SELECT conversation_id FROM message WHERE external_id LIKE {p})
GROUP BY status"""


class ResultsReader:
    """Reads the run's rows (``external_id LIKE 'bench-<run>-%'``) from SQLite or PostgreSQL."""

    def __init__(self, database_url: str) -> None:
        scheme, _, rest = database_url.partition("://")
        self.sqlite_path = rest[1:] if scheme.startswith("sqlite") else None
        self.pg_dsn = None if self.sqlite_path else f"postgresql://{rest}"
        self._pg: Any = None

    async def query(self, sql: str, pattern: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30)) as conn:
                return conn.execute(sql.format(p="?"), (pattern,)).fetchall()
        if self._pg is None:
            import asyncpg  # type: ignore[import-untyped]

            self._pg = await asyncpg.connect(self.pg_dsn)
        return [tuple(row) for row in await self._pg.fetch(sql.format(p="$1"), pattern)]

    async def close(self) -> None:
        if self._pg is not None:
            await self._pg.close()


async def wait_routed(
    reader: ResultsReader, pattern: str, expected: int, timeout: float, progress: Progress
) -> bool:
    task = progress.add_task("routing", total=expected)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = (await reader.query(_PENDING_SQL, pattern))[0][0]
        progress.update(task, completed=expected - pending)
        if pending == 0:
            return True
        await asyncio.sleep(0.2)
    return False


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    ordered = sorted(values)

    def rank(q: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50": rank(0.50),
        "p95": rank(0.95),
        "p99": rank(0.99),
        "max": round(ordered[-1], 1) if ordered else None,
    }


async def collect(reader: ResultsReader, pattern: str, load: LoadResult) -> dict[str, Any]:
    rows = await reader.query(_TIMES_SQL, pattern)
    done = [(_to_epoch(r), _to_epoch(p)) for r, p, _ in rows if p is not None]
    routing_ms = [(p - r) * 1000 for r, p in done]
    assigned = await reader.query(_ASSIGNED_SQL, pattern)
    assign_ms = [(_to_epoch(a) - _to_epoch(r)) * 1000 for r, a in assigned]
    conversations = dict(await reader.query(_CONVERSATIONS_SQL, pattern))
    last_processed = max((p for _, p in done), default=load.first_post)
    http_seconds = max(load.last_answer - load.first_post, 1e-9)
    e2e_seconds = max(last_processed - load.first_post, 1e-9)
    return {
        "sent": load.sent,
        "accepted": load.accepted,
        "duplicates": load.duplicates,
        "errors": load.errors,
        "retries": load.retries,
        "statuses": load.statuses,
        "processed": len(done),
        "failed": sum(1 for *_, s in rows if s == "failed"),
        "http_seconds": round(http_seconds, 2),
        "e2e_seconds": round(e2e_seconds, 2),
        "accepted_per_s": round(load.accepted / http_seconds, 1),
        "e2e_per_s": round(len(done) / e2e_seconds, 1),
        "routing_ms": percentiles(routing_ms),
        "assigned_on_arrival": len(assign_ms),
        "assignment_ms": percentiles(assign_ms),
        "http_post_ms": percentiles(load.http_ms),
        "conversations": conversations,
    }


# --------------------------------------------------------------------------- --spawn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _vm_peak_rss(pid: int) -> int | None:
    """Peak resident set (VmHWM), Linux only."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@dataclass
class Service:
    role: str
    process: subprocess.Popen[bytes]
    log: Path
    cpu_start: float = 0.0

    def cpu_seconds(self) -> float:
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    def memory(self) -> dict[str, float | None]:
        rss = psutil.Process(self.process.pid).memory_info().rss
        peak = _vm_peak_rss(self.process.pid)
        return {
            "rss_mb": round(rss / 2**20, 1),
            "peak_rss_mb": round(peak / 2**20, 1) if peak else None,
        }


def _system_cpu(names: tuple[str, ...]) -> dict[int, float]:
    """CPU seconds so far per process named like ``names`` (PostgreSQL, RabbitMQ)."""
    seconds = {}
    for proc in psutil.process_iter(["name", "cpu_times"]):
        name = proc.info["name"] or ""
        if proc.info["cpu_times"] is not None and name.startswith(names):
            seconds[proc.pid] = proc.info["cpu_times"].user + proc.info["cpu_times"].system
    return seconds


def _cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """Processes that exited meanwhile are lost; new ones count in full."""
    return round(sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()), 1)


class Stack:
    """API (+ K workers) on a free port, a fresh database and a unique queue prefix."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tag = secrets.token_hex(4)
        self.tmp = Path(tempfile.mkdtemp(prefix="aiguillage-bench-"))
        self.port = free_port()
        self.prefix = f"bench_{self.tag}"
        self.services: list[Service] = []
        self.profilers: list[subprocess.Popen[bytes]] = []
        self.api_key = ""
        self.admin_dsn: str | None = None
        self.pg_database: str | None = None
        self.database_url = ""

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "AIGUILLAGE_DATABASE_URL": self.database_url,
                "AIGUILLAGE_BROKER_URL": self.args.broker_url,
                "AIGUILLAGE_PORT": str(self.port),
                "AIGUILLAGE_HOST": "127.0.0.1",
                "AIGUILLAGE_QUEUE_PREFIX": self.prefix,
                "AIGUILLAGE_LOG_LEVEL": self.args.log_level,
                "AIGUILLAGE_SMTP_LISTEN_PORT": "0",  # no mail here; 2525 may be taken
                "PYTHONPATH": str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            }
        )
        if self.args.worker_concurrency:
            env["AIGUILLAGE_WORKER_CONCURRENCY"] = str(self.args.worker_concurrency)
        return env

    async def create_database(self) -> None:
        url = self.args.database_url
        if url.startswith("sqlite"):
            self.database_url = f"sqlite:///{self.tmp / 'bench.db'}"
            return
        import asyncpg

        scheme, _, rest = url.partition("://")
        self.admin_dsn = f"postgresql://{rest}"
        self.pg_database = f"aiguillage_bench_{self.tag}"
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{self.pg_database}"')
        finally:
            await conn.close()
        parsed = urllib.parse.urlsplit(self.admin_dsn)
        self.database_url = urllib.parse.urlunsplit(parsed._replace(path=f"/{self.pg_database}"))

    def run_cli(self, *command: str) -> str:
        log = self.tmp / f"{command[0]}.log"
        with log.open("wb") as out:
            done = subprocess.run(
                [sys.executable, "-m", "router", *command],
                cwd=REPO_ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=300,
                check=False,
            )
        if done.returncode:
            raise RuntimeError(f"`router {' '.join(command)}` failed:\n{log.read_text()[-2000:]}")
        return log.read_text()

    def start(self, role: str, *command: str) -> Service:
        log = self.tmp / f"{role}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "router", *command],
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        service = Service(role, process, log)
        self.services.append(service)
        return service

    async def up(self) -> None:
        await self.create_database()
        self.run_cli("migrate")
        self.run_cli("demo-data", "--credentials", str(self.tmp / "demo-credentials.txt"))
        created = self.run_cli("apikeys", "create", "--name", "bench", "--scope", "messages:write")
        self.api_key = created.rsplit("secret (shown once): ", 1)[1].split()[0]
        if self.args.backlog:
            sys.path.insert(0, str(REPO_ROOT))  # the repository's channels/, not bench/channels.py
            from backlog import fill

            started = time.monotonic()
            await fill(self.database_url, self.args.backlog)
            console.print(
                f"backlog: {self.args.backlog} waiting conversations "
                f"in {time.monotonic() - started:.0f} s"
            )
        workers = self.args.workers
        self.start("api", "serve", "--with-worker" if workers == 0 else "--without-worker")
        for number in range(workers):
            self.start(f"worker{number + 1}", "worker")
        await self._wait_ready()
        await asyncio.sleep(1.0)  # let the workers declare their queues and start consuming
        for service in self.services:
            service.cpu_start = service.cpu_seconds()
        if self.args.profile:
            self._start_profilers(Path(self.args.profile))

    def _start_profilers(self, folder: Path) -> None:
        """py-spy on every service process: a flame graph (SVG) and the raw collapsed stacks
        (``bench/flame_top.py`` prints their top frames). Stopped with the services."""
        folder.mkdir(parents=True, exist_ok=True)
        for service in list(self.services):
            for form, suffix in (("flamegraph", "svg"), ("raw", "txt")):
                self.profilers.append(
                    subprocess.Popen(
                        [
                            str(Path(sys.executable).with_name("py-spy")),
                            "record",
                            "--pid",
                            str(service.process.pid),
                            "--rate",
                            "200",
                            "--format",
                            form,
                            "--output",
                            str(folder / f"{service.role}.{suffix}"),
                            "--nonblocking",
                            "--gil",  # only the thread holding the GIL: the Python CPU
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )

    async def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                for service in self.services:
                    if service.process.poll() is not None:
                        raise RuntimeError(
                            f"{service.role} exited:\n{service.log.read_text()[-2000:]}"
                        )
                with contextlib.suppress(httpx.HTTPError):
                    answer = await client.get(f"http://127.0.0.1:{self.port}/readyz")
                    if answer.status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError("the API did not become ready within 60 s")

    def report(self, wall_seconds: float) -> dict[str, Any]:
        """Memory and CPU of each service process (the worker is the API when K = 0)."""
        out: dict[str, Any] = {}
        for service in self.services:
            if service.process.poll() is not None:
                out[service.role] = {"exited": service.process.returncode}
                continue
            cpu = service.cpu_seconds() - service.cpu_start
            out[service.role] = {
                **service.memory(),
                "cpu_s": round(cpu, 2),
                "cpu_cores": round(cpu / max(wall_seconds, 1e-9), 2),
            }
        return out

    def stop_profilers(self) -> None:
        for profiler in self.profilers:  # SIGINT: py-spy writes its output and exits
            profiler.send_signal(signal.SIGINT)
        for profiler in self.profilers:
            try:
                profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                profiler.kill()
        self.profilers.clear()

    async def down(self) -> None:
        self.stop_profilers()
        for service in self.services:  # API first: nothing new is published after that
            if service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
            try:
                service.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                console.print(f"[yellow]{service.role} ignored SIGTERM, killing it")
                service.process.kill()
                service.process.wait(timeout=10)
        if self.args.broker_url.startswith("amqp"):
            await self._delete_queues()
        if self.pg_database and self.admin_dsn and not self.args.keep:
            import asyncpg

            conn = await asyncpg.connect(self.admin_dsn)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)')
            finally:
                await conn.close()
        if not self.args.keep:
            for path in self.tmp.iterdir():
                path.unlink()
            self.tmp.rmdir()

    async def _delete_queues(self) -> None:
        import aio_pika

        connection = await aio_pika.connect(self.args.broker_url)
        async with connection:
            channel = await connection.channel()
            topics = ("inbound", "outbound")
            for name in (f"{self.prefix}.{t}{suffix}" for t in topics for suffix in ("", ".dead")):
                with contextlib.suppress(Exception):
                    await channel.queue_delete(name)
            with contextlib.suppress(Exception):
                await channel.exchange_delete(f"{self.prefix}.dlx")


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("-n", "--messages", type=int, default=10_000, help="messages to post (default 10000)")
    add("-c", "--concurrency", type=int, default=64, help="concurrent connections (default 64)")
    add("-s", "--senders", type=int, help="distinct senders (default messages/4)")
    add(
        "--rate",
        type=float,
        help="target messages/s, open-loop pacing (default: as fast as possible)",
    )
    add("--url", default="http://127.0.0.1:8000", help="running server (ignored with --spawn)")
    add(
        "--database-url",
        default=os.environ.get("AIGUILLAGE_DATABASE_URL", "sqlite:///var/aiguillage.db"),
        help="database to read results from; with --spawn, sqlite:... means a fresh SQLite "
        "file and postgresql://... the server on which a fresh database is created",
    )
    add(
        "--broker-url",
        default=os.environ.get("AIGUILLAGE_BROKER_URL", "memory://"),
        help="with --spawn: memory:// or amqp://...",
    )
    add("--spawn", action="store_true", help="start (and stop) the service stack itself")
    add(
        "--api-key",
        default=os.environ.get("AIGUILLAGE_API_KEY", ""),
        help="key with messages:write for --url (default $AIGUILLAGE_API_KEY; --spawn makes one)",
    )
    add(
        "--workers",
        type=int,
        default=0,
        help="with --spawn: separate worker processes "
        "(0: the API runs the worker in-process; >0 needs amqp://)",
    )
    add("--worker-concurrency", type=int, help="with --spawn: AIGUILLAGE_WORKER_CONCURRENCY")
    add("--log-level", default="WARNING", help="with --spawn: AIGUILLAGE_LOG_LEVEL")
    add("--keep", action="store_true", help="with --spawn: keep the database and logs")
    add(
        "--backlog",
        type=int,
        default=0,
        metavar="N",
        help="with --spawn: N conversations already waiting before the run (bench/backlog.py)",
    )
    add(
        "--profile",
        metavar="DIR",
        help="with --spawn: record each service process with py-spy (pip install py-spy) "
        "into DIR/<role>.svg (flame graph) and DIR/<role>.txt (collapsed stacks)",
    )
    add("--timeout", type=float, default=600, help="seconds to wait for routing (default 600)")
    add("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.messages < 1 or args.concurrency < 1 or (args.rate is not None and args.rate <= 0):
        parser.error("--messages, --concurrency and --rate must be positive")
    if args.spawn and args.workers > 0 and not args.broker_url.startswith("amqp"):
        parser.error("--workers > 0 needs --broker-url amqp://... (memory:// is in-process)")
    args.senders = args.senders or max(1, args.messages // 4)
    return args


def _loopback(url: str) -> tuple[str, int]:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "http" or parsed.hostname not in LOOPBACK:
        raise SystemExit(f"refusing {url!r}: this benchmark only targets http://127.0.0.1")
    return parsed.hostname, parsed.port or 80


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    run_id = secrets.token_hex(3)
    rng = random.Random(args.seed)
    bodies = make_bodies(args.messages, make_senders(args.senders, run_id, rng), run_id, args.seed)
    stack = Stack(args) if args.spawn else None
    try:
        if stack is not None:
            with console.status("starting the stack (migrate, demo-data, serve, workers)"):
                await stack.up()
            host, port, database_url = "127.0.0.1", stack.port, stack.database_url
            api_key = stack.api_key
        else:
            (host, port), database_url = _loopback(args.url), args.database_url
            api_key = args.api_key
        reader = ResultsReader(database_url)
        pattern = f"bench-{run_id}-%"
        system_cpu = _system_cpu(("postgres", "beam.smp")) if stack else {}
        machine, me = psutil.cpu_times(), psutil.Process().cpu_times()
        with _progress() as progress:
            load = await run_load(
                host, port, api_key, bodies, args.concurrency, args.rate, 30.0, progress
            )
            routed = await wait_routed(
                reader, pattern, load.accepted + load.duplicates, args.timeout, progress
            )
        figures = await collect(reader, pattern, load)
        await reader.close()
        figures["all_routed"] = routed
        figures["machine"] = _machine_usage(machine, me, time.time() - load.first_post)
        if stack is not None:
            wall = time.time() - load.first_post
            figures["processes"] = stack.report(wall)
            stack.stop_profilers()
            # Machine-wide: on a shared machine this includes other users' backends.
            figures["postgres_rabbitmq_cpu_s"] = _cpu_since(
                system_cpu, _system_cpu(("postgres", "beam.smp"))
            )
            figures["cpu_ms_per_message"] = cpu_per_message(figures)
        return figures
    finally:
        if stack is not None:
            await stack.down()


def cpu_per_message(figures: dict[str, Any]) -> dict[str, float | None]:
    """CPU milliseconds per routed message: the service processes (API, workers), and the
    same plus PostgreSQL and RabbitMQ (machine-wide, so other users of those servers count)."""
    routed = figures["processed"]
    ours = sum(p.get("cpu_s", 0.0) for p in figures["processes"].values())
    servers = figures["postgres_rabbitmq_cpu_s"]
    if not routed:
        return {"services": None, "all": None}
    return {
        "services": round(1000 * ours / routed, 2),
        "all": round(1000 * (ours + servers) / routed, 2),
    }


def _machine_usage(before: Any, me_before: Any, wall: float) -> dict[str, Any]:
    """Whole-machine CPU over the run: the load generator shares the cores with the stack
    (and, on a shared machine, with whatever else runs), so say how busy the cores were."""
    after, me_after = psutil.cpu_times(), psutil.Process().cpu_times()
    idle = (after.idle - before.idle) + (getattr(after, "iowait", 0) - getattr(before, "iowait", 0))
    total = sum(after) - sum(before)
    me = (me_after.user + me_after.system) - (me_before.user + me_before.system)
    return {
        "cores": psutil.cpu_count(),
        "busy_cores": round(psutil.cpu_count() * (1 - idle / total), 2) if total else None,
        "loadgen_cores": round(me / max(wall, 1e-9), 2),
        "loadavg_1m": os.getloadavg()[0],
    }


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def describe(args: argparse.Namespace) -> dict[str, Any]:
    setup = {
        "messages": args.messages,
        "concurrency": args.concurrency,
        "senders": args.senders,
        "rate": args.rate,
        "spawn": args.spawn,
        "backlog": args.backlog,
    }
    if args.spawn:
        setup.update(
            database=args.database_url.split("://")[0],
            broker=args.broker_url.split("://")[0],
            workers=args.workers,
            worker_concurrency=args.worker_concurrency,
        )
    return setup


def print_table(figures: dict[str, Any]) -> None:
    table = Table(title="Aiguillage ingest benchmark", show_header=True)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in _rows(figures):
        table.add_row(name, value)
    Console().print(table)


def _rows(f: dict[str, Any]) -> Iterator[tuple[str, str]]:
    def ms(p: dict[str, Any]) -> str:
        return f"{p['p50']} / {p['p95']} / {p['p99']} (max {p['max']})"

    yield (
        "sent / accepted / duplicates / errors",
        (f"{f['sent']} / {f['accepted']} / {f['duplicates']} / {f['errors']}"),
    )
    yield "routed (processed) / failed", f"{f['processed']} / {f['failed']}"
    yield "accepted msg/s (HTTP)", f"{f['accepted_per_s']} ({f['http_seconds']} s)"
    yield (
        "end-to-end msg/s (first POST → last routed)",
        (f"{f['e2e_per_s']} ({f['e2e_seconds']} s)"),
    )
    yield "ingest→routing ms p50 / p95 / p99", ms(f["routing_ms"])
    yield f"ingest→assignment ms ({f['assigned_on_arrival']} on arrival)", ms(f["assignment_ms"])
    yield "HTTP POST ms p50 / p95 / p99", ms(f["http_post_ms"])
    yield "conversations", ", ".join(f"{k} {v}" for k, v in sorted(f["conversations"].items()))
    for role, proc in f.get("processes", {}).items():
        yield (
            f"{role}: RSS / peak MB, CPU cores",
            (f"{proc.get('rss_mb')} / {proc.get('peak_rss_mb')}, {proc.get('cpu_cores')}"),
        )
    machine = f["machine"]
    yield (
        "machine: busy cores of N / load generator cores",
        (f"{machine['busy_cores']} of {machine['cores']} / {machine['loadgen_cores']}"),
    )
    if "postgres_rabbitmq_cpu_s" in f:
        yield "PostgreSQL + RabbitMQ CPU s", str(f["postgres_rabbitmq_cpu_s"])
    if "cpu_ms_per_message" in f:
        cpu = f["cpu_ms_per_message"]
        yield "CPU ms per routed message: services / + servers", f"{cpu['services']} / {cpu['all']}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import uvloop  # installed with uvicorn[standard]; keeps the load generator cheap

        figures = uvloop.run(bench(args))
    except ImportError:
        figures = asyncio.run(bench(args))
    print_table(figures)
    print(
        json.dumps(
            {"bench": "ingest", "setup": describe(args), **figures}, ensure_ascii=False, default=str
        )
    )
    ok = figures["all_routed"] and figures["errors"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
