"""Logging set-up for the CLI processes: one line per record, level from settings."""

from __future__ import annotations

import logging


def configure(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s [%(process)d] %(message)s",
    )
    # The AMQP client logs every reconnect attempt at INFO with tracebacks; keep it terse.
    logging.getLogger("aiormq").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("aio_pika").setLevel(max(logging.WARNING, logging.getLevelName(level)))
