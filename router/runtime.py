"""Process wiring shared by ``serve`` and ``worker``: database, broker, workers, sweeper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:  # imported when AIGUILLAGE_REDIS_URL is set: the client costs 18 MB
    from router.security.shared_limits import SharedBuckets

from channels.setup import Tools
from router.broker import Broker, open_broker
from router.intake import email as email_intake
from router.intake.accept import IntakeWriter
from router.intake.channel import IntakeSummary, OriginalPolicy
from router.intake.channel_set import ChannelSet
from router.intake.chat_hub import ChatHub
from router.intake.outbox import republish_all_unprocessed
from router.intake.smtp_listener import MailHandler, SmtpListener
from router.observability import exposition, metrics
from router.observability.exposition import MetricsServer
from router.pipeline import workers as _workers  # noqa: F401 - registers the workers
from router.pipeline.base import REGISTRY, Worker
from router.pipeline.classifier import ModelHolder
from router.pipeline.sweeper import (
    run_escalation,
    run_outbound_scheduler,
    run_sweeper,
    run_ticket_clock,
)
from router.replies import delivery
from router.security.auth import Authenticator
from router.security.ratelimit import Limiter, local_limiter
from router.settings import Settings
from router.simulation.jobs import SimulationJobs
from router.store import Database
from router.supervision.alerts import AlertDispatcher, alert_dispatcher
from router.supervision.gauges import DatabaseGauges
from router.supervision.live_feed import LiveHub

log = logging.getLogger(__name__)


def _shared_buckets(settings: Settings) -> SharedBuckets | None:
    """Rate limits shared through Redis when a URL is configured, else none."""
    if not settings.redis_url:
        return None
    from router.security.shared_limits import SharedBuckets

    return SharedBuckets(settings.redis_url, settings.queue_prefix)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    broker: Broker
    intake: IntakeWriter
    auth: Authenticator
    key_limiter: Limiter
    public_limiter: Limiter
    http: httpx.AsyncClient  # the channels' provider APIs (Graph, X)
    chat_hub: ChatHub
    live_hub: LiveHub  # the staff live channel (serve only)
    classifier: ModelHolder
    simulations: SimulationJobs  # POST /v1/simulations: one job at a time per process
    workers: list[Worker] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    smtp: SmtpListener | None = None
    alerts: AlertDispatcher | None = None  # worker processes, when the alert webhook is set
    shared_buckets: SharedBuckets | None = None  # AIGUILLAGE_REDIS_URL set: limits in Redis
    metrics_server: MetricsServer | None = None  # when AIGUILLAGE_METRICS_ADDRESS is set
    _channels: ChannelSet | None = None

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        metrics.configure(enabled=settings.metrics)
        db = Database(settings.database_url, pool_size=settings.db_pool_size)
        broker = open_broker(
            settings.broker_url,
            prefix=settings.queue_prefix,
            delivery_limit=settings.delivery_limit,
        )
        key_rate = settings.api_key_requests_per_second
        public_rate = settings.public_requests_per_minute
        shared = _shared_buckets(settings)
        limiter = shared.limiter if shared is not None else local_limiter
        return cls(
            settings=settings,
            db=db,
            broker=broker,
            intake=IntakeWriter(db, broker),
            auth=Authenticator(db, settings, limiter),
            key_limiter=limiter("key", key_rate, 2 * key_rate),
            public_limiter=limiter("public", public_rate / 60, public_rate),
            shared_buckets=shared,
            http=httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0)),
            chat_hub=ChatHub(db, settings.webchat_poll_seconds),
            live_hub=LiveHub(db, settings.live_poll_seconds),
            classifier=ModelHolder(db),
            simulations=SimulationJobs(db),
        )

    @property
    def channels(self) -> ChannelSet:
        """The adapters (built by ``start``: web chat tokens need the signing key)."""
        if self._channels is None:
            raise RuntimeError("the runtime is not started")
        return self._channels

    @property
    def original_policy(self) -> OriginalPolicy:
        return OriginalPolicy(keep_bytes=self.settings.email_keep_original_bytes)

    async def accept_email(self, raw: bytes, extra: dict[str, Any]) -> IntakeSummary:
        """Store one raw email (the SMTP listener's and the raw-email endpoint's use case)."""
        return await email_intake.accept_raw(
            self.db, self.intake, self.channels.email, self.original_policy, raw, extra
        )

    async def start(self, *, run_workers: bool) -> None:
        await self.db.ping()
        await self.auth.start()
        await self.simulations.recover()  # jobs of a process that died are failed
        await self.classifier.start()  # trains the first model if the database has none
        tools = Tools(self.http, self.chat_hub.deliver, self.auth.signing_key)
        self._channels = ChannelSet.build(self.settings, tools)
        await self.broker.connect()
        self.intake.start()
        self.chat_hub.start()
        self.live_hub.start()
        if run_workers:
            for worker_class in REGISTRY.values():
                worker = worker_class(
                    self.db, self.broker, self.settings, self.channels, self.classifier
                )
                await worker.start()
                self.workers.append(worker)
            if self.settings.broker_scheme == "memory":
                # The in-process queue died with the previous process: refill it.
                await republish_all_unprocessed(self.db, self.broker)
                await delivery.requeue_after_restart(self.db)
            self.tasks.append(asyncio.create_task(run_sweeper(self.db, self.broker, self.settings)))
            self.tasks.append(asyncio.create_task(run_escalation(self.db, self.settings)))
            self.tasks.append(asyncio.create_task(run_ticket_clock(self.db, self.settings)))
            self.tasks.append(
                asyncio.create_task(run_outbound_scheduler(self.db, self.broker, self.settings))
            )
            self.alerts = alert_dispatcher(self.db, self.settings)
            if self.alerts is not None:
                self.alerts.start()

    async def check_shared_limits(self) -> None:
        """``serve`` only (a worker limits nothing; its Redis client never connects): an
        unreachable Redis is said at start-up, and the limits are per process meanwhile."""
        if self.shared_buckets is not None:
            await self.shared_buckets.check()

    async def start_smtp(self) -> None:
        """The SMTP listener (``serve`` only; ``AIGUILLAGE_SMTP_LISTEN_PORT=0`` disables it)."""
        if self.settings.smtp_listen_port == 0:
            return
        self.smtp = SmtpListener(
            MailHandler(self.accept_email, self.settings.smtp_accept_domains),
            host=self.settings.smtp_listen_host,
            port=self.settings.smtp_listen_port,
            max_message_bytes=self.settings.email_max_message_bytes,
        )
        await self.smtp.start()

    def start_metrics(self, *, with_gauges: bool) -> None:
        """Serve /metrics on ``AIGUILLAGE_METRICS_ADDRESS``: the API with the database gauges;
        a worker only when it has no metrics directory (the API's scrape then adds its files
        up with the others)."""
        address = self.settings.metrics_host_port
        directory = self.settings.metrics_dir
        if address is None or not self.settings.metrics or (directory and not with_gauges):
            return
        extra = [DatabaseGauges(self.db, asyncio.get_running_loop())] if with_gauges else []
        self.metrics_server = MetricsServer(*address, exposition.registry(directory, extra))
        self.metrics_server.start()
        log.info("metrics served on http://%s:%d/metrics", *address)

    async def stop(self) -> None:
        """Stop working first (unsettled deliveries go back to the queue), then close."""
        if self.metrics_server is not None:
            await asyncio.to_thread(self.metrics_server.stop)
        if self.smtp is not None:
            await self.smtp.stop()
        for worker in self.workers:
            await worker.stop()
        if self.alerts is not None:
            await self.alerts.stop()
        await self.chat_hub.stop()
        await self.live_hub.stop()
        await self.simulations.stop()
        await self.intake.stop()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.broker.close()
        await self.http.aclose()
        if self.shared_buckets is not None:
            await self.shared_buckets.close()
        await self.db.dispose()
