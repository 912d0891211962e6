"""The normalised shapes every adapter produces and consumes: the contract with the router.

Adapters turn a provider payload into a ``ParseResult`` (messages, delivery/read statuses and
the parts deliberately ignored, each with a reason) and an ``OutboundMessage`` into a
``SendResult``. Every string in these objects is storable (no NUL, no lone surrogate) and
``metadata`` is JSON-safe, so the router can persist them without further checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from channels.text import json_safe


class MessageKind(StrEnum):
    message = "message"  # something a person wrote
    postback = "postback"  # a button, quick reply or menu choice (``postback_payload`` set)
    bounce = "bounce"  # a delivery failure report about one of our emails (DSN)
    complaint = "complaint"  # an abuse/spam report (ARF feedback report)
    auto_reply = "auto_reply"  # out-of-office and other automatic answers (RFC 3834)
    receipt = "receipt"  # an email read receipt (MDN)
    unreadable = "unreadable"  # the provider could not pass the content on (``review_reason``)


class DeliveryState(StrEnum):
    sent = "sent"
    delivered = "delivered"
    read = "read"
    failed = "failed"
    deleted = "deleted"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with (or goes with) a message.

    Inbound: ``url`` for providers that host the file, ``provider_ref`` for those that hand
    out a media id to resolve later (WhatsApp), ``content`` for email parts within the size
    limit; ``omitted`` says why ``content`` is None when bytes existed (above the size
    limit; an enclosed message, whose bytes stay in the original's ``raw``).
    Outbound: email sends ``content``; Meta uploads ``content`` (then names the file by the
    ``provider_ref`` it got) or links ``url``; web chat gives the visitor ``url``.
    """

    filename: str | None
    content_type: str
    size: int | None = None
    url: str | None = None
    provider_ref: str | None = None
    content: bytes | None = field(default=None, repr=False)
    content_id: str | None = None  # inline parts referenced by cid: from HTML
    omitted: str | None = None

    def describe(self) -> dict[str, Any]:
        """JSON-safe description (no bytes) for metadata and logs."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "url": self.url,
            "provider_ref": self.provider_ref,
            "content_id": self.content_id,
            "kept": self.content is not None,
            "omitted": self.omitted,
        }


@dataclass(frozen=True, slots=True)
class Threading:
    """Ids that place a message in a thread; email ids keep their angle brackets."""

    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()

    def ancestors(self) -> tuple[str, ...]:
        """Ids this message answers, most recent first: where to look for its conversation."""
        ordered = [self.in_reply_to] if self.in_reply_to else []
        ordered += [ref for ref in reversed(self.references) if ref != self.in_reply_to]
        return tuple(ordered)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a customer (or a report about one of ours: see ``kind``).

    ``provider_message_id`` is stable across provider retries: (channel, provider_message_id)
    is the idempotency key. ``text`` is what is new in this message (quoted history and
    signature removed); ``full_text`` is everything readable; ``raw`` the original bytes when
    the provider sends a document (email). ``review_reason`` is set when a person should look
    at the original because the parser could not do its job completely.
    """

    channel: str
    provider_message_id: str
    sender_address: str
    text: str
    sender_name: str | None = None
    full_text: str = ""
    subject: str | None = None
    attachments: tuple[Attachment, ...] = ()
    threading: Threading = Threading()
    sent_at: datetime | None = None
    kind: MessageKind = MessageKind.message
    postback_payload: str | None = None
    review_reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    raw: bytes | None = field(default=None, repr=False)

    @property
    def needs_review(self) -> bool:
        return self.review_reason is not None


@dataclass(frozen=True, slots=True)
class ProviderError:
    """An error the provider reported about one of our outbound messages."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class InboundStatus:
    """A delivery or read receipt about messages we sent.

    ``provider_message_ids`` names the outbound messages; some providers only send a
    ``watermark`` instead ("everything sent to this recipient up to this time").
    ``provider_event_id`` is stable across retries, for idempotent storage.
    """

    channel: str
    provider_event_id: str
    state: DeliveryState
    recipient_address: str
    provider_message_ids: tuple[str, ...] = ()
    at: datetime | None = None
    watermark: datetime | None = None
    error: ProviderError | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ignored:
    """A part of a payload deliberately not turned into a message, and why (never silent)."""

    reason: str
    where: str = ""  # e.g. "entry[0].changes[1]"
    event: dict[str, Any] = field(default_factory=dict)  # the JSON-safe part itself


@dataclass(frozen=True, slots=True)
class ParseResult:
    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[InboundStatus, ...] = ()
    ignored: tuple[Ignored, ...] = ()

    @classmethod
    def ignoring(cls, reason: str, where: str = "", part: Any = None) -> ParseResult:
        """A result that only records why (part of) a payload was not used."""
        event = json_safe(part) if isinstance(part, dict) else {"value": json_safe(part)}
        return cls(ignored=(Ignored(reason=reason, where=where, event=event),))

    def __add__(self, other: ParseResult) -> ParseResult:
        return ParseResult(
            self.messages + other.messages,
            self.statuses + other.statuses,
            self.ignored + other.ignored,
        )


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A reply (or first message) to send to ``to`` on ``channel``.

    ``to`` is the channel address: email address, PSID, IGSID, WhatsApp id, X user id or
    web-chat visitor id. ``reply_to`` is the threading of the message answered (email builds
    In-Reply-To/References from it; WhatsApp quotes ``reply_to.message_id``).
    ``idempotency_key`` (the router's outbound row id) makes the email Message-ID stable
    across retries of the same reply.
    """

    channel: str
    to: str
    text: str
    subject: str | None = None
    reply_to: Threading | None = None
    attachments: tuple[Attachment, ...] = ()
    to_name: str | None = None
    idempotency_key: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the provider answered: the id its receipts and replies will refer to."""

    provider_message_id: str
    attempts: int = 1
    provider_message_ids: tuple[str, ...] = ()  # every id when the send took several parts
    metadata: dict[str, Any] = field(default_factory=dict)
