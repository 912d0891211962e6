"""Process wiring shared by ``serve`` and ``worker``: database, broker, workers, sweeper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from router.broker import Broker, open_broker
from router.pipeline import workers as _workers  # noqa: F401 - registers the workers
from router.pipeline.base import REGISTRY, Worker
from router.pipeline.sweeper import run_escalation, run_sweeper
from router.ratelimit import RateLimiter
from router.services.auth import Authenticator
from router.services.intake import IntakeWriter
from router.services.outbox import republish_all_unprocessed
from router.settings import Settings
from router.store import Database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    broker: Broker
    intake: IntakeWriter
    auth: Authenticator
    key_limiter: RateLimiter
    public_limiter: RateLimiter
    workers: list[Worker] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        db = Database(settings.database_url, pool_size=settings.db_pool_size)
        broker = open_broker(
            settings.broker_url,
            prefix=settings.queue_prefix,
            delivery_limit=settings.delivery_limit,
        )
        key_rate = settings.api_key_requests_per_second
        public_rate = settings.public_requests_per_minute
        return cls(
            settings=settings,
            db=db,
            broker=broker,
            intake=IntakeWriter(db, broker),
            auth=Authenticator(db, settings),
            key_limiter=RateLimiter(rate=key_rate, burst=2 * key_rate),
            public_limiter=RateLimiter(rate=public_rate / 60, burst=public_rate),
        )

    async def start(self, *, run_workers: bool) -> None:
        await self.db.ping()
        await self.auth.start()
        await self.broker.connect()
        self.intake.start()
        if run_workers:
            for worker_class in REGISTRY.values():
                worker = worker_class(self.db, self.broker, self.settings)
                await worker.start()
                self.workers.append(worker)
            if self.settings.broker_scheme == "memory":
                # The in-process queue died with the previous process: refill it.
                await republish_all_unprocessed(self.db, self.broker)
            self.tasks.append(asyncio.create_task(run_sweeper(self.db, self.broker, self.settings)))
            self.tasks.append(asyncio.create_task(run_escalation(self.db, self.settings)))

    async def stop(self) -> None:
        """Stop working first (unsettled deliveries go back to the queue), then close."""
        for worker in self.workers:
            await worker.stop()
        await self.intake.stop()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.broker.close()
        await self.db.dispose()
