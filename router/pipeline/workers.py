"""The registered workers."""

from __future__ import annotations

import logging
from typing import Any

from router.broker import Delivery
from router.pipeline.base import Worker, register
from router.services.inbound import mark_failed, process_inbound
from router.services.intake import INBOUND_TOPIC

log = logging.getLogger(__name__)


@register
class InboundWorker(Worker):
    """Stored inbound message -> customer -> conversation -> routing."""

    topic = INBOUND_TOPIC

    async def handle(self, payload: dict[str, Any], delivery: Delivery) -> None:
        message_id = payload.get("message_id")
        if not isinstance(message_id, int):
            raise ValueError(f"inbound payload without an integer message_id: {payload!r}")
        outcome = await process_inbound(self.db, message_id)
        if outcome.processed:
            log.debug(
                "message %s: %d processed, assigned to %s (attempt %d)",
                message_id,
                outcome.processed,
                outcome.assigned_to,
                delivery.attempts,
            )

    async def on_give_up(self, payload: dict[str, Any], error: BaseException) -> None:
        message_id = payload.get("message_id")
        if isinstance(message_id, int):
            await mark_failed(self.db, message_id, f"{type(error).__name__}: {error}")
