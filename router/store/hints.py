"""Planner hints that only one dialect needs.

SQLite has no statistics unless ``ANALYZE`` ran, and then guesses that ``status IN (...)``
is selective: with 100,000 conversations waiting it chose the status index for "the open
conversations of these 100 customers" and read all 100,000 (30-135 ms) instead of 100
lookups by customer (1 ms). ``unindexed(column)`` renders ``+column`` on SQLite, SQLite's
documented way to keep a term from choosing the index; other dialects get the column as is.
``indexed_by(table, index)`` is the converse: ``INDEXED BY`` on SQLite, where a partial
index loses to a full one it should beat (see ``IndexedBy``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Alias
from sqlalchemy.sql.visitors import InternalTraversal
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


class IndexedBy(Alias):
    """A table read through one named index on SQLite (``INDEXED BY``), as itself elsewhere.

    SQLite without statistics ranks an equality plus a range on a full index above a range
    on a partial index: for "intense conversations waiting since before T" it picked
    ``ix_conversation_waiting`` (status, waiting_since) and read every waiting conversation
    older than T, intense or not, instead of the few in ``ix_conversation_intense_waiting``.
    PostgreSQL picks the partial index itself. SQLite refuses the statement ("no query
    solution") if the query's WHERE stops implying the index's: a drift shows at once."""

    inherit_cache = True
    _traverse_internals = [*Alias._traverse_internals, ("index", InternalTraversal.dp_string)]
    index: str


def indexed_by(table: Table, index: str) -> IndexedBy:
    """``table`` (under its own name, so its columns read as usual) through ``index``."""
    alias = IndexedBy._construct(table, name=table.name)
    alias.index = index
    return alias


@compiles(IndexedBy)
def _as_table(element: IndexedBy, compiler: SQLCompiler, **kw: Any) -> str:
    return _alias(element, compiler, **kw)


@compiles(IndexedBy, "sqlite")
def _with_index(element: IndexedBy, compiler: SQLCompiler, **kw: Any) -> str:
    rendered = _alias(element, compiler, **kw)
    return f"{rendered} INDEXED BY {element.index}" if kw.get("asfrom") else rendered


def _alias(element: IndexedBy, compiler: SQLCompiler, **kw: Any) -> str:
    rendered: str = compiler.visit_alias(element, **kw)  # type: ignore[no-untyped-call]
    return rendered
