"""Matching rows on a pair of columns, e.g. a sender's (channel, address), with an index.

``(a, b) IN (VALUES ...)`` is the natural way to write it, but SQLite does not use an
index for a row-value ``IN``: with 100,000 channel identities each such query scanned the
table (20-27 ms). Grouped by the first column, ``(a = x AND b IN (...)) OR ...`` is a
search of the ``(a, b)`` index on SQLite and PostgreSQL alike, and there are few distinct
first values (channels).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement


def pairs_in(first: Any, second: Any, pairs: Iterable[tuple[Any, Any]]) -> ColumnElement[bool]:
    """``(first, second)`` is one of ``pairs`` (false for none); ``first`` and ``second`` are
    columns or mapped attributes."""
    by_first: dict[Any, set[Any]] = {}
    for a, b in pairs:
        by_first.setdefault(a, set()).add(b)
    if not by_first:
        return false()
    return or_(*(and_(first == a, second.in_(sorted(bs))) for a, bs in sorted(by_first.items())))
