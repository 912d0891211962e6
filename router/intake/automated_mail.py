"""Automated mail about our messages: bounces, complaints, read receipts, auto-replies.

They are stored *held* (never routed: nobody should be assigned a mailer-daemon) and linked
here to the conversation of the message they are about, with a timeline event. A bounce or
complaint fails the outbound email it names; a read receipt marks it read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Message
from router.models.conversations import DELIVERY_ORDER, MessageStatus
from router.store import Database
from router.store.types import utcnow
from router.tickets import events, threads

_FAILS = frozenset({"bounce", "complaint"})


async def link_held(db: Database, message_ids: Sequence[int]) -> int:
    """Attach held messages to the conversation they are about; returns how many were."""
    linked = 0
    async with db.session() as session:
        rows = await session.scalars(
            select(Message)
            .where(
                col(Message.id).in_(list(message_ids)),
                col(Message.status) == MessageStatus.held,
                col(Message.conversation_id).is_(None),
            )
            .order_by(col(Message.id))
        )
        for message in rows.all():
            linked += await _link(session, message)
        await session.commit()
    return linked


async def _link(session: AsyncSession, message: Message) -> int:
    kind = str(message.meta.get("kind", "message"))
    message.processed_at = utcnow()
    conversation = await threads.thread_conversation(session, message.channel, message.meta)
    about = await _our_message(session, message)
    if about is not None:
        _mark(session, about, kind, message)
    if conversation is None:
        return 0
    message.conversation_id = conversation.id
    message.customer_id = conversation.customer_id
    events.record(
        session,
        f"message.{kind}",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        message_id=message.id,
        channel=message.channel,
        about_message_id=about.id if about else None,
    )
    return 1


async def _our_message(session: AsyncSession, report: Message) -> Message | None:
    ids = threads.ancestors(report.meta)
    if not ids:
        return None
    found: Message | None = await session.scalar(
        select(Message).where(
            col(Message.channel) == report.channel,
            col(Message.direction) == "outbound",
            col(Message.provider_message_id).in_(ids),
        )
    )
    return found


def _mark(session: AsyncSession, outbound: Message, kind: str, report: Message) -> None:
    progress = DELIVERY_ORDER.get(MessageStatus(outbound.status))
    if progress is None:
        return  # not sent (queued, failed): nothing to move
    if kind == "receipt" and progress < DELIVERY_ORDER[MessageStatus.read]:
        outbound.status = MessageStatus.read
        _event(session, outbound, "message.read", report)
    elif kind in _FAILS:
        outbound.status = MessageStatus.failed
        outbound.error = f"{kind}: {_diagnostic(report.meta)}"[:2000]
        _event(session, outbound, "message.failed", report)


def _event(session: AsyncSession, outbound: Message, type_: str, report: Message) -> None:
    events.record(
        session,
        type_,
        customer_id=outbound.customer_id,
        conversation_id=outbound.conversation_id,
        message_id=outbound.id,
        channel=outbound.channel,
        report_message_id=report.id,
    )


def _diagnostic(meta: dict[str, Any]) -> str:
    report = meta.get("report")
    if isinstance(report, dict):
        for recipient in report.get("recipients") or []:
            if isinstance(recipient, dict):
                found = recipient.get("diagnostic-code") or recipient.get("status")
                if found:
                    return str(found)
        if report.get("feedback-type"):
            return f"feedback report ({report['feedback-type']})"
    return "the receiving server reported a delivery failure"
