"""Channel messages into the intake: what an adapter parsed, stored like ``POST /v1/messages``.

Webhooks, the SMTP listener, the raw-email endpoint and the email importer all end here. A
parsed message becomes one ``message`` row (idempotent on channel + provider message id:
provider retries are duplicates), its attachments and its original bytes, in the intake's
group-committed transaction: stored before the provider gets its 2xx. Automated mail
(bounces, complaints, read receipts, auto-replies) is stored *held*: linked to the thread it
is about and never routed to an advisor (router.intake.automated_mail). Delivery and read
statuses update our outbound messages (router.intake.receipts). Parts the adapter chose
to ignore are logged with the reason, never stored.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from channels.base import Attachment, InboundMessage, MessageKind, ParseResult
from router.customers.identities import normal_email, normal_phone
from router.intake import automated_mail, idempotency, receipts
from router.intake.accept import IntakeWriter, Submission
from router.intake.record import InboundRecord
from router.models.conversations import MessageStatus
from router.store import Database
from router.store.types import utcnow

log = logging.getLogger(__name__)

ROUTED_KINDS = frozenset({MessageKind.message, MessageKind.postback})
RAW_TYPES = {"email": "message/rfc822"}


# Answer of the webhook and raw-email endpoints.
class IntakeSummary(BaseModel):
    messages: int = Field(default=0, description="messages newly stored")  # newly stored
    duplicates: int = Field(
        default=0, description="messages already stored (provider retries), conflicts included"
    )  # already stored (provider retries), conflicts included
    conflicts: int = Field(
        default=0, description="already stored with other content: the stored one is kept"
    )  # already stored with other content: the stored one is kept
    statuses: int = Field(
        default=0, description="delivery and read receipts applied"
    )  # delivery/read receipts applied
    ignored: int = Field(
        default=0,
        description="parts acknowledged and logged but not stored (unsupported event types)",
    )  # parts acknowledged and logged, not stored
    ids: list[int] = Field(
        default=[], description="ids of the messages newly stored, in payload order"
    )


@dataclass(frozen=True)
class OriginalPolicy:
    keep_bytes: int  # raw originals above this are described, not kept


def _contacts(message: InboundMessage) -> tuple[str | None, str | None]:
    """The email address and phone number this message proves the sender has. An address a
    chat visitor types is not proof (anyone can type anyone's): it stays in the metadata as
    a hint for the advisor and never links the visitor to an existing customer."""
    email = message.sender_address if message.channel == "email" else None
    phone = f"+{message.sender_address}" if message.channel == "whatsapp" else None
    return normal_email(email), normal_phone(phone)


def _metadata(message: InboundMessage) -> dict[str, Any]:
    meta: dict[str, Any] = dict(message.metadata)
    meta["kind"] = message.kind.value
    if message.postback_payload is not None:
        meta["postback_payload"] = message.postback_payload
    threading = message.threading
    if threading.message_id or threading.in_reply_to or threading.references:
        meta["threading"] = {
            "message_id": threading.message_id,
            "in_reply_to": threading.in_reply_to,
            "references": list(threading.references),
        }
    if message.attachments:
        meta["attachments"] = [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in message.attachments
        ]
    return meta


def _attachment_row(position: int, attachment: Attachment) -> dict[str, Any]:
    return {
        "position": position,
        "filename": attachment.filename[:255] if attachment.filename else None,
        "content_type": attachment.content_type[:255],
        "size": attachment.size,
        "url": attachment.url[:2000] if attachment.url else None,
        "provider_ref": attachment.provider_ref[:200] if attachment.provider_ref else None,
        "content_id": attachment.content_id[:300] if attachment.content_id else None,
        "omitted": attachment.omitted[:300] if attachment.omitted else None,
        "content": attachment.content,
    }


def _original_row(message: InboundMessage, policy: OriginalPolicy) -> dict[str, Any] | None:
    if message.raw is None:
        return None
    size = len(message.raw)
    kept = size <= policy.keep_bytes
    return {
        "content_type": RAW_TYPES.get(message.channel, "application/octet-stream"),
        "size": size,
        "raw": message.raw if kept else None,
        "omitted": None if kept else f"original of {size} bytes is above the kept limit",
        "created_at": utcnow(),
    }


def is_held(message: InboundMessage) -> bool:
    """Automated mail, or a message without a sender: stored, linked, never routed."""
    return message.kind not in ROUTED_KINDS or not message.sender_address


def record(message: InboundMessage) -> InboundRecord:
    """What an adapter parsed, as the intake's one typed record."""
    email, phone = _contacts(message)
    return InboundRecord(
        channel=message.channel,
        external_id=message.provider_message_id,
        sender_address=message.sender_address,
        sender_name=message.sender_name,
        sender_email=email,
        sender_phone=phone,
        subject=message.subject,
        text=message.text,
        sent_at=message.sent_at,
        metadata=_metadata(message),
        status=MessageStatus.held if is_held(message) else MessageStatus.received,
        review_reason=message.review_reason,
    )


def submission(message: InboundMessage, policy: OriginalPolicy) -> Submission:
    """The record, attachment rows and original that store ``message``."""
    return Submission(
        record=record(message),
        attachments=tuple(_attachment_row(i, a) for i, a in enumerate(message.attachments)),
        original=_original_row(message, policy),
    )


async def accept_parsed(
    db: Database,
    writer: IntakeWriter,
    result: ParseResult,
    policy: OriginalPolicy,
    *,
    source: str,
) -> IntakeSummary:
    """Store what a provider request held; committed when this returns."""
    submissions = [submission(m, policy) for m in result.messages]
    if len(submissions) == 1:  # the usual webhook: no task per message on the hot path
        answers = [await writer.submit(submissions[0])]
    else:
        answers = list(await asyncio.gather(*map(writer.submit, submissions)))
    held = [
        answer.id
        for answer, message in zip(answers, result.messages, strict=True)
        if not answer.duplicate and is_held(message)
    ]
    if held:
        await automated_mail.link_held(db, held)
    applied = await receipts.apply(db, result.statuses) if result.statuses else 0
    conflicts = [a.id for a in answers if isinstance(a, idempotency.Mismatch)]
    if conflicts:
        log.warning(
            "%s: message ids reused with other content, kept as stored: %s", source, conflicts
        )
    for part in result.ignored:
        # The reason and place only: the part itself may hold personal data.
        log.info("%s: ignored %s (%s)", source, part.where or "payload", part.reason)
    return IntakeSummary(
        messages=sum(not a.duplicate for a in answers),
        duplicates=sum(a.duplicate for a in answers),
        conflicts=len(conflicts),
        statuses=applied,
        ignored=len(result.ignored),
        ids=[a.id for a in answers],
    )
