"""The customer timeline: everything that happened to one customer, across channels.

Read from the event table through its ``(customer_id, id)`` index, newest or oldest first,
with a keyset cursor (event ids; never OFFSET). Each page costs a fixed number of queries:
the customer, the conversations the caller may see (staff only), the events joined with
their messages (text cut to an excerpt in SQL), and the notes of the page in one batch.

Visibility: admins and integrators see everything; staff see the events of the customer's
conversations they may see (``conversation_clause``) and the customer-level events (identity
linked, merged), and get a 404 when they may see none. Internal notes are for staff only:
API keys never get ``note`` items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from router.customers.schemas import (
    BULKY_DATA,
    EVENT_KINDS,
    TimelineItem,
    TimelineKind,
    TimelineMessage,
    TimelineNote,
    TimelinePage,
)
from router.errors import InvalidRequest, NotFound
from router.models import Conversation, Customer, Event, Message, Note
from router.security.principal import Principal, PrincipalKind
from router.security.visibility import conversation_clause
from router.store import Database

EXCERPT = 300  # characters of a message or note shown on the timeline


@dataclass(frozen=True)
class TimelineQuery:
    """Filters and cursor of one timeline page (bounds are event ids, exclusive)."""

    kinds: frozenset[TimelineKind] = frozenset()  # empty: every kind
    channel: str | None = None  # only items about a message on this channel
    conversation_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    before: int | None = None
    after: int | None = None
    limit: int = 50
    order: Literal["asc", "desc"] = "desc"


def _checked(query: TimelineQuery) -> TimelineQuery:
    """The query with its times in UTC; a 422 for times that cannot be compared."""
    times: dict[str, datetime | None] = {}
    for name in ("since", "until"):
        value: datetime | None = getattr(query, name)
        if value is not None and value.tzinfo is None:
            raise InvalidRequest(f"{name} needs a timezone, e.g. 2026-01-31T09:30:00Z", field=name)
        try:
            times[name] = value.astimezone(UTC) if value is not None else None
        except OverflowError:
            raise InvalidRequest(f"{name} is out of range once in UTC", field=name) from None
    since, until = times["since"], times["until"]
    if since is not None and until is not None and since >= until:
        raise InvalidRequest("since must be before until", field="since")
    return replace(query, since=since, until=until)


def _types(query: TimelineQuery, viewer: Principal) -> list[str]:
    kinds = query.kinds or frozenset(TimelineKind)
    if viewer.kind == PrincipalKind.api_key:
        kinds = kinds - {TimelineKind.note}
    return sorted(t for t, kind in EVENT_KINDS.items() if kind in kinds)


async def visible_conversations(
    session: AsyncSession, customer_id: int, viewer: Principal
) -> list[int] | None:
    """The customer's conversations ``viewer`` may see (None: all); 404 for no customer."""
    if await session.get(Customer, customer_id) is None:
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    clause = conversation_clause(viewer)
    if clause is None:
        return None
    ids = list(
        await session.scalars(
            select(col(Conversation.id)).where(col(Conversation.customer_id) == customer_id, clause)
        )
    )
    if not ids:  # existence must not leak
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    return [i for i in ids if i is not None]


def _filters(
    customer_id: int, query: TimelineQuery, types: list[str], visible: list[int] | None
) -> list[ColumnElement[bool]]:
    where = [col(Event.customer_id) == customer_id, col(Event.type).in_(types)]
    if visible is not None:
        where.append(
            or_(col(Event.conversation_id).in_(visible), col(Event.conversation_id).is_(None))
        )
    if query.conversation_id is not None:
        where.append(col(Event.conversation_id) == query.conversation_id)
    if query.channel is not None:
        where.append(col(Message.channel) == query.channel)
    if query.since is not None:
        where.append(col(Event.created_at) >= query.since)
    if query.until is not None:
        where.append(col(Event.created_at) < query.until)
    if query.before is not None:
        where.append(col(Event.id) < query.before)
    if query.after is not None:
        where.append(col(Event.id) > query.after)
    return where


async def _rows(
    session: AsyncSession,
    customer_id: int,
    query: TimelineQuery,
    types: list[str],
    visible: list[int] | None,
) -> Sequence[Row[Any]]:
    """The page's events (one more than asked: is there a next page?) and their messages."""
    statement = (
        select(
            Event,
            col(Message.direction).label("direction"),
            col(Message.channel).label("channel"),
            col(Message.status).label("status"),
            col(Message.subject).label("subject"),
            func.substr(col(Message.text), 1, EXCERPT + 1).label("excerpt"),
            col(Message.sender_name).label("sender_name"),
            col(Message.advisor_id).label("author_id"),
        )
        .outerjoin(Message, col(Message.id) == col(Event.message_id))
        .where(*_filters(customer_id, query, types, visible))
        .order_by(col(Event.id).desc() if query.order == "desc" else col(Event.id))
        .limit(query.limit + 1)
    )
    return (await session.execute(statement)).all()


async def _notes(session: AsyncSession, events: Sequence[Event]) -> dict[int, TimelineNote]:
    ids = {
        int(e.data["note_id"])
        for e in events
        if e.type == "note.added" and isinstance(e.data.get("note_id"), int)
    }
    if not ids:
        return {}
    rows = await session.execute(
        select(
            col(Note.id), col(Note.author_id), func.substr(col(Note.text), 1, EXCERPT + 1)
        ).where(col(Note.id).in_(sorted(ids)))
    )
    return {
        note_id: TimelineNote(
            id=note_id,
            author_id=author,
            excerpt=text[:EXCERPT],
            truncated=len(text) > EXCERPT,
        )
        for note_id, author, text in rows.all()
    }


def _item(row: Row[Any], notes: dict[int, TimelineNote]) -> TimelineItem:
    event: Event = row[0]
    message = None
    if event.message_id is not None and row.direction is not None:
        excerpt = row.excerpt or ""
        message = TimelineMessage(
            id=event.message_id,
            direction=row.direction,
            channel=row.channel,
            status=row.status,
            subject=row.subject,
            excerpt=excerpt[:EXCERPT],
            truncated=len(excerpt) > EXCERPT,
            sender_name=row.sender_name,
            advisor_id=row.author_id,
        )
    note_id = event.data.get("note_id")
    return TimelineItem(
        id=event.id or 0,
        type=event.type,
        kind=EVENT_KINDS[event.type],
        at=event.created_at,
        conversation_id=event.conversation_id,
        advisor_id=event.advisor_id,
        message_id=event.message_id,
        data={k: v for k, v in event.data.items() if k not in BULKY_DATA},
        message=message,
        note=notes.get(note_id) if isinstance(note_id, int) else None,
    )


async def customer_timeline(
    db: Database, customer_id: int, viewer: Principal, query: TimelineQuery
) -> TimelinePage:
    query = _checked(query)
    types = _types(query, viewer)
    async with db.read_session() as session:
        visible = await visible_conversations(session, customer_id, viewer)
        rows = await _rows(session, customer_id, query, types, visible)
        page, more = rows[: query.limit], len(rows) > query.limit
        notes = await _notes(session, [row[0] for row in page])
    items = [_item(row, notes) for row in page]
    last = items[-1].id if more and items else None
    return TimelinePage(
        customer_id=customer_id,
        items=items,
        next_before=last if query.order == "desc" else None,
        next_after=last if query.order == "asc" else None,
    )
