"""The widget's messages: what it posts (validated, then normalised) and the frames it
receives. Our own contract, so it is a pydantic model the API can publish in its schema.

The sender is never taken from the body: it is the visitor id of the verified session
token. The widget gives each message an ``id`` of its own; ``<visitor id>:<id>`` is the
provider message id, so a widget that resends after a network error creates no duplicate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from channels.base import Attachment, InboundMessage, OutboundMessage
from channels.errors import InvalidFields
from channels.text import iso_moment, json_object, optional, storable, utc
from channels.webchat.tokens import VisitorSession

CHANNEL = "chat"


class WidgetAttachment(BaseModel):
    """A file the widget already uploaded somewhere reachable (the API's upload endpoint)."""

    model_config = ConfigDict(extra="ignore")
    url: str = Field(max_length=2000, pattern=r"^https?://\S+$")
    filename: str | None = Field(default=None, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    size: int | None = Field(default=None, ge=0)


class WidgetMessage(BaseModel):
    """Body of a visitor's message (REST POST or WebSocket frame)."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,100}$", description="unique per visitor")
    text: str = Field(default="", max_length=10_000)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    sent_at: datetime | None = Field(default=None, description="ISO-8601; naive is UTC")
    page_url: str | None = Field(default=None, max_length=2000)
    attachments: list[WidgetAttachment] = Field(default_factory=list, max_length=10)
    reply_by: Literal["email"] | None = Field(
        default=None,
        description="'email': nobody could take the chat; the visitor asks to be answered by "
        "e-mail at `email` (replies to the conversation then go there)",
    )

    @field_validator("text", "name", "page_url")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        return None if value is None else storable(value)

    _iso = field_validator("sent_at", mode="before")(iso_moment)

    @field_validator("sent_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else utc(value)

    @model_validator(mode="after")
    def _not_empty(self) -> WidgetMessage:
        if not self.text.strip() and not self.attachments:
            raise ValueError("a message needs text or an attachment")
        if self.reply_by == "email" and not self.email:
            raise ValueError("reply_by 'email' needs the visitor's email")
        return self


def parse_widget_message(body: bytes, session: VisitorSession) -> InboundMessage:
    payload = json_object(body, "web chat message")
    try:
        message = WidgetMessage.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors()
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in errors[:5]
        )
        field = ".".join(str(p) for p in errors[0]["loc"]) or None
        raise InvalidFields(f"web chat message refused: {problems}", field=field) from None
    return InboundMessage(
        channel=CHANNEL,
        provider_message_id=f"{session.visitor_id}:{message.id}",
        sender_address=session.visitor_id,
        sender_name=optional(message.name),
        text=message.text.strip(),
        full_text=message.text.strip(),
        attachments=tuple(
            Attachment(
                filename=optional(a.filename),
                content_type=a.content_type,
                size=a.size,
                url=a.url,
            )
            for a in message.attachments
        ),
        sent_at=message.sent_at,
        metadata={
            "email": message.email,
            "page_url": message.page_url,
            **({"reply_by": message.reply_by} if message.reply_by else {}),
        },
    )


def render_frame(message: OutboundMessage, *, frame_id: str, sent_at: datetime) -> dict[str, Any]:
    """The JSON frame the widget shows for an advisor's reply."""
    return {
        "type": "message",
        "id": frame_id,
        "author": "agent",
        "author_name": message.metadata.get("advisor_name"),
        "text": message.text,
        "sent_at": sent_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "reply_to": message.reply_to.message_id if message.reply_to else None,
        "attachments": [
            {
                "url": a.url,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in message.attachments
        ],
    }
