"""GDPR: export everything about a customer, erase a customer, purge old closed conversations.

Erasure keeps the aggregates (conversations with their channel, intent, timings and
assignments; events without personal fields) so that statistics stay true, and removes or
redacts everything that identifies the person: identities, names, addresses, message
contents and metadata, and what staff wrote freely about them (notes, status reasons,
transfer notes, survey comments, tags).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import delete, func, inspect, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from router.errors import Conflict, NotFound
from router.models import (
    Assignment,
    ChannelIdentity,
    ChannelReceipt,
    Conversation,
    ConversationTag,
    CsatSurvey,
    Customer,
    Event,
    Message,
    MessageAttachment,
    MessageOriginal,
    Note,
)
from router.models.conversations import OPEN_STATUSES, ConversationStatus
from router.models.security import AuditEntry
from router.store import Database
from router.store.types import utcnow
from router.tickets import csat, tags
from router.tickets.transitions import STATUS_EVENTS

ERASED_TEXT = "[erased]"
TAGGED_EVENT = "conversation.tagged"
PERSONAL_EVENT_FIELDS = frozenset(
    {"email", "phone", "display_name", "name", "address", "sender", "text", "subject", "note"}
)


def _affected(result: Any) -> int:
    return int(result.rowcount or 0)


_JSON = TypeAdapter(dict[str, Any])


def _row(row: Any) -> dict[str, Any]:
    """A table row as stored (columns by their database names), JSON-ready."""
    columns = {
        column.key: getattr(row, attr.key)
        for attr in inspect(row).mapper.column_attrs
        for column in attr.columns
    }
    row_data: dict[str, Any] = _JSON.dump_python(columns, mode="json")
    return row_data


def _rows(rows: Any) -> list[dict[str, Any]]:
    return [_row(row) for row in rows]


async def _customer(session: AsyncSession, customer_id: int, *, lock: bool = False) -> Customer:
    query = select(Customer).where(col(Customer.id) == customer_id)
    customer = await session.scalar(query.with_for_update() if lock else query)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    return customer


async def _message_files(session: AsyncSession, ids: list[int | None]) -> dict[str, Any]:
    """Originals and attachments (bytes base64-encoded) and the provider receipts."""

    async def rows(table: type[SQLModel], column: Any) -> list[dict[str, Any]]:
        found = await session.scalars(select(table).where(column.in_(ids)))
        return [_with_bytes(row) for row in found]

    return {
        "originals": await rows(MessageOriginal, col(MessageOriginal.message_id)),
        "attachments": await rows(MessageAttachment, col(MessageAttachment.message_id)),
        "receipts": await rows(ChannelReceipt, col(ChannelReceipt.message_id)),
    }


def _with_bytes(row: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for attr in inspect(row).mapper.column_attrs:
        value = getattr(row, attr.key)
        data[attr.key] = base64.b64encode(value).decode() if isinstance(value, bytes) else value
    encoded: dict[str, Any] = _JSON.dump_python(data, mode="json")
    return encoded


async def _all(session: AsyncSession, table: type[SQLModel], column: Any, value: Any) -> Any:
    return (await session.scalars(select(table).where(column == value).order_by("id"))).all()


async def export_customer(db: Database, customer_id: int) -> dict[str, Any]:
    """Everything stored about the customer, as JSON-ready data (right of access)."""
    async with db.read_session() as session:
        customer = await _customer(session, customer_id)
        conversations = await _all(
            session, Conversation, col(Conversation.customer_id), customer_id
        )
        ids = [c.id for c in conversations]
        assignments = (
            await session.scalars(
                select(Assignment)
                .where(col(Assignment.conversation_id).in_(ids))
                .order_by(col(Assignment.id))
            )
        ).all()
        messages = await _all(session, Message, col(Message.customer_id), customer_id)
        return {
            "exported_at": utcnow().isoformat(),
            "customer": _row(customer),
            "identities": _rows(
                await _all(session, ChannelIdentity, col(ChannelIdentity.customer_id), customer_id)
            ),
            "conversations": _rows(conversations),
            "messages": _rows(messages),
            **await _message_files(session, [m.id for m in messages]),
            "assignments": _rows(assignments),
            **await _ticket_data(session, ids),
            "events": _rows(await _all(session, Event, col(Event.customer_id), customer_id)),
        }


async def _ticket_data(session: AsyncSession, ids: list[int | None]) -> dict[str, Any]:
    """Notes, tags and satisfaction surveys of these conversations (survey token hashes
    are secrets of the service, left out)."""
    found: dict[str, Any] = {}
    for key, table, column in (
        ("notes", Note, col(Note.conversation_id)),
        ("tags", ConversationTag, col(ConversationTag.conversation_id)),
        ("csat_surveys", CsatSurvey, col(CsatSurvey.conversation_id)),
    ):
        rows = (await session.scalars(select(table).where(column.in_(ids)))).all()
        found[key] = [{k: v for k, v in _row(row).items() if k != "token_hash"} for row in rows]
    return found


@dataclass(frozen=True)
class Erasure:
    customer_id: int
    messages_redacted: int
    identities_deleted: int
    events_scrubbed: int


async def erase_customer(db: Database, customer_id: int, *, actor: str) -> Erasure:
    """Right to erasure; refused while a conversation is open (resolve it first)."""
    async with db.session() as session:
        customer = await _customer(session, customer_id, lock=True)
        open_count = await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(
                col(Conversation.customer_id) == customer_id,
                col(Conversation.status).in_(OPEN_STATUSES),
            )
        )
        if open_count:
            raise Conflict(
                f"customer {customer_id} has an open conversation; resolve it before erasing"
            )
        messages = await session.execute(
            update(Message)
            .where(col(Message.customer_id) == customer_id)
            .values(
                text=ERASED_TEXT,
                subject=None,
                sender_address=f"erased:{customer_id}",
                sender_name=None,
                sender_email=None,
                sender_phone=None,
                meta={},
                error=None,
                review_reason=None,
                recipient_address=None,
            )
        )
        await _erase_channel_data(session, customer_id)
        identities = await session.execute(
            delete(ChannelIdentity).where(col(ChannelIdentity.customer_id) == customer_id)
        )
        scrubbed = 0
        for event in await _all(session, Event, col(Event.customer_id), customer_id):
            # A status change's reason is free text, like the notes (it may quote them).
            personal = PERSONAL_EVENT_FIELDS | _free_text_fields(event.type)
            if personal & set(event.data):
                event.data = {k: v for k, v in event.data.items() if k not in personal}
                scrubbed += 1
        await session.execute(  # transfer notes may quote the customer
            update(Conversation)
            .where(col(Conversation.customer_id) == customer_id)
            .values(handover_note=None)
        )
        theirs = select(Conversation.id).where(col(Conversation.customer_id) == customer_id)
        await session.execute(  # so may internal notes and status reasons
            update(Note).where(col(Note.conversation_id).in_(theirs)).values(text=ERASED_TEXT)
        )
        await session.execute(
            update(Conversation)
            .where(col(Conversation.customer_id) == customer_id)
            .values(status_reason=None)
        )
        await csat.forget_comments(session, customer_id)
        await tags.forget(session, customer_id)
        customer.display_name = customer.email = customer.phone = None
        result = Erasure(customer_id, _affected(messages), _affected(identities), scrubbed)
        session.add(
            AuditEntry(
                actor_kind="staff" if actor.isdigit() else actor,
                actor_id=int(actor) if actor.isdigit() else None,
                action="customer.erased",
                target=f"customer/{customer_id}",
                detail={k: v for k, v in result.__dict__.items() if k != "customer_id"},
            )
        )
        await session.commit()
        return result


def _free_text_fields(event_type: str) -> frozenset[str]:
    """Fields of this event type that people write freely (they may quote the customer):
    a status change's reason, like the notes; the tags of a tagging event."""
    if event_type in STATUS_EVENTS:
        return frozenset({"reason"})
    if event_type == TAGGED_EVENT:
        return tags.TAG_EVENT_FIELDS
    return frozenset()


async def _erase_channel_data(session: AsyncSession, customer_id: int) -> None:
    """Originals, attachments and receipts of the customer's messages: all personal."""
    theirs = select(Message.id).where(col(Message.customer_id) == customer_id)
    for table, column in (
        (MessageOriginal, col(MessageOriginal.message_id)),
        (MessageAttachment, col(MessageAttachment.message_id)),
        (ChannelReceipt, col(ChannelReceipt.message_id)),
    ):
        await session.execute(delete(table).where(column.in_(theirs)))


@dataclass(frozen=True)
class PurgePlan:
    conversations: int
    messages: int
    events: int
    assignments: int


async def purge_closed(
    db: Database, older_than_days: int, *, apply: bool, batch_size: int = 500
) -> PurgePlan:
    """Delete resolved and closed conversations (and their messages, events, assignments;
    notes, tags and surveys go by cascade) resolved, or closed, more than
    ``older_than_days`` ago; with ``apply=False`` only count them."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    old = select(Conversation.id).where(
        col(Conversation.status).in_((ConversationStatus.resolved, ConversationStatus.closed)),
        func.coalesce(col(Conversation.resolved_at), col(Conversation.closed_at)) < cutoff,
    )
    async with db.session() as session:
        ids = list((await session.scalars(old)).all())
        plan = PurgePlan(
            conversations=len(ids),
            messages=await _count(session, Message, col(Message.conversation_id), ids),
            events=await _count(session, Event, col(Event.conversation_id), ids),
            assignments=await _count(session, Assignment, col(Assignment.conversation_id), ids),
        )
        if not apply:
            return plan
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            for table, column in (
                (Event, col(Event.conversation_id)),
                (Assignment, col(Assignment.conversation_id)),
                (Message, col(Message.conversation_id)),
                (Conversation, col(Conversation.id)),
            ):
                await session.execute(delete(table).where(column.in_(chunk)))
        session.add(
            AuditEntry(
                actor_kind="system",
                action="retention.purged",
                target=f"conversations resolved before {cutoff.date().isoformat()}",
                detail=plan.__dict__,
            )
        )
        await session.commit()
        return plan


async def _count(session: AsyncSession, table: type[SQLModel], column: Any, ids: list[Any]) -> int:
    if not ids:
        return 0
    total = 0
    for start in range(0, len(ids), 500):
        query = select(func.count()).select_from(table).where(column.in_(ids[start : start + 500]))
        total += int(await session.scalar(query) or 0)
    return total
