"""The registered workers."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from router.intake.outbox import INBOUND_TOPIC
from router.pipeline.base import Worker, register
from router.pipeline.inbound import mark_failed, process_inbound
from router.replies import delivery

log = logging.getLogger(__name__)


def _message_id(payload: dict[str, Any]) -> int:
    message_id = payload.get("message_id")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise ValueError(f"inbound payload without an integer message_id: {payload!r}")
    return message_id


@register
class InboundWorker(Worker):
    """Stored inbound messages -> customer -> conversation -> routing."""

    topic = INBOUND_TOPIC

    async def handle_batch(self, payloads: list[dict[str, Any]]) -> None:
        ids = [_message_id(payload) for payload in payloads]
        outcome = await process_inbound(
            self.db,
            ids,
            self.classifier,
            reopen_window=timedelta(hours=self.settings.reopen_window_hours),
        )
        log.debug(
            "batch of %d: %d processed, %d assigned", len(ids), outcome.processed, outcome.assigned
        )

    async def on_give_up(self, payload: dict[str, Any], error: BaseException) -> None:
        message_id = payload.get("message_id")
        if isinstance(message_id, int):
            await mark_failed(self.db, message_id, f"{type(error).__name__}: {error}")


@register
class OutboundWorker(Worker):
    """Stored replies -> the channel adapter -> the provider (retries are rescheduled)."""

    topic = delivery.OUTBOUND_TOPIC
    max_batch = 50
    # Batches in flight at once: a slow provider does not hold up the other channels. Order
    # within a conversation does not depend on it (a reply is claimed only when the ones
    # before it are done).
    batch_loops = 4

    async def handle_batch(self, payloads: list[dict[str, Any]]) -> None:
        if self.channels is None:
            raise RuntimeError("the outbound worker needs the channel adapters")
        ids = [_message_id(payload) for payload in payloads]
        sent = await delivery.deliver(self.db, self.channels, self.settings, ids)
        log.debug("outbound batch of %d: %d sent", len(ids), sent)

    async def on_give_up(self, payload: dict[str, Any], error: BaseException) -> None:
        message_id = payload.get("message_id")
        if isinstance(message_id, int):
            log.warning("reply %d dead-lettered (%s): back to the scheduler", message_id, error)
            await delivery.release(self.db, message_id)
