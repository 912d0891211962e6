"""Logging set-up for the CLI processes: one line per record, level from settings.

Log lines are written with ids, never personal data or secrets; ``Redact`` is the safety net
for what slips through (an exception message quoting an e-mail address, a token in a URL).
"""

from __future__ import annotations

import logging
import re

_SECRETS = re.compile(
    r"(?P<bearer>Bearer\s+)[A-Za-z0-9._~+/=-]+"
    r"|agk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]+"
    r"|(?P<key>(?:password|secret|token|verify_token)=)[^&\s]+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    r"|\+?\d[\d .()-]{8,}\d",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        return (match.group("bearer") or match.group("key") or "") + "[redacted]"

    return _SECRETS.sub(mask, text)


class Redact(logging.Filter):
    """Masks e-mail addresses, phone numbers, tokens and API keys in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def configure(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s [%(process)d] %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(Redact())
    # The AMQP client logs every reconnect attempt at INFO with tracebacks; keep it terse.
    logging.getLogger("aiormq").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("aio_pika").setLevel(max(logging.WARNING, logging.getLevelName(level)))
