"""The registered workers."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, TypeGuard

from router.intake.outbox import INBOUND_TOPIC, inbound_body
from router.pipeline.base import Worker, register
from router.pipeline.inbound import mark_failed, process_inbound
from router.replies import delivery

log = logging.getLogger(__name__)

CHUNK = 500  # inbound messages per routing transaction


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _message_id(payload: dict[str, Any]) -> int:
    message_id = payload.get("message_id")
    if not _is_id(message_id):
        raise ValueError(f"payload without an integer message_id: {payload!r}")
    return message_id


def _message_ids(payload: dict[str, Any]) -> list[int]:
    """A single message (``message_id``) or a group stored together (``message_ids``)."""
    group = payload.get("message_ids")
    if group is None:
        return [_message_id(payload)]
    if not isinstance(group, list) or not group or not all(_is_id(i) for i in group):
        raise ValueError(f"inbound payload with a malformed message_ids list: {payload!r}")
    return group


@register
class InboundWorker(Worker):
    """Stored inbound messages -> customer -> conversation -> routing."""

    topic = INBOUND_TOPIC

    async def handle_batch(self, payloads: list[dict[str, Any]]) -> None:
        ids = [i for payload in payloads for i in _message_ids(payload)]
        # Groups make deliveries large: one transaction handles at most CHUNK messages.
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            outcome = await process_inbound(
                self.db,
                chunk,
                self.classifier,
                reopen_window=timedelta(hours=self.settings.reopen_window_hours),
            )
            log.debug(
                "batch of %d: %d processed, %d assigned",
                len(chunk),
                outcome.processed,
                outcome.assigned,
            )

    async def split(self, payload: dict[str, Any]) -> bool:
        """A failing group goes back as single messages, so that only the poison one burns
        its attempts and is dead-lettered."""
        group = payload.get("message_ids")
        if not isinstance(group, list) or len(group) < 2:
            return False
        for message_id in group:
            await self.broker.publish(self.topic, inbound_body(message_id))
        log.warning("a group of %d inbound messages failed: split into single ones", len(group))
        return True

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
