"""What a ticket list row shows besides the conversation: the customer's name and a preview
of the customer's latest message (two queries per page, whatever its length)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Conversation, Customer
from router.models.conversations import Message

PREVIEW_CHARS = 160


async def row_facts(
    session: AsyncSession, rows: list[Conversation]
) -> dict[int, tuple[str | None, str | None]]:
    """conversation id -> (customer name, preview of the latest inbound message)."""
    ids = [row.id for row in rows if row.id is not None]
    if not ids:
        return {}
    customers = {row.customer_id for row in rows}
    named = await session.execute(
        select(Customer.id, Customer.display_name).where(col(Customer.id).in_(sorted(customers)))
    )
    names: dict[int | None, str | None] = dict(named.all())
    latest = (
        select(func.max(Message.id))
        .where(col(Message.conversation_id).in_(ids), col(Message.direction) == "inbound")
        .group_by(col(Message.conversation_id))
    )
    found = await session.execute(
        select(Message.conversation_id, Message.subject, Message.text).where(
            col(Message.id).in_(latest)
        )
    )
    previews = {
        cid: " ".join(f"{subject or ''} {text}".split())[:PREVIEW_CHARS]
        for cid, subject, text in found
    }
    return {row.id or 0: (names.get(row.customer_id), previews.get(row.id)) for row in rows}
