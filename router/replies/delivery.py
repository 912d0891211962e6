"""Sending stored replies: claim, send through the channel adapter, record the outcome.

A reply is a ``message`` row (direction ``outbound``) committed *queued* before anything is
sent (router.replies.reply). The outbound worker claims rows (queued -> sending, in one
statement, so two workers or a redelivery never send one twice), sends them through the
adapter and records the outcome, one commit per message:

* sent: the provider's id (receipts and replies name it), ``sent_at``;
* transient error (429, 5xx, connection): queued again with ``next_attempt_at`` after an
  exponential backoff (or the provider's Retry-After), until ``outbound_max_attempts``;
* permanent error, or attempts exhausted: ``failed`` with the provider's reason.

Replies of one conversation go out in order: a reply is claimed only when no earlier one of
its conversation is still queued or being sent. The scheduler (``schedule``) publishes rows
that are due and unpublished (retries, replies whose publish was lost, followers of a reply
just sent), and settles rows left *sending* by a worker that died: email is sent again (its
Message-ID is stable, so clients see one message), other channels fail with "may have been
delivered" rather than risk a duplicate.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from channels.base import OutboundMessage, SendResult, Threading
from channels.errors import ChannelError, SendError, TransientSendError
from router.broker import Broker
from router.errors import BrokerError, ChannelNotConfigured
from router.intake.channel_set import ChannelSet
from router.models import Message
from router.models.conversations import MessageStatus
from router.replies import files
from router.settings import Settings
from router.store import Database
from router.store.types import utcnow
from router.tickets import events

log = logging.getLogger(__name__)

OUTBOUND_TOPIC = "outbound"
_PENDING = (MessageStatus.queued, MessageStatus.sending)
_SCAN_BATCH = 200


@dataclass(frozen=True)
class Outcome:
    status: MessageStatus
    result: SendResult | None = None
    error: str | None = None
    retry_in: float | None = None
    provider_code: str | None = None


def body(message_id: int) -> bytes:
    return orjson.dumps({"message_id": message_id})


async def publish(db: Database, broker: Broker, message_ids: Sequence[int]) -> int:
    """Publish replies to the outbound worker and record it; failures wait for ``schedule``."""
    confirmed = []
    for message_id in message_ids:
        try:
            await broker.publish(OUTBOUND_TOPIC, body(message_id))
        except BrokerError as error:
            log.warning("reply %s stored but not published (%s); retried later", message_id, error)
            break
        confirmed.append(message_id)
    if confirmed:
        async with db.session() as session:
            await session.execute(
                update(Message)
                .where(col(Message.id).in_(confirmed), col(Message.status) == MessageStatus.queued)
                .values(published_at=utcnow())
            )
            await session.commit()
    return len(confirmed)


# -- the worker's side ------------------------------------------------------------------


async def deliver(
    db: Database, channels: ChannelSet, settings: Settings, message_ids: Sequence[int]
) -> int:
    """Send these replies (those due and first in their conversation); returns how many sent."""
    claimed = await _claim(db, message_ids)
    skipped = sorted(set(message_ids) - {m.id for m in claimed})
    if skipped:  # not theirs to send yet: the scheduler publishes them again when they are
        await _unpublish(db, skipped)
    results = await asyncio.gather(
        *(_conversation_queue(db, channels, settings, message) for message in claimed)
    )
    return sum(results)


async def _conversation_queue(
    db: Database, channels: ChannelSet, settings: Settings, first: Message
) -> int:
    """Send ``first``, then whatever replies of its conversation became sendable after it."""
    sent = 0
    message: Message | None = first
    while message is not None:
        outcome = await _send(db, channels, message)
        await _record(db, settings, message, outcome)
        if outcome.status != MessageStatus.sent:
            return sent
        sent += 1
        message = await _claim_next(db, message.conversation_id)
    return sent


def _claimable(now: Any) -> Any:
    earlier = aliased(Message)
    blocked = exists().where(
        col(earlier.conversation_id) == col(Message.conversation_id),
        col(earlier.direction) == "outbound",
        col(earlier.status).in_(_PENDING),
        col(earlier.id) < col(Message.id),
    )
    return and_(
        col(Message.direction) == "outbound",
        col(Message.status) == MessageStatus.queued,
        or_(col(Message.next_attempt_at).is_(None), col(Message.next_attempt_at) <= now),
        ~blocked,
    )


async def _claim(db: Database, message_ids: Sequence[int]) -> list[Message]:
    now = utcnow()
    async with db.session() as session:
        rows = await session.scalars(
            update(Message)
            .where(col(Message.id).in_(list(message_ids)), _claimable(now))
            .values(
                status=MessageStatus.sending,
                attempts=col(Message.attempts) + 1,
                last_attempt_at=now,
            )
            .returning(Message),
            execution_options={"synchronize_session": False},
        )
        claimed = sorted(rows.all(), key=lambda m: m.id or 0)
        await session.commit()
    return claimed


async def _claim_next(db: Database, conversation_id: int | None) -> Message | None:
    if conversation_id is None:
        return None
    async with db.read_session() as session:
        next_id = await session.scalar(
            select(Message.id)
            .where(
                col(Message.conversation_id) == conversation_id,
                col(Message.direction) == "outbound",
                col(Message.status) == MessageStatus.queued,
            )
            .order_by(col(Message.id))
            .limit(1)
        )
    if next_id is None:
        return None
    claimed = await _claim(db, [next_id])
    return claimed[0] if claimed else None


async def release(db: Database, message_id: int) -> None:
    """A delivery given up by the broker (dead-lettered, e.g. after a long database outage)
    is not lost: the reply goes back to the scheduler, which publishes it again."""
    await _unpublish(db, [message_id])


async def _unpublish(db: Database, message_ids: Sequence[int]) -> None:
    async with db.session() as session:
        await session.execute(
            update(Message)
            .where(
                col(Message.id).in_(list(message_ids)), col(Message.status) == MessageStatus.queued
            )
            .values(published_at=None)
        )
        await session.commit()


def outbound_message(message: Message) -> OutboundMessage:
    """The adapter's view of a stored reply."""
    reply_to = message.meta.get("reply_to")
    threading = None
    if isinstance(reply_to, dict):
        threading = Threading(
            message_id=reply_to.get("message_id"),
            in_reply_to=reply_to.get("in_reply_to"),
            references=tuple(reply_to.get("references") or ()),
        )
    return OutboundMessage(
        channel=message.channel,
        to=message.recipient_address or "",
        text=message.text,
        subject=message.subject,
        reply_to=threading,
        to_name=message.meta.get("to_name"),
        idempotency_key=message.external_id,
        metadata={"advisor_name": message.sender_name},
    )


async def _send(db: Database, channels: ChannelSet, message: Message) -> Outcome:
    try:
        adapter = channels.sender(message.channel)
        attachments = await files.outbound(db, message)
        result = await adapter.send(replace(outbound_message(message), attachments=attachments))
    except TransientSendError as error:
        if error.maybe_delivered and message.channel != "email":
            return Outcome(
                MessageStatus.failed,
                error=f"{error.detail}; it may have been delivered: check before sending again",
                provider_code=error.provider_code,
            )
        return Outcome(
            MessageStatus.queued,
            error=error.detail,
            retry_in=error.retry_after,
            provider_code=error.provider_code,
        )
    except SendError as error:
        return Outcome(MessageStatus.failed, error=error.detail, provider_code=error.provider_code)
    except (ChannelError, ChannelNotConfigured) as error:  # configuration changed since
        return Outcome(MessageStatus.failed, error=str(error))
    except Exception as error:  # a bug in an adapter: retried, then surfaced
        log.exception("reply %s: unexpected error while sending", message.id)
        return Outcome(MessageStatus.queued, error=f"unexpected error: {type(error).__name__}")
    return Outcome(MessageStatus.sent, result=result)


def backoff(settings: Settings, attempts: int, hint: float | None) -> float:
    step = settings.outbound_retry_base_seconds * 2 ** max(0, attempts - 1)
    return float(min(settings.outbound_retry_max_seconds, max(step, hint or 0.0)))


async def _record(db: Database, settings: Settings, message: Message, outcome: Outcome) -> None:
    now = utcnow()
    values: dict[str, Any] = {"status": outcome.status, "error": outcome.error}
    data: dict[str, Any] = {"channel": message.channel, "attempts": message.attempts}
    if outcome.result is not None:
        result = outcome.result
        values |= {
            "provider_message_id": result.provider_message_id[:200],
            "sent_at": now,
            "next_attempt_at": None,
            "meta": {
                **message.meta,
                "provider_message_ids": list(result.provider_message_ids)[:20],
                "sent": result.metadata,
            },
        }
        event = "message.sent"
    elif outcome.status == MessageStatus.queued:
        if message.attempts >= settings.outbound_max_attempts:
            values["status"] = MessageStatus.failed
            values["error"] = f"gave up after {message.attempts} attempts: {outcome.error}"
            event = "message.failed"
        else:
            delay = backoff(settings, message.attempts, outcome.retry_in)
            values |= {"next_attempt_at": now + timedelta(seconds=delay), "published_at": None}
            data["retry_in_seconds"] = round(delay, 1)
            event = "message.retry_scheduled"
    else:
        event = "message.failed"
    if values.get("error"):
        values["error"] = str(values["error"])[:2000]
        data["error"] = values["error"]
        data["provider_code"] = outcome.provider_code
    async with db.session() as session:
        await session.execute(
            update(Message)
            .where(col(Message.id) == message.id, col(Message.status) == MessageStatus.sending)
            .values(**values)
        )
        events.record(
            session,
            event,
            customer_id=message.customer_id,
            conversation_id=message.conversation_id,
            advisor_id=message.advisor_id,
            message_id=message.id,
            **data,
        )
        await session.commit()
    ids = {"conversation_id": message.conversation_id, "message_id": message.id}
    if event == "message.failed":  # the provider refused it, or it could not be sent in time
        log.info(
            "reply %s on %s refused: %s",
            message.id,
            message.channel,
            str(values.get("error"))[:300],
            extra=ids,
        )
        return
    log.info(
        "reply %s on %s: %s",
        message.id,
        message.channel,
        event.removeprefix("message."),
        extra=ids,
    )


# -- the scheduler ----------------------------------------------------------------------


async def schedule(db: Database, broker: Broker, settings: Settings) -> int:
    """Settle stale sends, then publish due, unpublished replies; returns how many."""
    await _settle_stale(db, timedelta(seconds=settings.outbound_stale_seconds))
    total = 0
    while True:
        async with db.session() as session:
            ids = list(
                await session.scalars(
                    select(Message.id)
                    .where(
                        col(Message.status) == MessageStatus.queued,
                        col(Message.direction) == "outbound",
                        col(Message.published_at).is_(None),
                        or_(
                            col(Message.next_attempt_at).is_(None),
                            col(Message.next_attempt_at) <= utcnow(),
                        ),
                    )
                    .order_by(col(Message.id))
                    .limit(_SCAN_BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            await session.commit()
        if not ids:
            return total
        published = await publish(db, broker, ids)
        total += published
        if published < len(ids) or len(ids) < _SCAN_BATCH:
            return total


async def _settle_stale(db: Database, older_than: timedelta) -> None:
    cutoff = utcnow() - older_than
    stale = and_(
        col(Message.status) == MessageStatus.sending,
        col(Message.direction) == "outbound",
        or_(col(Message.last_attempt_at).is_(None), col(Message.last_attempt_at) < cutoff),
    )
    async with db.session() as session:
        rows = list(await session.scalars(select(Message).where(stale).with_for_update()))
        for message in rows:
            if message.channel == "email":
                message.status = MessageStatus.queued
                message.published_at = None
                message.next_attempt_at = utcnow()
                continue
            message.status = MessageStatus.failed
            message.error = (
                "the worker stopped while sending; it may have been delivered: "
                "check before sending again"
            )
            events.record(
                session,
                "message.failed",
                customer_id=message.customer_id,
                conversation_id=message.conversation_id,
                message_id=message.id,
                channel=message.channel,
                error=message.error,
            )
        await session.commit()
    if rows:
        log.warning("settled %d reply send(s) left unfinished by a stopped worker", len(rows))


async def requeue_after_restart(db: Database) -> None:
    """The in-process broker lost its queue with the previous process: every queued reply
    is published again, and sends it left unfinished are settled now."""
    await _settle_stale(db, timedelta(0))
    async with db.session() as session:
        await session.execute(
            update(Message)
            .where(
                col(Message.status) == MessageStatus.queued, col(Message.direction) == "outbound"
            )
            .values(published_at=None)
        )
        await session.commit()
