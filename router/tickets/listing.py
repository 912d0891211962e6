"""The ticket list: filters, a stable sort and keyset pagination over the conversations the
caller may see (router.security.visibility).

Pages follow an opaque cursor (the sort key and id of the page's last row), so a page never
skips or repeats a row when others change meanwhile, whatever the sort; ``after_id`` keeps
working for the default order (by id). Rows without a value for the sort key (no SLA due
time) come last in both directions.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from channels.text import utc
from router.errors import InvalidRequest
from router.models import Advisor, Conversation
from router.models.channels import Channel
from router.models.conversations import (
    ConversationPublic,
    ConversationStatus,
    SlaState,
    TicketStatus,
)
from router.models.tickets import ConversationTag, TagName
from router.models.validation import MAX_ID
from router.security.principal import Principal
from router.security.visibility import conversation_clause
from router.store import Database
from router.tickets import tags
from router.tickets.list_facts import row_facts

SORT_KEYS: dict[str, Any] = {
    "id": Conversation.id,
    "created_at": Conversation.created_at,
    "updated_at": Conversation.updated_at,
    "last_message_at": Conversation.last_message_at,
    "priority": Conversation.priority,
    "first_response_due_at": Conversation.first_response_due_at,
    "resolution_due_at": Conversation.resolution_due_at,
}
_DATES = {
    "created_at",
    "updated_at",
    "last_message_at",
    "first_response_due_at",
    "resolution_due_at",
}
_RUNNING = (ConversationStatus.waiting, ConversationStatus.offered, ConversationStatus.assigned)
_AT_RISK = (SlaState.warning, SlaState.breached)


class SlaFilter(StrEnum):
    at_risk = "at_risk"  # a running target in warning or breached
    breached = "breached"  # a target breached (running or settled)


# Query of GET /v1/conversations.
class TicketQuery(BaseModel):
    status: list[ConversationStatus] = Field(
        default_factory=list, max_length=7, description="router status (repeat: any of them)"
    )
    ticket_status: list[TicketStatus] = Field(
        default_factory=list, max_length=5, description="new, open, pending, resolved, closed"
    )
    assignee_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    team_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="in this team's queue or with its advisors"
    )
    tag: list[TagName] = Field(
        default_factory=list, max_length=10, description="repeat: all of them"
    )
    channel: Channel | None = None
    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    sla: SlaFilter | None = None
    priority_min: int | None = Field(default=None, ge=0, le=100)
    sort: str = Field(
        default="id",
        pattern=rf"^-?({'|'.join(SORT_KEYS)})$",
        description="a key, '-' first for descending; ties broken by id, same direction",
    )
    cursor: str | None = Field(
        default=None, max_length=512, description="from the X-Next-Cursor header of a page"
    )
    after_id: int = Field(default=0, ge=0, le=MAX_ID, description="default order only")
    limit: int = Field(default=50, ge=1, le=500)


@dataclass(frozen=True)
class Page:
    items: list[ConversationPublic]
    next_cursor: str | None


async def list_tickets(db: Database, viewer: Principal | None, query: TicketQuery) -> Page:
    key, descending = query.sort.removeprefix("-"), query.sort.startswith("-")
    if query.after_id and query.sort != "id":
        raise InvalidRequest(
            "after_id works with the default order only: use cursor", field="after_id"
        )
    statement = _filtered(query, viewer)
    if query.after_id:
        statement = statement.where(col(Conversation.id) > query.after_id)
    if query.cursor is not None:
        value, last_id = _decode(query.cursor, query.sort)
        statement = statement.where(_after(key, descending, value, last_id))
    async with db.read_session() as session:
        ordered = _ordered(statement, key, descending).limit(query.limit + 1)
        rows = (await session.scalars(ordered)).all()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        found = await tags.tags_of(session, [row.id or 0 for row in rows])
        facts = await row_facts(session, list(rows))
    items = [
        ConversationPublic.model_validate(row, from_attributes=True).model_copy(
            update={
                "tags": found.get(row.id or 0, []),
                "customer_name": facts.get(row.id or 0, (None, None))[0],
                "preview": facts.get(row.id or 0, (None, None))[1],
            }
        )
        for row in rows
    ]
    return Page(items=items, next_cursor=_encode(query.sort, rows[-1]) if more else None)


def team_clause(team_id: int) -> ColumnElement[bool]:
    """In the team's queue, or handled by one of its advisors."""
    advisors = select(Advisor.id).where(col(Advisor.team_id) == team_id)
    return or_(
        col(Conversation.queue_team_id) == team_id, col(Conversation.assignee_id).in_(advisors)
    )


def _filtered(query: TicketQuery, viewer: Principal | None) -> SelectOfScalar[Conversation]:
    statement = select(Conversation)
    clauses: list[ColumnElement[bool] | None] = [
        conversation_clause(viewer) if viewer is not None else None,
        col(Conversation.status).in_(query.status) if query.status else None,
        or_(*(_ticket_status(s) for s in query.ticket_status)) if query.ticket_status else None,
        _equal(Conversation.assignee_id, query.assignee_id),
        team_clause(query.team_id) if query.team_id is not None else None,
        _equal(Conversation.channel, query.channel),
        _equal(Conversation.customer_id, query.customer_id),
        _sla(query.sla) if query.sla is not None else None,
        col(Conversation.priority) >= query.priority_min
        if query.priority_min is not None
        else None,
    ]
    for tag in dict.fromkeys(query.tag):
        tagged = select(ConversationTag.conversation_id).where(col(ConversationTag.tag) == tag)
        clauses.append(col(Conversation.id).in_(tagged))
    return statement.where(*(c for c in clauses if c is not None))


def _equal(column: Any, value: object) -> ColumnElement[bool] | None:
    return None if value is None else col(column) == value


def _ticket_status(status: TicketStatus) -> ColumnElement[bool]:
    """The SQL twin of router.models.conversations.ticket_status."""
    queued = col(Conversation.status).in_((ConversationStatus.waiting, ConversationStatus.offered))
    answered = col(Conversation.first_response_at).is_not(None)
    if status == TicketStatus.new:
        return and_(queued, ~answered)
    if status == TicketStatus.open:
        return or_(col(Conversation.status) == ConversationStatus.assigned, and_(queued, answered))
    return col(Conversation.status) == ConversationStatus(status.value)


def _sla(wanted: SlaFilter) -> ColumnElement[bool]:
    first, resolution = col(Conversation.first_response_sla), col(Conversation.resolution_sla)
    if wanted == SlaFilter.breached:
        return or_(first == SlaState.breached, resolution == SlaState.breached)
    # Running: the first response until answered, the resolution unless paused or settled.
    open_now = col(Conversation.status).in_((*_RUNNING, ConversationStatus.pending))
    return or_(
        and_(open_now, col(Conversation.first_response_at).is_(None), first.in_(_AT_RISK)),
        and_(col(Conversation.status).in_(_RUNNING), resolution.in_(_AT_RISK)),
    )


def _ordered(
    statement: SelectOfScalar[Conversation], key: str, descending: bool
) -> SelectOfScalar[Conversation]:
    column: InstrumentedAttribute[Any] = SORT_KEYS[key]
    ident = col(Conversation.id)
    if key == "id":
        return statement.order_by(ident.desc() if descending else ident)
    primary = column.desc() if descending else column.asc()
    return statement.order_by(primary.nulls_last(), ident.desc() if descending else ident)


def _after(key: str, descending: bool, value: Any, last_id: int) -> ColumnElement[bool]:
    """Rows after (value, last_id) in the order of ``_ordered`` (nulls last)."""
    ident = col(Conversation.id)
    beyond_id = ident < last_id if descending else ident > last_id
    if key == "id":
        return beyond_id
    column = col(SORT_KEYS[key])
    if value is None:
        return and_(column.is_(None), beyond_id)
    beyond = column < value if descending else column > value
    return or_(beyond, and_(column == value, beyond_id), column.is_(None))


def _encode(sort: str, row: Conversation) -> str:
    value = getattr(row, sort.removeprefix("-"))
    if isinstance(value, datetime):
        value = value.isoformat()
    document = json.dumps({"s": sort, "v": value, "i": row.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> tuple[Any, int]:
    invalid = InvalidRequest("cursor is not one this list gave out", field="cursor")
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(document, dict) or not isinstance(document.get("i"), int):
        raise invalid
    if document.get("s") != sort:
        raise InvalidRequest(
            f"this cursor belongs to sort={document.get('s')!r}, not {sort!r}", field="cursor"
        )
    return _value(document.get("v"), sort.removeprefix("-"), invalid), document["i"]


def _value(raw: object, key: str, invalid: InvalidRequest) -> Any:
    if raw is None:
        return None
    if key in _DATES:
        try:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
            if moment is None or moment.tzinfo is None:
                raise invalid
            return utc(moment)  # out of range in UTC: a ValueError, not a 500 when bound
        except ValueError:
            raise invalid from None
    if not isinstance(raw, int) or isinstance(raw, bool) or not -(2**31) <= raw < 2**31:
        raise invalid
    return raw
