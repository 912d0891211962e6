"""Full-text search structures and queries, which differ by dialect: the one place for them.

SQLite: an FTS5 table ``search_index`` (porter stemming, accents folded) kept in step with
``message`` and ``note`` by triggers; rowid = message id, or minus the note id.
PostgreSQL: a generated ``search_vector`` column (English and French configurations at
once) with a GIN index on ``message`` and ``note``. Both are created by migration 0007.

Queries are built from parsed terms (router.search.terms), never from the user's
raw text: FTS5 gets quoted phrases joined by AND / NOT, PostgreSQL a ``websearch_to_tsquery``
string of quoted phrases and ``-`` exclusions, parsed with both configurations and OR-ed.

Expected plans (1,000,000 messages). SQLite: the FTS5 table drives the join (MATCH with a
rowid range for the kind), walking the matches newest first (``ORDER BY rowid DESC`` is
consumed by FTS5, no sort) and looking each one up by primary key in ``message`` /
``conversation`` until LIMIT is reached. PostgreSQL: its planner misjudges how common a word
is (on 1,000,000 messages it guessed 683 rows for ``refund``, found 26,681 times), then
reads every match through the GIN index and sorts them (22,000 heap pages, 240 ms). So
``fit`` decides, independently of statistics: it counts the matches among the newest
``PROBE_ROWS`` rows (a backward walk of the primary key, ~5 ms). Common words (at least
``DENSE_IN_PROBE`` there, 1%) are then read from a subquery of the newest ``WALK_ROWS`` rows
in id order (``Finder.source``; ``@@`` cannot be pushed below its LIMIT, so no GIN index):
the walk stops as soon as the window is full (``refund``: 38,000 rows, ~25 ms). Should it
come back short (filters, visibility), the search runs again the other way: the GIN bitmap
of the matches, ordered by ``id + 0`` (no index gives that order, so the planner cannot
start a walk of its own) and sorted; the same for rarer words, and when a conversation or
customer filter narrows the search through its own index. Relevance ranks only the newest
window (``RANK_WINDOW`` rows), so its cost is bounded however common the words; excerpts are
built for the returned page only, in a second query. JIT is off for these statements
(``prepare``).

Accents: SQLite folds them (``echeance`` finds ``échéance``). PostgreSQL does not: it has no
``unaccent`` here (it would need an extension, an immutable wrapper for the generated
column and a custom configuration), so there the accents typed must be the text's; stems
still match (``remboursement`` finds ``remboursements``, ``refunds`` finds ``refund``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    func,
    literal_column,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import (
    Label,
    Subquery,
    TableClause,
    UnaryExpression,
    column,
    table,
)
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import col

from router.models import Message, Note
from router.search.terms import START, STOP, Phrase, Terms

Kind = Literal["message", "note"]

#: Schema objects alembic must not compare with the models (they are not in them).
SEARCH_OBJECTS = frozenset({"search_index", "search_vector", "ix_message_search", "ix_note_search"})
#: Relevance ranks at most this many matches, the newest ones.
RANK_WINDOW = 1000
#: PostgreSQL: ``fit`` measures how common the words are among this many newest rows...
PROBE_ROWS = 10_000
#: ... and walks the newest rows backwards when at least this many of them match (1%)...
DENSE_IN_PROBE = 100
#: ... reading at most this many (twice the ~100,000 a 1% word needs for RANK_WINDOW).
WALK_ROWS = 200_000
SNIPPET_TOKENS = 20
#: ts_headline reads its whole input: only the start of a long message is excerpted.
HEADLINE_CHARS = 20_000
_FRAGMENTS = (
    f"StartSel={START}, StopSel={STOP}, "
    'MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "'
)
_EVERY_MATCH = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
# ts_headline drops what its parser reads as HTML tags: angle brackets travel disguised.
_ANGLES = {"<": "\ue002", ">": "\ue003"}
_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")
_FRENCH: ColumnElement[Any] = literal_column("'french'::regconfig")


def outside_models(name: str | None, _type: str, _parent: Any) -> bool:
    """alembic ``include_name`` hook: False for the search structures (and FTS5's tables)."""
    if name is None:
        return True
    return name not in SEARCH_OBJECTS and not name.startswith("search_index_")


@dataclass(frozen=True)
class Finder:
    """How one kind of text is matched in one dialect: what to join, the condition, the
    newest-first order with its keyset condition, and the relevance score (higher is better)
    of a window of matches: ``carried`` is selected in the window, ``score`` reads it."""

    join: TableClause | None
    on: ColumnElement[bool] | None
    match: ColumnElement[bool]
    newest_first: UnaryExpression[Any]
    last_id_key: Any  # a column, or FTS5's rowid
    below_negated: bool
    carried: Label[Any]
    query: ColumnElement[Any] | None = None
    model: Any = None  # PostgreSQL: the table matched (FTS5 walks its matches in order)
    walk: int | None = None  # PostgreSQL: read only this many newest rows, newest first

    def source(self, statement: Any) -> Any:
        """``statement`` reading the model's table, or (``walk``) only its newest rows: a
        subquery under the table's own name, so the rest of the statement is unchanged;
        PostgreSQL cannot push ``@@`` below its LIMIT, hence cannot pick the GIN index."""
        if self.walk is None:
            return statement
        table = self.model.__table__
        vector: Label[Any] = literal_column(f"{table.name}.search_vector").label("search_vector")
        newest = select(table, vector).order_by(table.c.id.desc()).limit(self.walk)
        return ClauseAdapter(newest.subquery(table.name)).traverse(statement)

    def score(self, window: Subquery) -> ColumnElement[float]:
        """Scored outside the window, so that only the window's rows are ranked (PostgreSQL
        would otherwise rank every match on its way to the sort)."""
        if self.query is None:
            return window.c.score  # FTS5 computes bm25 as rows leave the index
        return func.ts_rank(window.c.vector, self.query)

    def below(self, last_id: int) -> ColumnElement[bool]:
        """Rows after ``last_id`` in newest-first order."""
        key: ColumnElement[int] = self.last_id_key
        if self.below_negated:  # FTS5 notes: rowid = -id
            return key > -last_id
        return key < last_id


def finder(dialect: str, kind: Kind, terms: Terms) -> Finder:
    return _fts5(kind, terms) if dialect == "sqlite" else _postgres(kind, terms)


async def prepare(session: AsyncSession, dialect: str) -> None:
    """PostgreSQL: plan this transaction's statements for their words, every time, without JIT.

    The driver prepares statements and PostgreSQL switches a prepared statement to a generic
    plan after five runs; a generic plan cannot know how common the words are (measured on
    1,000,000 messages: ``the`` went from 27 ms to 200 ms from the sixth search on).
    JIT compiles any plan the planner costs high (a walk through 1,000,000 rows does) and
    costs 20 to 40 ms each time, for queries that run in a few ms.
    ``SET LOCAL`` ends with the transaction, so pooled connections are left as they were.
    """
    if dialect != "sqlite":
        await session.execute(sql_text("SET LOCAL plan_cache_mode = force_custom_plan"))
        await session.execute(sql_text("SET LOCAL jit = off"))


async def fit(session: AsyncSession, found: Finder, narrow: bool = False) -> Finder:
    """The plan for these words' frequency among the newest rows (see the module's plans);
    ``narrow``: a filter with its own index (conversation, customer) will do better."""
    if found.model is None:
        return found
    if narrow:
        return sparse(found)
    ident = col(found.model.id)
    newest = replace(found, walk=PROBE_ROWS)
    probe = newest.source(select(ident).select_from(found.model).where(found.match))
    matches = await session.scalar(select(func.count()).select_from(probe.subquery()))
    return replace(found, walk=WALK_ROWS) if (matches or 0) >= DENSE_IN_PROBE else sparse(found)


def sparse(found: Finder) -> Finder:
    """``found`` through the GIN index, for when a walk came back short."""
    if found.model is None:
        return found
    return replace(found, walk=None, newest_first=(col(found.model.id) + 0).desc())


async def excerpts(
    session: AsyncSession, dialect: str, kind: Kind, terms: Terms, ids: Sequence[int]
) -> dict[int, str]:
    """The matched passage of each row, matches between ``START`` and ``STOP`` marks."""
    if not ids:
        return {}
    if dialect == "sqlite":
        index = _index()
        rowids = list(ids) if kind == "message" else [-i for i in ids]
        snippet = func.snippet(literal_column("search_index"), 0, START, STOP, "…", SNIPPET_TOKENS)
        rows = await session.execute(
            select(index.c.rowid, snippet).where(_fts5_match(terms), index.c.rowid.in_(rowids))
        )
        return {abs(int(rowid)): str(text or "") for rowid, text in rows}
    model: Any = Message if kind == "message" else Note
    document = func.left(_pg_document(kind), HEADLINE_CHARS)
    for angle, disguise in _ANGLES.items():
        document = func.replace(document, angle, disguise)
    query = _tsquery(terms)
    # English picks the fragments, French then marks what only its stems match.
    headline = func.ts_headline(
        _FRENCH, func.ts_headline(_ENGLISH, document, query, _FRAGMENTS), query, _EVERY_MATCH
    )
    rows = await session.execute(select(model.id, headline).where(col(model.id).in_(ids)))
    return {int(ident): _undisguise(str(text or "")) for ident, text in rows}


# -- SQLite FTS5 ------------------------------------------------------------------------


def _index() -> TableClause:
    return table(
        "search_index", column("rowid", Integer), column("rank", Float), column("body", String)
    )


def fts5_query(terms: Terms) -> str:
    """``("a" "b c") NOT "d"``: every phrase quoted, so nothing typed is FTS5 syntax."""
    query = "(" + " ".join(_quoted(p) for p in terms.include) + ")"
    return query + "".join(f" NOT {_quoted(p)}" for p in terms.exclude)


def _fts5_match(terms: Terms) -> ColumnElement[bool]:
    return literal_column("search_index").op("MATCH")(fts5_query(terms))


def _fts5(kind: Kind, terms: Terms) -> Finder:
    index = _index()
    rowid = index.c.rowid
    if kind == "message":
        on, side, newest = col(Message.id) == rowid, rowid > 0, rowid.desc()
    else:
        on, side, newest = col(Note.id) == -rowid, rowid < 0, rowid.asc()
    return Finder(
        join=index,
        on=on,
        match=and_(_fts5_match(terms), side),
        newest_first=newest,
        last_id_key=rowid,
        below_negated=kind == "note",
        carried=(-index.c.rank).label("score"),  # bm25: lower is better
    )


# -- PostgreSQL -------------------------------------------------------------------------


def websearch_query(terms: Terms) -> str:
    """``"a" "b c" -"d"``: quoted phrases and exclusions, nothing else."""
    return " ".join([_quoted(p) for p in terms.include] + [f"-{_quoted(p)}" for p in terms.exclude])


def _tsquery(terms: Terms) -> ColumnElement[Any]:
    text = websearch_query(terms)
    english = func.websearch_to_tsquery(_ENGLISH, text)
    return english.op("||")(func.websearch_to_tsquery(_FRENCH, text))


def _pg_document(kind: Kind) -> Any:
    if kind == "note":
        return col(Note.text)
    return func.coalesce(col(Message.subject), "").op("||")(" ").op("||")(col(Message.text))


def _postgres(kind: Kind, terms: Terms) -> Finder:
    model: Any = Message if kind == "message" else Note
    vector: ColumnElement[Any] = literal_column(f"{model.__tablename__}.search_vector")
    query = _tsquery(terms)
    return Finder(
        join=None,
        on=None,
        match=vector.op("@@")(query),
        newest_first=col(model.id).desc(),
        last_id_key=col(model.id),
        below_negated=False,
        carried=vector.label("vector"),
        query=query,
        model=model,
    )


def _undisguise(text: str) -> str:
    for angle, disguise in _ANGLES.items():
        text = text.replace(disguise, angle)
    return text


def _quoted(phrase: Phrase) -> str:
    return '"' + " ".join(phrase).replace('"', '""') + '"'
