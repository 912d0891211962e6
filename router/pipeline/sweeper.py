"""Periodic jobs of a worker process: the outbox sweep (router.intake.outbox), the
waiting room's escalation round (router.routing.escalation), the outbound scheduler
(router.replies.delivery) and the ticket clock (router.tickets.sla, .lifecycle, and web
chats their visitor left, router.intake.chat_presence)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from router.broker import Broker
from router.errors import BrokerError, StoreUnavailable
from router.intake import chat_presence
from router.intake.outbox import sweep_once
from router.replies import delivery
from router.routing.escalation import waiting_room_round
from router.settings import Settings
from router.store import Database, is_transient_error
from router.tickets import lifecycle, sla

log = logging.getLogger(__name__)


async def run_sweeper(db: Database, broker: Broker, settings: Settings) -> None:
    older_than = timedelta(seconds=settings.sweep_after_seconds)
    await _every(
        settings.sweep_interval_seconds, "sweeper", lambda: sweep_once(db, broker, older_than)
    )


async def run_escalation(db: Database, settings: Settings) -> None:
    await _every(settings.escalation_interval_seconds, "escalation", lambda: waiting_room_round(db))


async def run_outbound_scheduler(db: Database, broker: Broker, settings: Settings) -> None:
    """Replies due for a (re)try, or whose publish was lost, go to the outbound worker."""
    await _every(
        settings.outbound_scan_seconds,
        "outbound scheduler",
        lambda: delivery.schedule(db, broker, settings),
    )


async def run_ticket_clock(db: Database, settings: Settings) -> None:
    """SLA warnings and breaches; pending and resolved conversations whose time is up; web
    chats abandoned by their visitor."""

    async def tick() -> None:
        await sla.check_due(db, settings)
        await lifecycle.expire(db, settings)
        await chat_presence.abandon_departed(db, settings)

    await _every(settings.ticket_clock_seconds, "ticket clock", tick)


async def _every(seconds: float, name: str, job: Callable[[], Awaitable[object]]) -> None:
    """Run ``job`` forever; an unavailable dependency skips a round, a bug stops the loop."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except (BrokerError, StoreUnavailable) as error:
            log.warning("%s skipped a round: %s", name, error)
        except Exception as error:
            if not is_transient_error(error):
                log.exception("%s failed; it will run again in %.0f s", name, seconds)
                continue
            log.warning("%s skipped a round: %s", name, type(error).__name__)
