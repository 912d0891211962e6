"""Full-text search over messages and notes, within what the caller may see.

Access: staff search the messages and notes of the conversations they may see
(router.security.visibility); a message not attached to a conversation yet is found by
admins only. API keys (scope conversations:read) search messages only, within their
channels; notes are internal. Filters combine (AND); ``channel`` and ``direction`` exist on
messages only, so they leave notes out.

Order: ``relevance`` (the engine's score, among the newest ``RANK_WINDOW`` matches of each
kind, paged by offset) or ``recent`` (newest first, paged by keyset on each kind's id, so a
page never repeats or skips a hit). Messages and notes are merged page by page; nothing
ever counts every match, and excerpts are made for the returned page only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, func, literal, null
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Forbidden, InvalidRequest
from router.models import Conversation, Message, Note
from router.search.engine import RANK_WINDOW, Finder, Kind, excerpts, finder, fit, prepare, sparse
from router.search.schemas import SearchHit, SearchKind, SearchQuery, SearchSort
from router.search.terms import highlight, parse
from router.security.principal import Principal, PrincipalKind
from router.security.visibility import conversation_clause
from router.store import Database

_KINDS: tuple[Kind, ...] = ("message", "note")
_COLUMNS = (
    "kind",
    "id",
    "conversation_id",
    "customer_id",
    "channel",
    "direction",
    "advisor_id",
    "at",
)


@dataclass
class Cursor:
    """Where the next page starts: an offset (relevance) or each kind's last id (recent)."""

    offset: int = 0
    last: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    items: list[SearchHit]
    next_cursor: str | None


async def search(db: Database, viewer: Principal, query: SearchQuery) -> Page:
    terms = parse(query.q)
    if not terms.include:
        raise InvalidRequest(
            "q has no word to search for (excluded words alone cannot be searched)", field="q"
        )
    if query.since and query.until and query.since >= query.until:
        raise InvalidRequest("since must be before until", field="since")
    kinds = _kinds(viewer, query)
    cursor = _decode(query.cursor, query)
    async with db.read_session() as session:
        await prepare(session, db.dialect)
        lists = [
            await _candidates(session, finder(db.dialect, kind, terms), kind, viewer, query, cursor)
            for kind in kinds
        ]
        rows, next_cursor = _page(lists, query, cursor)
        marked: dict[tuple[str, int], str] = {}
        for kind in kinds:
            ids = [row.id for row in rows if row.kind == kind]
            found = await excerpts(session, db.dialect, kind, terms, ids)
            marked.update({(kind, ident): text for ident, text in found.items()})
    items = [_hit(row, marked.get((row.kind, row.id), "")) for row in rows]
    return Page(items=items, next_cursor=next_cursor)


def _kinds(viewer: Principal, query: SearchQuery) -> list[Kind]:
    wanted: list[Kind] = list(_KINDS)
    if query.kind != SearchKind.all:
        wanted = ["message" if query.kind == SearchKind.message else "note"]
    staff = viewer.kind == PrincipalKind.staff
    messages_only = query.channel is not None or query.direction is not None
    if query.kind == SearchKind.note:
        if not staff:
            raise Forbidden("notes are internal: API keys search messages only", field="kind")
        if messages_only:
            raise InvalidRequest("notes have no channel or direction", field="kind")
    if not staff or messages_only:
        wanted = [k for k in wanted if k != "note"]
    return wanted


async def _candidates(
    session: AsyncSession,
    found: Finder,
    kind: Kind,
    viewer: Principal,
    query: SearchQuery,
    cursor: Cursor,
) -> list[Row[Any]]:
    narrow = query.conversation_id is not None or query.customer_id is not None
    found = await fit(session, found, narrow)
    rows, complete = await _window(session, found, kind, viewer, query, cursor)
    if not complete:  # the newest rows walked held too few matches: through the index
        rows, _ = await _window(session, sparse(found), kind, viewer, query, cursor)
    return rows


async def _window(
    session: AsyncSession,
    found: Finder,
    kind: Kind,
    viewer: Principal,
    query: SearchQuery,
    cursor: Cursor,
) -> tuple[list[Row[Any]], bool]:
    """The candidates, and whether they are all there (a walk may stop short of them)."""
    statement = _statement(found, kind, viewer, query)
    if query.sort == SearchSort.recent:
        last = cursor.last.get(kind)
        if last is not None:
            statement = statement.where(found.below(last))
        wanted = query.limit + 1
        statement = statement.order_by(found.newest_first).limit(wanted)
        rows = list(await session.execute(found.source(statement)))
        return rows, found.walk is None or len(rows) == wanted
    window = found.source(
        statement.add_columns(found.carried).order_by(found.newest_first).limit(RANK_WINDOW)
    ).subquery()
    score = found.score(window).label("score")
    ranked = (
        sa_select(*(window.c[name] for name in _COLUMNS), score, func.count().over().label("n"))
        .order_by(score.desc(), window.c.at.desc(), window.c.id.desc())
        .limit(cursor.offset + query.limit + 1)
    )
    rows = list(await session.execute(ranked))
    return rows, found.walk is None or (bool(rows) and rows[0].n == RANK_WINDOW)


def _statement(found: Finder, kind: Kind, viewer: Principal, query: SearchQuery) -> Any:
    """The kind's matching rows the viewer may see, with the filters; columns alike."""
    if kind == "message":
        columns = _message_columns()
        model: Any = Message
    else:
        columns = _note_columns()
        model = Note
    statement = select(*columns).select_from(model)
    if found.join is not None and found.on is not None:
        statement = statement.join(found.join, found.on)
    statement = statement.where(found.match)
    at = col(Message.received_at) if kind == "message" else col(Note.created_at)
    conditions: list[ColumnElement[bool] | None] = [
        col(model.conversation_id) == query.conversation_id if query.conversation_id else None,
        at >= query.since if query.since else None,
        at < query.until if query.until else None,
    ]
    if kind == "message":
        conditions += [
            col(Message.customer_id) == query.customer_id if query.customer_id else None,
            col(Message.channel) == query.channel.value if query.channel else None,
            col(Message.direction) == query.direction.value if query.direction else None,
        ]
        if viewer.kind == PrincipalKind.api_key and viewer.channels:
            conditions.append(col(Message.channel).in_(sorted(viewer.channels)))
    elif query.customer_id:
        conditions.append(col(Conversation.customer_id) == query.customer_id)
    if kind == "note" or not viewer.is_admin:  # unattached messages: admins only
        statement = statement.join(Conversation, col(Conversation.id) == col(model.conversation_id))
        conditions.append(conversation_clause(viewer))
    return statement.where(*(c for c in conditions if c is not None))


def _message_columns() -> list[Any]:
    return [
        literal("message").label("kind"),
        col(Message.id).label("id"),
        col(Message.conversation_id).label("conversation_id"),
        col(Message.customer_id).label("customer_id"),
        col(Message.channel).label("channel"),
        col(Message.direction).label("direction"),
        col(Message.advisor_id).label("advisor_id"),
        col(Message.received_at).label("at"),
    ]


def _note_columns() -> list[Any]:
    return [
        literal("note").label("kind"),
        col(Note.id).label("id"),
        col(Note.conversation_id).label("conversation_id"),
        col(Conversation.customer_id).label("customer_id"),
        null().label("channel"),
        null().label("direction"),
        col(Note.author_id).label("advisor_id"),
        col(Note.created_at).label("at"),
    ]


def _page(
    lists: Sequence[list[Row[Any]]], query: SearchQuery, cursor: Cursor
) -> tuple[list[Row[Any]], str | None]:
    """Merge the kinds' lists (each already in order) and cut the page; the next cursor."""
    if query.sort == SearchSort.recent:
        merged = list(heapq.merge(*lists, key=lambda r: (r.at, r.id), reverse=True))
        rows = merged[: query.limit]
        if len(merged) <= query.limit:
            return rows, None
        last = dict(cursor.last)
        for row in rows:
            last[row.kind] = row.id
        return rows, _encode(query, Cursor(last=last))
    merged = list(
        heapq.merge(*lists, key=lambda r: (float(r.score or 0.0), r.at, r.id), reverse=True)
    )
    end = cursor.offset + query.limit
    rows = merged[cursor.offset : end]
    more = len(merged) > end and end < RANK_WINDOW
    return rows, _encode(query, Cursor(offset=end)) if more else None


def _hit(row: Row[Any], marked: str) -> SearchHit:
    return SearchHit(
        kind=SearchKind(row.kind),
        id=row.id,
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        channel=row.channel,
        direction=row.direction,
        advisor_id=row.advisor_id,
        at=row.at,
        snippet=highlight(marked),
    )


# -- cursors ----------------------------------------------------------------------------


def _fingerprint(query: SearchQuery) -> str:
    """Which search a cursor belongs to (the query and filters, not the page)."""
    fields = query.model_dump(mode="json", exclude={"cursor", "limit"})
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    return digest[:16]


def _encode(query: SearchQuery, cursor: Cursor) -> str:
    document = {"f": _fingerprint(query), "o": cursor.offset, "l": cursor.last}
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(raw: str | None, query: SearchQuery) -> Cursor:
    if raw is None:
        return Cursor()
    invalid = InvalidRequest("cursor is not one this search gave out", field="cursor")
    try:
        document = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(document, dict) or document.get("f") != _fingerprint(query):
        raise InvalidRequest(
            "this cursor belongs to another search (same q, filters and sort needed)",
            field="cursor",
        )
    offset, last = document.get("o"), document.get("l")
    if not isinstance(offset, int) or not 0 <= offset <= RANK_WINDOW or not isinstance(last, dict):
        raise invalid
    if any(k not in _KINDS or not _is_id(v) for k, v in last.items()):
        raise invalid
    return Cursor(offset=offset, last=last)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31
