"""Republishes stored messages whose broker publish was lost.

A message is only republished when the inbound queue is empty and the message has waited
longer than ``sweep_after_seconds``: then nothing in flight can still carry it. Handling is
idempotent, so a rare extra publish costs one no-op.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlmodel import col, select

from router.broker import Broker
from router.errors import BrokerError, StoreUnavailable
from router.models import Message
from router.models.conversations import MessageStatus
from router.services.intake import INBOUND_TOPIC, publish_inbound
from router.settings import Settings
from router.store import Database, is_transient_error
from router.store.types import utcnow

log = logging.getLogger(__name__)
_BATCH = 1000


async def sweep_once(db: Database, broker: Broker, older_than: timedelta) -> int:
    """Republish forgotten messages; returns how many."""
    if await broker.depth(INBOUND_TOPIC) > 0:
        return 0
    async with db.session() as session:
        ids = (
            await session.scalars(
                select(Message.id)
                .where(
                    col(Message.status) == MessageStatus.received,
                    col(Message.received_at) < utcnow() - older_than,
                )
                .order_by(col(Message.id))
                .limit(_BATCH)
            )
        ).all()
    published = 0
    for message_id in ids:
        assert message_id is not None
        published += await publish_inbound(broker, message_id)
    if published:
        log.warning("sweeper republished %d stored message(s) missing from the queue", published)
    return published


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
