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

Example (from the repository root)::

    .venv/bin/python bench/channels.py
    .venv/bin/python bench/channels.py --seconds 10 --corpus /path/to/eml/folder
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .eml")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    args = parser.parse_args()

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
    print(json.dumps({"bench": "channels", "email": email, "webhooks": webhooks}))


if __name__ == "__main__":
    main()
