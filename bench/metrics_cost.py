"""CPU cost of recording the Prometheus metrics, per routed message.

The ingest benchmark's run-to-run spread (±15 %) hides a cost of a few per cent, so this
times the recording calls themselves, as the service makes them: per pipeline batch
(received, routed, decisions, classifier readings, timeline events, publish lag) and once
per HTTP request. Compare with the CPU per message that bench/ingest.py prints.

    .venv/bin/python bench/metrics_cost.py [--messages 20000] [--batch 50]
"""

from __future__ import annotations

import argparse
import random
import time

from router.observability import metrics

CHANNELS = ["chat", "email", "whatsapp", "messenger", "x", "instagram"]
EVENTS = [
    {"type": "message.received", "data": {"channel": "chat"}},
    {"type": "conversation.opened", "data": {}},
    {"type": "conversation.waiting", "data": {}},
]
READING = {"intent": "billing", "emotion": "unknown", "language": "fr"}


def per_message_seconds(messages: int, batch: int, rng: random.Random) -> float:
    metrics.configure(enabled=True)
    started = time.process_time()
    for _ in range(messages // batch):
        channels = [rng.choice(CHANNELS) for _ in range(batch)]
        metrics.received(channels)
        metrics.routed(channels, [0.2] * batch)
        metrics.decided(
            {("waiting", "best_fit"): batch - 5, ("assigned", "least_busy"): 5}, [0.1] * 5
        )
        metrics.classified(0.01, [READING] * batch)
        metrics.events(EVENTS * batch)
        metrics.published(0.003, failed_messages=0)
    for _ in range(messages):
        metrics.http_request("POST", "/v1/messages", 202, 0.01)
    return (time.process_time() - started) / messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    cost = per_message_seconds(args.messages, args.batch, random.Random(1))
    print(f"metrics recording: {cost * 1e6:.1f} µs of CPU per message")  # noqa: T201


if __name__ == "__main__":
    main()
