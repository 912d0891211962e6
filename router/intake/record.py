"""The one typed record every intake path builds: REST, provider webhooks, e-mail, web chat.

``InboundRecord`` is what the intake knows of a message before it is stored; ``row()`` is the
only conversion to the ``message`` table (column limits applied there, once), so the REST
endpoint and the channel adapters can never store the same message differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from channels.text import stable_id
from router.models.conversations import MessageCreate, MessageStatus
from router.store.types import utcnow

#: (channel, external id): the idempotency key of an inbound message.
Key = tuple[str, str]


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """An inbound message as accepted: who sent it, what it says, and whether it is routed
    (``received``) or kept for review (``held``, with the reason)."""

    channel: str
    external_id: str
    sender_address: str
    text: str
    sender_name: str | None = None
    sender_email: str | None = None  # proven by the channel, never typed by the sender
    sender_phone: str | None = None  # proven by the channel, never typed by the sender
    subject: str | None = None
    sent_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    status: MessageStatus = MessageStatus.received
    review_reason: str | None = None
    received_at: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        # One key rule for every path (router.intake.idempotency): a webhook's "id " and the
        # API's "id " are the same message.
        object.__setattr__(self, "external_id", stable_id(self.external_id))

    @classmethod
    def of_api(cls, payload: MessageCreate) -> InboundRecord:
        """An integrator's ``POST /v1/messages`` (already validated by its schema)."""
        return cls(
            channel=payload.channel.value,
            external_id=payload.external_id,
            sender_address=payload.sender.id,
            sender_name=payload.sender.name,
            sender_email=payload.sender.email,
            sender_phone=payload.sender.phone,
            subject=payload.subject,
            text=payload.text,
            sent_at=payload.sent_at,
            metadata=payload.metadata,
        )

    @property
    def key(self) -> Key:
        return (self.channel, self.external_id)

    @property
    def routed(self) -> bool:
        """Whether the pipeline takes it once stored (held messages are only kept)."""
        return self.status == MessageStatus.received

    def row(self) -> dict[str, Any]:
        """The ``message`` row, within the columns' limits."""
        return {
            "channel": self.channel,
            "external_id": self.external_id,
            "direction": "inbound",
            "sender_address": self.sender_address[:320],
            "sender_name": _clip(self.sender_name, 200),
            "sender_email": _clip(self.sender_email, 320),
            "sender_phone": _clip(self.sender_phone, 40),
            "subject": _clip(self.subject, 998),
            "text": self.text,
            "sent_at": self.sent_at,
            "received_at": self.received_at,
            "metadata": self.metadata,
            "status": self.status,
            "review_reason": _clip(self.review_reason, 500),
        }
