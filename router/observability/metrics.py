"""The metric families and the thin calls that record them.

Names follow the Prometheus conventions (``aiguillage_`` prefix, ``_total`` counters,
``_seconds`` histograms); labels take few values (channel, team, outcome, route template),
never an id. Callers record once per batch where there is one, after their commit.

The families are built by ``configure(enabled=True)`` (``Runtime.build``), not at import:
``prometheus_client`` decides, when first imported, whether values live in this process or
in the files of ``PROMETHEUS_MULTIPROC_DIR`` (router.observability.process), so nothing may
import it before the CLI set that up. Until then, and with ``AIGUILLAGE_METRICS=false``,
every call is a no-op.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram

_WAIT = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)


@dataclass(frozen=True)
class Families:
    messages_received: Counter
    messages_routed: Counter
    dead_lettered: Counter
    ingest_to_routed: Histogram
    ingest_to_assigned: Histogram
    routing_decisions: Counter
    offers: Counter
    replies: Counter
    sla_events: Counter
    classifier_seconds: Histogram
    classifier_readings: Counter
    publish_lag: Histogram
    publish_failures: Counter
    http_requests: Counter
    http_seconds: Histogram


def _build() -> Families:
    """The families, created once per process (registered in the default registry)."""
    from prometheus_client import Counter, Histogram, disable_created_metrics

    disable_created_metrics()  # type: ignore[no-untyped-call]  # no ``_created`` series
    return Families(
        messages_received=Counter(
            "aiguillage_messages_received",
            "Inbound messages stored at intake (repeats excluded)",
            ["channel"],
        ),
        messages_routed=Counter(
            "aiguillage_messages_routed",
            "Inbound messages through the pipeline (customer, conversation, routing decision)",
            ["channel"],
        ),
        dead_lettered=Counter(
            "aiguillage_messages_dead_lettered",
            "Broker deliveries given up after the delivery limit",
            ["topic"],
        ),
        ingest_to_routed=Histogram(
            "aiguillage_ingest_to_routed_seconds",
            "From storing an inbound message to its routing decision committed",
            buckets=_WAIT,
        ),
        ingest_to_assigned=Histogram(
            "aiguillage_ingest_to_assigned_seconds",
            "From storing a conversation's first message to its assignment (or offer) on arrival",
            buckets=_WAIT,
        ),
        routing_decisions=Counter(
            "aiguillage_routing_decisions",
            "Routing decisions for new conversations: assigned, offered or waiting, by rule policy",
            ["outcome", "policy"],
        ),
        offers=Counter(
            "aiguillage_offers",
            "Offers made and how they ended (accepted, declined, expired)",
            ["outcome"],
        ),
        replies=Counter(
            "aiguillage_replies",
            "Replies' delivery attempts by outcome (sent, failed, retry)",
            ["channel", "status"],
        ),
        sla_events=Counter(
            "aiguillage_sla_events", "SLA warnings and breaches", ["kind", "target"]
        ),
        classifier_seconds=Histogram(
            "aiguillage_classifier_batch_seconds",
            "Time to classify one batch of messages",
            buckets=_FAST,
        ),
        classifier_readings=Counter(
            "aiguillage_classifier_readings",
            "Classifier readings by head and whether the head answered 'unknown'",
            ["head", "result"],
        ),
        publish_lag=Histogram(
            "aiguillage_broker_publish_lag_seconds",
            "From intake's commit to the broker confirming its publishes, per intake batch",
            buckets=_FAST,
        ),
        publish_failures=Counter(
            "aiguillage_broker_publish_failures",
            "Inbound messages stored but not published (the outbox sweeper publishes them later)",
        ),
        http_requests=Counter(
            "aiguillage_http_requests",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
        ),
        http_seconds=Histogram(
            "aiguillage_http_request_duration_seconds",
            "HTTP request duration by route template",
            ["method", "route"],
            buckets=_FAST,
        ),
    )


_f: Families | None = None  # the families, once configured and enabled
_built: Families | None = None
_OFFER_ENDS = {
    "conversation.offered": "offered",
    "conversation.offer_declined": "declined",
    "conversation.offer_expired": "expired",
}
_REPLY_ENDS = {
    "message.sent": "sent",
    "message.failed": "failed",
    "message.retry_scheduled": "retry",
}
_HEADS = ("intent", "emotion", "language")


def configure(*, enabled: bool) -> None:
    """Record (building the families on first use) or not."""
    global _f, _built
    if enabled and _built is None:
        _built = _build()
        _zero(_built)
    _f = _built if enabled else None


def _zero(f: Families) -> None:
    """The series whose labels are known ahead exist from the start, at 0: ``rate()`` and
    the dashboard then see a flat line rather than no data."""
    for outcome in ("offered", "accepted", "declined", "expired"):
        f.offers.labels(outcome)
    for kind in ("warning", "breached"):
        for target in ("first_response", "resolution"):
            f.sla_events.labels(kind, target)
    for topic in ("inbound", "outbound"):
        f.dead_lettered.labels(topic)


def enabled() -> bool:
    return _f is not None


def received(channels: Iterable[str]) -> None:
    """One channel per message stored."""
    if _f is not None:
        for channel, count in Tally(channels).items():
            _f.messages_received.labels(channel).inc(count)


def routed(channels: Iterable[str], waits: Iterable[float]) -> None:
    """A pipeline batch committed: each message's channel and seconds since it was stored."""
    if _f is None:
        return
    for channel, count in Tally(channels).items():
        _f.messages_routed.labels(channel).inc(count)
    for seconds in waits:
        _f.ingest_to_routed.observe(seconds)


def decided(decisions: Mapping[tuple[str, str], int], assigned_waits: Iterable[float]) -> None:
    """Routing decisions on arrival, by (outcome, policy); the waits of those assigned."""
    if _f is None:
        return
    for (outcome, policy), count in decisions.items():
        _f.routing_decisions.labels(outcome, policy).inc(count)
    for seconds in assigned_waits:
        _f.ingest_to_assigned.observe(seconds)


def dead_lettered(topic: str) -> None:
    if _f is not None:
        _f.dead_lettered.labels(topic).inc()


def published(seconds: float, *, failed_messages: int) -> None:
    """One intake batch's publish: how long after its commit the broker confirmed it."""
    if _f is None:
        return
    _f.publish_lag.observe(seconds)
    if failed_messages:
        _f.publish_failures.inc(failed_messages)


def classified(seconds: float, results: Iterable[Mapping[str, object]]) -> None:
    if _f is None:
        return
    _f.classifier_seconds.observe(seconds)
    tally: Tally[tuple[str, str]] = Tally()
    for result in results:
        for head in _HEADS:
            tally[head, "unknown" if result.get(head, "unknown") == "unknown" else "known"] += 1
    for (head, outcome), count in tally.items():
        _f.classifier_readings.labels(head, outcome).inc(count)


def events(rows: Iterable[Mapping[str, Any]]) -> None:
    """Committed timeline events (router.tickets.events): offers, replies, SLA alarms."""
    if _f is None:
        return
    for row in rows:
        kind: str = row["type"]
        data: Mapping[str, Any] = row["data"]
        if kind in _OFFER_ENDS:
            _f.offers.labels(_OFFER_ENDS[kind]).inc()
        elif kind == "conversation.assigned" and data.get("offer_id") is not None:
            _f.offers.labels("accepted").inc()
        elif kind in _REPLY_ENDS:
            _f.replies.labels(str(data.get("channel")), _REPLY_ENDS[kind]).inc()
        elif kind.startswith("sla."):
            _f.sla_events.labels(kind[4:], str(data.get("target"))).inc()


def http_request(method: str, route: str, status: int, seconds: float) -> None:
    if _f is not None:
        _f.http_requests.labels(method, route, str(status)).inc()
        _f.http_seconds.labels(method, route).observe(seconds)
