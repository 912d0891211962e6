"""Logging set-up for the CLI processes: one line per record, as text or JSON, with context.

Log lines are written with ids, never personal data or secrets; ``Redact`` is the safety net
for what slips through (an exception message quoting an e-mail address, a token in a URL).

Context: ``bound(request_id=..., conversation_id=...)`` puts ids on every line logged inside
it (a contextvar, so it follows the request's or the job's task and nothing else);
``extra={"conversation_id": 12}`` on one call does the same for one line. Both formats show
them: text appends ``key=value`` pairs, JSON lines carry them as fields next to
``timestamp`` (ISO 8601, UTC), ``level``, ``logger`` and ``message``.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any, Literal, TextIO

import orjson

LogFormat = Literal["auto", "text", "json"]

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


# -- context ------------------------------------------------------------------------------

_EMPTY: Mapping[str, object] = MappingProxyType({})
_context: ContextVar[Mapping[str, object]] = ContextVar("aiguillage_log_context", default=_EMPTY)


def context() -> Mapping[str, object]:
    """The ids bound to the current task (``request_id``, ``conversation_id``...)."""
    return _context.get()


@contextmanager
def bound(**fields: object) -> Iterator[None]:
    """Every line logged inside carries ``fields`` (added to those already bound)."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: object) -> None:
    """Add ``fields`` until the enclosing ``bound`` block ends (a request: its middleware)."""
    _context.set({**_context.get(), **fields})


class Context(logging.Filter):
    """Copies the bound ids onto each record (a field given by ``extra`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            if name not in record.__dict__:
                setattr(record, name, value)
        return True


# -- formats ------------------------------------------------------------------------------

# What every LogRecord has; anything else on a record came from ``extra`` or the context.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}  # uvicorn's coloured copy


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The context fields of one record, in the order they were added."""
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


def iso_utc(created: float) -> str:
    """``2026-12-01T09:30:00.123Z``."""
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"


class TextFormatter(logging.Formatter):
    """The human format: ``time LEVEL logger [pid] message key=value ...``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(process)d] %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        line = super().formatMessage(record)
        extra = fields(record)
        if not extra:
            return line
        return line + " " + " ".join(f"{k}={v}" for k, v in extra.items())


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors (Loki, Elasticsearch, CloudWatch)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "timestamp": iso_utc(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
            **fields(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(data, default=str).decode()


def formatter(log_format: LogFormat, stream: TextIO) -> logging.Formatter:
    """``auto``: text on a terminal, JSON otherwise (a container, a service manager, a file)."""
    if log_format == "auto":
        log_format = "text" if stream.isatty() else "json"
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(level: str, log_format: LogFormat = "auto") -> None:
    """Root logging for a CLI process: one stderr handler (unless one is already set, as
    under pytest), the context and redaction filters on every root handler."""
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(formatter(log_format, sys.stderr))
        root.addHandler(stderr)
    root.setLevel(level)
    for handler in root.handlers:
        kinds = {type(f) for f in handler.filters}
        for kind in (Context, Redact):
            if kind not in kinds:
                handler.addFilter(kind())
    # The AMQP client logs every reconnect attempt at INFO with tracebacks; keep it terse.
    logging.getLogger("aiormq").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("aio_pika").setLevel(max(logging.WARNING, logging.getLevelName(level)))
