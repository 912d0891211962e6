"""Channel adapter benchmark: emails parsed per second, webhooks verified + parsed per second.

In-process and single-threaded (one core): the figures are the adapters' own cost, without
HTTP, database or broker.

* **email**: ``parse_email`` over every ``.eml`` of the shared corpus (real-world messages
  from public mail-parsing test suites, 65 messages, 3.8 MB, including a 1.8 MB MIME torture
  test), repeated for ``--seconds``; prints messages/s by wall clock and by CPU time of this
  process (the machine may be shared), MB/s and per-message latency percentiles.
* **webhooks**: ``adapter.receive`` (size check, HMAC signature or visitor token, JSON
  parsing, normalisation) on recorded payloads of each provider, signed as the provider
  would; prints requests/s for each.

* **http** (``--http``): webhook requests accepted per second *through the running service*.
  Starts ``aiguillage serve`` (as ``bench/ingest.py --spawn`` does: fresh database, demo
  team, free port; PostgreSQL + RabbitMQ with ``--database-url``/``--broker-url``, separate
  workers with ``--workers``), then posts ``-n`` signed Messenger webhooks (one message each,
  unique mids, ``n/4`` senders) over ``-c`` keep-alive connections. "Accepted" is a 200 whose
  message was stored (the row is committed before the answer); the run then waits until the
  pipeline routed every message and reports that rate too.

Example (from the repository root)::

    .venv/bin/python bench/channels.py
    .venv/bin/python bench/channels.py --seconds 10 --corpus /path/to/eml/folder
    .venv/bin/python bench/channels.py --http --only http -n 5000 -c 32
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil
from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from ingest import (  # noqa: E402 - bench/ is this script's folder
    LoadResult,
    RawConnection,
    ResultsReader,
    Stack,
    collect,
    percentiles,
    wait_routed,
)
from ingest import _machine_usage as machine_usage  # noqa: E402
from ingest import _progress as progress_bar  # noqa: E402

from channels.adapter import ChannelAdapter, WebhookRequest  # noqa: E402
from channels.email.parse import parse_email  # noqa: E402
from channels.meta.adapter import MessengerAdapter, MetaConfig, WhatsAppAdapter  # noqa: E402
from channels.meta.graph import GraphTarget  # noqa: E402
from channels.meta.signature import sign as meta_sign  # noqa: E402
from channels.webchat.adapter import WebchatAdapter, WebchatConfig  # noqa: E402
from channels.x.adapter import XAdapter, XConfig  # noqa: E402
from channels.x.api import XTarget  # noqa: E402
from channels.x.signature import sign as x_sign  # noqa: E402

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "data" / "email-fixtures"
console = Console(stderr=True)
BENCH_APP_SECRET = "bench-meta-app-secret"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_email(corpus: Path, seconds: float) -> dict[str, float]:
    raws = [p.read_bytes() for p in sorted(corpus.rglob("*.eml"))]
    if not raws:
        raise SystemExit(f"no .eml files under {corpus}")
    for raw in raws:  # warm-up: imports, regex compilation, header cache
        parse_email(raw)
    latencies: list[float] = []
    parsed = volume = 0
    wall, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        for raw in raws:
            start = time.perf_counter()
            parse_email(raw)
            latencies.append(time.perf_counter() - start)
        parsed += len(raws)
        volume += sum(map(len, raws))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "messages": len(raws),
        "corpus_mb": round(sum(map(len, raws)) / 1e6, 2),
        "parsed": parsed,
        "per_s_wall": round(parsed / wall, 1),
        "per_s_cpu": round(parsed / cpu, 1),
        "mb_per_s_cpu": round(volume / 1e6 / cpu, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
        "max_ms": round(max(latencies) * 1000, 3),
    }


def webhook_cases(http: httpx.AsyncClient) -> dict[str, tuple[ChannelAdapter, WebhookRequest]]:
    fixtures = REPO_ROOT / "channels"
    meta = MetaConfig("bench-app-secret", "verify", GraphTarget("token"))
    x = XConfig("bench-consumer-secret", XTarget("token"))
    chat = WebchatAdapter(WebchatConfig(("bench-webchat-secret-of-32-bytes-or-more",)), _drop)
    token, _ = chat.start_session()

    def meta_request(name: str) -> WebhookRequest:
        body = (fixtures / "meta" / "fixtures" / f"{name}.json").read_bytes()
        return WebhookRequest.of(body, {"X-Hub-Signature-256": meta_sign(body, meta.app_secret)})

    x_body = (fixtures / "x" / "fixtures" / "dm_text.json").read_bytes()
    chat_body = (fixtures / "webchat" / "fixtures" / "message.json").read_bytes()
    return {
        "messenger text": (MessengerAdapter(meta, http), meta_request("messenger_text")),
        "messenger batch (2 msg + read)": (
            MessengerAdapter(meta, http),
            meta_request("messenger_batch"),
        ),
        "whatsapp text": (WhatsAppAdapter(meta, http), meta_request("whatsapp_text")),
        "whatsapp statuses (4)": (WhatsAppAdapter(meta, http), meta_request("whatsapp_statuses")),
        "x direct message": (
            XAdapter(x, http),
            WebhookRequest.of(
                x_body, {"X-Twitter-Webhooks-Signature": x_sign(x_body, x.consumer_secret)}
            ),
        ),
        "web chat message (token + validation)": (
            chat,
            WebhookRequest.of(chat_body, {"Authorization": f"Bearer {token}"}),
        ),
    }


async def _drop(_visitor: str, _frame: object) -> None:
    """The benchmark sends nothing."""


def bench_webhook(receive: Callable[[], object], seconds: float) -> dict[str, float]:
    for _ in range(200):
        receive()
    count = 0
    wall, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        for _ in range(100):
            receive()
        count += 100
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"requests": count, "per_s_wall": round(count / wall), "per_s_cpu": round(count / cpu)}


# --------------------------------------------------------------------------- through the service


class WebhookStack(Stack):
    """The ingest benchmark's stack, with the Meta channel configured and the per-address
    throttle out of the way (every request comes from 127.0.0.1 here)."""

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update(
            {
                "AIGUILLAGE_META_APP_SECRET": BENCH_APP_SECRET,
                "AIGUILLAGE_META_VERIFY_TOKEN": "bench",
                "AIGUILLAGE_PUBLIC_REQUESTS_PER_MINUTE": "1000000000",
                "AIGUILLAGE_SMTP_LISTEN_PORT": "0",
            }
        )
        return env


def signed_webhooks(count: int, run_id: str) -> list[tuple[bytes, bytes]]:
    """(body, signature header line) of ``count`` Messenger messages, as Meta would sign."""
    texts = (
        "Bonjour, ma commande n'est pas arrivée.",
        "Hello, I was charged twice for my order.",
        "Je voudrais changer mon adresse de livraison.",
        "Where is my parcel? The tracking has not moved.",
    )
    senders = max(1, count // 4)
    requests = []
    for i in range(count):
        event = {
            "sender": {"id": f"9{run_id}{i % senders:07d}"},
            "recipient": {"id": "106512345678901"},
            "timestamp": int(time.time() * 1000),
            "message": {"mid": f"bench-{run_id}-{i}", "text": texts[i % len(texts)]},
        }
        payload = {"object": "page", "entry": [{"id": "106512345678901", "messaging": [event]}]}
        body = json.dumps(payload, ensure_ascii=False).encode()
        header = b"X-Hub-Signature-256: %s\r\n" % meta_sign(body, BENCH_APP_SECRET).encode()
        requests.append((body, header))
    return requests


async def post_webhooks(
    port: int, requests: list[tuple[bytes, bytes]], concurrency: int
) -> LoadResult:
    result = LoadResult()
    counter = itertools.count()
    result.first_post = time.time()

    async def sender() -> None:
        conn = RawConnection("127.0.0.1", port, "")
        try:
            while (index := next(counter)) < len(requests):
                body, conn.auth = requests[index]
                result.sent += 1
                started = time.perf_counter()
                try:
                    status, data = await conn.post("/v1/webhooks/meta", body)
                except (OSError, asyncio.IncompleteReadError) as error:
                    await conn.close()
                    result.errors += 1
                    result.error_samples.append(repr(error))
                    continue
                result.http_ms.append((time.perf_counter() - started) * 1000)
                result.statuses[str(status)] = result.statuses.get(str(status), 0) + 1
                summary = json.loads(data) if status == 200 else {}
                result.accepted += summary.get("messages", 0)
                result.duplicates += summary.get("duplicates", 0)
                if status != 200 and len(result.error_samples) < 5:
                    result.errors += 1
                    result.error_samples.append(f"HTTP {status}: {data[:200]!r}")
        finally:
            await conn.close()

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    result.last_answer = time.time()
    return result


async def bench_http(args: argparse.Namespace) -> dict[str, Any]:
    run_id = f"{int(time.time()) % 100000:05d}"
    requests = signed_webhooks(args.messages, run_id)
    stack = WebhookStack(
        argparse.Namespace(
            database_url=args.database_url,
            broker_url=args.broker_url,
            workers=args.workers,
            worker_concurrency=None,
            log_level="WARNING",
            keep=False,
        )
    )
    try:
        with console.status("starting the service (migrate, demo-data, serve)"):
            await stack.up()
        before, me = psutil.cpu_times(), psutil.Process().cpu_times()
        load = await post_webhooks(stack.port, requests, args.concurrency)
        machine = machine_usage(before, me, time.time() - load.first_post)
        reader = ResultsReader(stack.database_url)
        with progress_bar() as progress:
            routed = await wait_routed(
                reader, f"bench-{run_id}-%", load.accepted, args.timeout, progress
            )
        figures = await collect(reader, f"bench-{run_id}-%", load)
        await reader.close()
        figures["all_routed"] = routed
        figures["http_post_ms"] = percentiles(load.http_ms)
        figures["error_samples"] = load.error_samples
        figures["processes"] = stack.report(time.time() - load.first_post)
        figures["machine"] = machine  # while posting: a shared machine skews every figure
        return figures
    finally:
        await stack.down()


def print_http(figures: dict[str, Any], args: argparse.Namespace) -> None:
    table = Table(title="webhooks through the running service (HTTP, signature, intake)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    latency = figures["http_post_ms"]
    rows = [
        (
            "setup",
            f"{args.database_url.split(':')[0]} + {args.broker_url.split(':')[0]}, "
            f"{args.workers} separate workers, {args.concurrency} connections",
        ),
        (
            "sent / accepted / duplicates / errors",
            " / ".join(str(figures[k]) for k in ("sent", "accepted", "duplicates", "errors")),
        ),
        ("webhooks accepted /s", f"{figures['accepted_per_s']} ({figures['http_seconds']} s)"),
        ("HTTP ms p50 / p95 / p99", f"{latency['p50']} / {latency['p95']} / {latency['p99']}"),
        ("routed /s end to end", f"{figures['e2e_per_s']} (all routed: {figures['all_routed']})"),
    ]
    machine = figures["machine"]
    rows.append(
        (
            "machine: busy cores of N / load generator cores",
            f"{machine['busy_cores']} of {machine['cores']} / {machine['loadgen_cores']}",
        )
    )
    for role, proc in figures["processes"].items():
        rows.append(
            (f"{role}: RSS MB, CPU cores", f"{proc.get('rss_mb')}, {proc.get('cpu_cores')}")
        )
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .eml")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--http", action="store_true", help="also measure through the service")
    parser.add_argument("--only", choices=("adapters", "http"), help="run one part only")
    parser.add_argument("-n", "--messages", type=int, default=5000, help="--http: webhooks")
    parser.add_argument("-c", "--concurrency", type=int, default=32, help="--http: connections")
    parser.add_argument("--database-url", default="sqlite://", help="--http: sqlite or postgresql")
    parser.add_argument("--broker-url", default="memory://", help="--http: memory:// or amqp://")
    parser.add_argument("--workers", type=int, default=0, help="--http: separate workers")
    parser.add_argument("--timeout", type=float, default=600, help="--http: wait for routing")
    args = parser.parse_args()
    result: dict[str, Any] = {"bench": "channels"}
    if args.only != "http":
        result.update(adapters(args))
    if args.http or args.only == "http":
        http = asyncio.run(bench_http(args))
        print_http(http, args)
        result["http"] = http
    print(json.dumps(result, default=str))


def adapters(args: argparse.Namespace) -> dict[str, Any]:
    email = bench_email(args.corpus, args.seconds)
    table = Table(title="email parsing (one core)")
    for column in ("messages", "MB", "msg/s wall", "msg/s CPU", "MB/s CPU", "p50 ms", "p99 ms"):
        table.add_column(column, justify="right")
    table.add_row(
        str(email["messages"]),
        str(email["corpus_mb"]),
        str(email["per_s_wall"]),
        str(email["per_s_cpu"]),
        str(email["mb_per_s_cpu"]),
        str(email["p50_ms"]),
        str(email["p99_ms"]),
    )
    console.print(table)

    webhooks: dict[str, dict[str, float]] = {}
    hooks = Table(title="webhooks verified + parsed (in-process, one core)")
    for column in ("payload", "req/s wall", "req/s CPU"):
        hooks.add_column(column, justify="right")
    http = httpx.AsyncClient()  # required by the senders' constructors; never used here
    for name, (adapter, request) in webhook_cases(http).items():
        figures = bench_webhook(lambda a=adapter, r=request: a.receive(r), args.seconds / 2)
        webhooks[name] = figures
        hooks.add_row(name, str(figures["per_s_wall"]), str(figures["per_s_cpu"]))
    console.print(hooks)
    return {"email": email, "webhooks": webhooks}


if __name__ == "__main__":
    main()
