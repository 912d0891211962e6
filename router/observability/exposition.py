"""Serving ``/metrics`` on its own address (``AIGUILLAGE_METRICS_ADDRESS``), without
authentication: bind it to loopback or a private interface that only Prometheus reaches.

A process with a metrics directory serves the sum of every process's files there
(``MultiProcessCollector``); without one, its own values. Extra collectors (the API's
database gauges) are added to what this process serves.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector


class _ThisProcess(Collector):
    """The process-wide default registry (metric families, process and GC collectors)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def registry(directory: Path | None, extra: Sequence[Collector] = ()) -> CollectorRegistry:
    """What a scrape reads: every process of ``directory``, or this one; plus ``extra``."""
    served = CollectorRegistry()
    if directory is not None:
        MultiProcessCollector(served, path=str(directory))  # type: ignore[no-untyped-call]
    else:
        served.register(_ThisProcess())
    for collector in extra:
        served.register(collector)
    return served


class MetricsServer:
    """prometheus_client's HTTP server (a thread) on ``host:port``, stopped with the process."""

    def __init__(self, host: str, port: int, served: CollectorRegistry) -> None:
        self.host = host
        self.port = port
        self.registry = served
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._server, self._thread = start_http_server(self.port, self.host, self.registry)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
