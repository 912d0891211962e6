"""Planner hints that only one dialect needs.

SQLite has no statistics unless ``ANALYZE`` ran, and then guesses that ``status IN (...)``
is selective: with 100,000 conversations waiting it chose the status index for "the open
conversations of these 100 customers" and read all 100,000 (30-135 ms) instead of 100
lookups by customer (1 ms). ``unindexed(column)`` renders ``+column`` on SQLite, SQLite's
documented way to keep a term from choosing the index; other dialects get the column as is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String


class unindexed(FunctionElement[str]):  # noqa: N801 (reads as a SQL function)
    """A string column that the SQLite planner must not pick an index for."""

    type = String()
    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)


@compiles(unindexed)
def _plain(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(_only(element), **kw)


@compiles(unindexed, "sqlite")
def _sqlite(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(_only(element), **kw)


def _only(element: unindexed) -> ColumnElement[Any]:
    (column,) = element.clauses.clauses
    return column
