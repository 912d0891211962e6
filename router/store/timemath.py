"""Time arithmetic in SQL, the same figures on SQLite and PostgreSQL.

Reports aggregate durations and interval buckets in the database. PostgreSQL subtracts
timestamps and extracts epoch seconds; SQLite stores ``UTCDateTime`` as naive text, which
``julianday`` reads (days as a double: about 50 µs of precision today, enough for reports).
``floor_of`` exists because SQLite has no ``floor`` unless built with its math functions,
and PostgreSQL's ``CAST(x AS INTEGER)`` rounds instead of truncating.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from router.store.types import UTCDateTime


class seconds_between(FunctionElement[float]):  # noqa: N801 (reads as a SQL function)
    """``end - start`` in seconds (a float; NULL when either is NULL)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


class floor_of(FunctionElement[int]):  # noqa: N801
    """The integer part of a number that is never negative."""

    type = Integer()
    inherit_cache = True
    name = "floor_of"


def moment(value: datetime) -> Any:
    """A UTC instant as a bound SQL value of the column type (naive text on SQLite)."""
    return literal(value, UTCDateTime)


def _args(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses.clauses]


@compiles(seconds_between)
def _pg_seconds(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _args(element, compiler, **kw)
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION)"


@compiles(seconds_between, "sqlite")
def _sqlite_seconds(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _args(element, compiler, **kw)
    # julianday() is a fraction of a day: 15 minutes come back as 899.9999999 s, which
    # floors into the previous interval. Stored times are to the millisecond: round to it.
    return f"ROUND((julianday({end}) - julianday({start})) * 86400.0, 3)"


@compiles(floor_of)
def _pg_floor(element: floor_of, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"CAST(FLOOR({value}) AS INTEGER)"


@compiles(floor_of, "sqlite")
def _sqlite_floor(element: floor_of, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"CAST({value} AS INTEGER)"
