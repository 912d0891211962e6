"""Prometheus metrics: live values from real traffic, served on their own address only,
covering every metric the Grafana dashboard queries, and added up across processes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry
from sqlalchemy import func
from sqlmodel import col, select

from router.models import Advisor, Message
from router.models.conversations import MessageStatus
from router.observability import metrics
from router.settings import Settings
from router.store import Database
from tests import processes, services
from tests.conftest import admin_client, delete_rabbit_queues, empty_postgres, wait_for

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "aiguillage.json"
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}


def parse(text: str) -> dict[str, Metric]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def value(families: dict[str, Metric], name: str, **labels: str) -> float:
    """The sum of the samples ``name`` whose labels include ``labels``."""
    family = families.get(name.removesuffix("_total").removesuffix("_count"))
    samples = family.samples if family else []
    return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())


def exported_names(families: dict[str, Metric]) -> set[str]:
    """Every series name a query may use: samples, and the suffixed names of each declared
    family (a labelled counter with no value yet is declared, with no sample)."""
    names = {s.name for family in families.values() for s in family.samples}
    for family in families.values():
        names |= {family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",))}
    return names


async def scrape(address: str) -> dict[str, Metric]:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"http://{address}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    return parse(response.text)


async def _all_routed(db: Database, count: int) -> bool:
    async with db.read_session() as session:
        routed = await session.scalar(
            select(func.count()).where(col(Message.status) == MessageStatus.processed)
        )
    return routed == count


async def test_metrics_follow_real_traffic_and_cover_the_dashboard(demo: Settings) -> None:
    address = f"127.0.0.1:{processes.free_port()}"
    settings = demo.model_copy(update={"metrics_address": address})
    async with admin_client(settings) as client:
        before = await scrape(address)
        for i in range(5):
            response = await client.post(
                "/v1/messages",
                json={
                    "channel": "chat",
                    "external_id": f"m-{i}",
                    "sender": {"id": f"visitor-{i}"},
                    "text": "My order never arrived, where is it?",
                },
            )
            assert response.status_code in (200, 201, 202), response.text
        db = client.runtime.db  # type: ignore[attr-defined]
        await wait_for(lambda: _all_routed(db, 5), timeout=30)
        after = await scrape(address)
        async with db.read_session() as session:
            staff = await session.scalar(select(func.count()).select_from(Advisor))
        # The public port has no /metrics, not even for an admin.
        assert (await client.get("/metrics")).status_code == 404

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("aiguillage_messages_received_total", channel="chat") == 5
    assert moved("aiguillage_messages_routed_total", channel="chat") == 5
    assert moved("aiguillage_ingest_to_routed_seconds_count") == 5
    assert (
        sum(
            moved("aiguillage_routing_decisions_total", outcome=outcome)
            for outcome in ("assigned", "offered", "waiting")
        )
        == 5
    )
    assert moved("aiguillage_classifier_readings_total", head="intent") >= 5
    assert moved("aiguillage_broker_publish_lag_seconds_count") >= 1
    assert (
        moved(
            "aiguillage_http_requests_total",
            method="POST",
            route="/v1/messages",
            status=str(response.status_code),
        )
        == 5
    )
    assert not any("visitor" in str(s.labels) for f in after.values() for s in f.samples)
    # Read from the database: every staff member by team and status, the empty backlog.
    assert value(after, "aiguillage_advisors") == staff
    assert value(after, "aiguillage_inbound_backlog") == 0
    assert "aiguillage_queue_depth" in after and "aiguillage_outbox_backlog" in after

    queried = set(re.findall(r"aiguillage_[a-z_]+", DASHBOARD.read_text()))
    assert queried, "the dashboard queries no metric"
    assert queried <= exported_names(after), queried - exported_names(after)


def test_metrics_can_be_turned_off() -> None:
    metrics.configure(enabled=True)
    assert metrics.enabled()
    metrics.configure(enabled=False)
    try:
        assert not metrics.enabled()
        metrics.received(["chat"])  # a no-op, not an error
    finally:
        metrics.configure(enabled=True)


def test_the_cli_imports_prometheus_client_only_after_choosing_the_metrics_directory() -> None:
    """``prometheus_client`` picks in-memory or file values when first imported: the CLI
    module must not import it before ``serve``/``worker`` set the directory up."""
    code = "import sys, router.cli.main; print('prometheus_client' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def _own_files(directory: Path, pid: int, into: Path) -> float:
    """Messages routed by one process: its files alone, added up by the same collector."""
    into.mkdir()
    for path in directory.glob(f"*_{pid}.db"):
        shutil.copy(path, into / path.name)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(into))
    families = {f.name: f for f in registry.collect()}
    return value(families, "aiguillage_messages_routed_total")


async def test_two_processes_add_up_in_one_scrape(tmp_path: Path, pg_database: str) -> None:
    """The API (routing in-process too) and a worker process share a metrics directory
    (PostgreSQL + RabbitMQ): the API's /metrics adds up the counters of both."""
    services.require("rabbitmq")
    await empty_postgres(pg_database)
    prefix = "mp" + tmp_path.name[-8:].replace("_", "")
    directory = tmp_path / "metrics"
    address = f"127.0.0.1:{processes.free_port()}"
    port = processes.free_port()
    env = {
        "AIGUILLAGE_DATABASE_URL": pg_database,
        "AIGUILLAGE_PORT": str(port),
        "AIGUILLAGE_BROKER_URL": services.TEST_BROKER_URL,
        "AIGUILLAGE_QUEUE_PREFIX": prefix,
        "AIGUILLAGE_METRICS_DIR": str(directory),
        "AIGUILLAGE_METRICS_ADDRESS": address,
    }
    credentials = tmp_path / "logins.txt"
    processes.run_cli(["demo-data", "--credentials", str(credentials)], env)
    logs = [tmp_path / "api.log", tmp_path / "worker.log"]
    routers = [
        processes.cli(["serve", "--with-worker"], env, logs[0]),
        processes.cli(["worker"], env, logs[1]),
    ]
    db = Database(pg_database)
    base_url = f"http://127.0.0.1:{port}"
    try:
        with processes.stopping(*routers):
            processes.wait_ready(base_url, routers[0], logs[0])
            headers = processes.demo_admin_headers(base_url, credentials)

            async def consuming() -> bool:
                return all("consuming 'inbound'" in log.read_text() for log in logs)

            await wait_for(consuming, timeout=60)
            async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
                for i in range(50):  # one at a time: 50 deliveries, dealt to both consumers
                    response = await http.post(
                        "/v1/messages",
                        json={
                            "channel": "chat",
                            "external_id": f"mp-{i}",
                            "sender": {"id": f"mp-visitor-{i}"},
                            "text": "Hello, I need help with my invoice",
                        },
                    )
                    assert response.status_code in (200, 201, 202), response.text
            await wait_for(lambda: _all_routed(db, 50), timeout=60)
            merged = await scrape(address)
            own = [
                _own_files(directory, p.pid, tmp_path / f"only{i}") for i, p in enumerate(routers)
            ]
    finally:
        await db.dispose()
        await delete_rabbit_queues(prefix)
    assert value(merged, "aiguillage_messages_received_total") == 50
    assert value(merged, "aiguillage_messages_routed_total") == 50
    assert all(routed > 0 for routed in own), own
    assert sum(own) == 50
    assert value(merged, "aiguillage_advisors") > 0  # and the API's database gauges


async def test_a_worker_without_a_shared_directory_serves_its_own_metrics(
    tmp_path: Path, pg_database: str
) -> None:
    """As in docker-compose.yml (one container per process, no shared directory): a worker
    process listens on AIGUILLAGE_METRICS_ADDRESS itself, for Prometheus to scrape."""
    services.require("rabbitmq")
    await empty_postgres(pg_database)
    prefix = "mw" + tmp_path.name[-8:].replace("_", "")
    address = f"127.0.0.1:{processes.free_port()}"
    env = {
        "AIGUILLAGE_DATABASE_URL": pg_database,
        "AIGUILLAGE_BROKER_URL": services.TEST_BROKER_URL,
        "AIGUILLAGE_QUEUE_PREFIX": prefix,
        "AIGUILLAGE_METRICS_ADDRESS": address,
    }
    log = tmp_path / "worker.log"
    worker = processes.cli(["worker"], env, log)
    try:
        with processes.stopping(worker):

            async def consuming() -> bool:
                return "consuming 'inbound'" in log.read_text()

            await wait_for(consuming, timeout=60)
            families = await scrape(address)
    finally:
        await delete_rabbit_queues(prefix)
    assert "aiguillage_offers" in families, sorted(families)
    assert "aiguillage_queue_depth" not in families  # the database gauges are the API's
