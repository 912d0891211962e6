"""Small text and value helpers shared by the adapters.

Everything an adapter returns must be storable as is: PostgreSQL refuses NUL characters and
lone surrogates, and the router's ``external_id`` column holds at most 200 characters.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

import orjson

from channels.errors import MalformedPayload

MAX_ID_LENGTH = 200
_SURROGATES = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\f\v\xa0\u200b]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def storable(value: str) -> str:
    """Drop NUL characters, replace lone surrogates with U+FFFD, unify line ends."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = _SURROGATES.sub("\ufffd", value)
    return value


def optional(value: str | None) -> str | None:
    """``storable`` for optional one-line values; blank becomes None."""
    if value is None:
        return None
    cleaned = " ".join(storable(value).split())
    return cleaned or None


def tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line in a row, no blank ends."""
    lines = [_SPACES.sub(" ", line).rstrip() for line in storable(text).split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


def stable_id(value: str) -> str:
    """A provider id that fits the router's column: itself, or its sha256 when too long."""
    value = storable(value).strip()
    if len(value) <= MAX_ID_LENGTH:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def digest_id(*parts: str) -> str:
    """A stable id for provider events that carry none (same payload, same id)."""
    joined = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return "sha256:" + hashlib.sha256(joined).hexdigest()


def from_epoch(value: Any, *, millis: bool) -> datetime | None:
    """A provider timestamp (seconds or milliseconds, number or string) as aware UTC."""
    try:
        number = float(value)
        return datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def iso_moment(value: Any) -> Any:
    """A before-validator for date-time inputs: ISO-8601 text (or a datetime from our own
    code), never a number or numeric text, which pydantic would read as Unix seconds."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_MOMENT.match(value):
        raise ValueError("must be an ISO-8601 date and time, e.g. 2026-01-31T09:30:00Z")
    return value


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (naive read as UTC). ValueError, not OverflowError, when UTC leaves
    datetime's range: 0001-01-01T00:00:00+14:00 is in year 0 once in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None


def json_safe(value: Any, depth: int = 0) -> Any:
    """A copy of a parsed JSON value with every string storable, bounded in depth."""
    if depth > 32:
        return None
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(str(k)): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_object(body: bytes, what: str) -> dict[str, Any]:
    """Parse a webhook body that must be a JSON object, or raise ``MalformedPayload``.

    orjson first (fast, strict); the standard library as a lenient second try, because a
    provider payload with an escaped lone surrogate is still worth reading (``json_safe``
    then replaces it).
    """
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise MalformedPayload(f"{what} body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise MalformedPayload(f"{what} body must be a JSON object")
    return value


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else {}: payload fields are never trusted."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """A non-empty id or text as storable str (numbers accepted: some ids arrive as ints)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        text = storable(str(value))
        return text if text.strip() else None
    return None
