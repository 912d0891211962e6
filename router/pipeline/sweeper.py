"""The periodic sweep of the outbox (see router.services.outbox)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from router.broker import Broker
from router.errors import BrokerError, StoreUnavailable
from router.services.outbox import sweep_once
from router.settings import Settings
from router.store import Database, is_transient_error

log = logging.getLogger(__name__)


async def run_sweeper(db: Database, broker: Broker, settings: Settings) -> None:
    older_than = timedelta(seconds=settings.sweep_after_seconds)
    while True:
        await asyncio.sleep(settings.sweep_interval_seconds)
        try:
            await sweep_once(db, broker, older_than)
        except (BrokerError, StoreUnavailable) as error:
            log.warning("sweeper skipped a round: %s", error)
        except Exception as error:
            if not is_transient_error(error):
                raise
            log.warning("sweeper skipped a round: %s", type(error).__name__)
