"""The web chat widget's side: sessions, sending, and the visitor's feed.

The feed is the visitor's chat messages (theirs and the advisors' replies) in id order; its
``seq`` (the message id) is the resume point: a widget that reconnects with the last
``seq`` it showed gets exactly what came after, nothing lost, nothing twice. A reply still
queued holds back what follows it, so a later message is never shown before an earlier one
and the cursor never skips a reply that is sent late. A reply handed to the widget is
*delivered*.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlmodel import col, select

from channels.adapter import WebhookRequest
from channels.base import ParseResult
from channels.errors import InvalidVisitorToken
from channels.webchat.adapter import WebchatAdapter
from channels.webchat.upload import Upload
from router.errors import IdempotencyConflict
from router.intake import chat_files, chat_offline, chat_presence
from router.intake.accept import IntakeWriter
from router.intake.channel import IntakeSummary, OriginalPolicy, accept_parsed
from router.models import Message
from router.models.conversations import MessageStatus
from router.models.queues import VisitorStanding
from router.routing import standing
from router.store import Database
from router.store.types import utcnow
from router.tickets import events

CHANNEL = "chat"
FEED_LIMIT = 100
_PENDING = (MessageStatus.queued, MessageStatus.sending)
_NO_ORIGINAL = OriginalPolicy(keep_bytes=0)
#: Wakes a visitor's open sockets in this process (router.intake.chat_hub.ChatHub.notify).
Wake = Callable[[str], None]


# Answer of POST /v1/chat/sessions.
class ChatSession(BaseModel):
    token: str = Field(
        description="the visitor's chat token: send it as a bearer token on every chat call and "
        "the WebSocket"
    )
    visitor_id: str = Field(
        description="stable id of this visitor (keep it to resume the conversation after a reload)"
    )
    expires_at: datetime = Field(
        description="when the token stops working (UTC); start a new session after"
    )


def start_session(adapter: WebchatAdapter, authorization: str | None) -> ChatSession:
    """A new visitor, or the same one again when a still-valid token is presented."""
    visitor_id = None
    if authorization:
        try:
            visitor_id = adapter.session(
                WebhookRequest.of(b"", {"authorization": authorization})
            ).visitor_id
        except InvalidVisitorToken:
            visitor_id = None  # expired or foreign: a new visitor
    token, session = adapter.start_session(visitor_id)
    return ChatSession(token=token, visitor_id=session.visitor_id, expires_at=session.expires_at)


def _nobody(_visitor_id: str) -> None:
    return None


async def post_message(
    db: Database,
    writer: IntakeWriter,
    adapter: WebchatAdapter,
    request: WebhookRequest,
    wake: Wake = _nobody,
) -> IntakeSummary:
    """A visitor's message, through the same intake as every channel. The widget is our
    own client: a message id reused for other text is refused, as on ``POST /v1/messages``.
    ``wake`` tells the visitor's open sockets to show it (router.intake.chat_hub)."""
    return await _accept(db, writer, adapter.receive(request), wake)


async def _accept(
    db: Database, writer: IntakeWriter, parsed: ParseResult, wake: Wake
) -> IntakeSummary:
    summary = await accept_parsed(db, writer, parsed, _NO_ORIGINAL, source="web chat")
    if summary.conflicts:
        raise IdempotencyConflict(
            "this message id was already used for another message",
            message_id=summary.ids[0],
            field="id",
        )
    wake(parsed.messages[0].sender_address)
    return summary


async def post_file(
    db: Database,
    writer: IntakeWriter,
    adapter: WebchatAdapter,
    request: WebhookRequest,
    upload: Upload,
    wake: Wake = _nobody,
) -> IntakeSummary:
    """A file the visitor sends: a message of its own whose attachment keeps the bytes."""
    return await _accept(db, writer, adapter.receive_upload(request, upload), wake)


async def feed(db: Database, visitor_id: str, after: int, limit: int = FEED_LIMIT) -> list[Message]:
    """The visitor's messages after ``after``, in order, up to the first reply not yet sent."""
    async with db.read_session() as session:
        mine = await session.scalars(
            select(Message)
            .where(
                col(Message.channel) == CHANNEL,
                col(Message.sender_address) == visitor_id,
                col(Message.direction) == "inbound",
                col(Message.id) > after,
            )
            .order_by(col(Message.id))
            .limit(limit)
        )
        replies = await session.scalars(
            select(Message)
            .where(
                col(Message.channel) == CHANNEL,
                col(Message.recipient_address) == visitor_id,
                col(Message.id) > after,
            )
            .order_by(col(Message.id))
            .limit(limit)
        )
        rows = sorted([*mine, *replies], key=lambda m: m.id or 0)[:limit]
    shown = []
    for message in rows:
        if message.direction == "outbound" and message.status in _PENDING:
            break
        if message.direction == "outbound" and message.status == MessageStatus.failed:
            continue
        shown.append(message)
    return shown


def frame(message: Message) -> dict[str, Any]:
    """The widget's view of one message."""
    agent = message.direction == "outbound"
    moment = message.sent_at or message.received_at
    return {
        "type": "message",
        "seq": message.id,
        "id": f"agent_{message.external_id}" if agent else message.external_id.partition(":")[2],
        "author": "agent" if agent else "visitor",
        "author_name": message.sender_name if agent else None,
        "text": message.text,
        "sent_at": moment.isoformat().replace("+00:00", "Z"),
        "attachments": chat_files.described(message),
        # "csat": the satisfaction survey, whose link the widget turns into a form.
        "purpose": message.meta.get("purpose") if agent else None,
    }


async def mark_delivered(db: Database, messages: Sequence[Message]) -> int:
    """Replies just handed to the widget: sent -> delivered, with a timeline event."""
    fresh = [m for m in messages if m.direction == "outbound" and m.status == MessageStatus.sent]
    if not fresh:
        return 0
    async with db.session() as session:
        changed = set(
            await session.scalars(
                update(Message)
                .where(
                    col(Message.id).in_([m.id for m in fresh]),
                    col(Message.status) == MessageStatus.sent,
                )
                .values(status=MessageStatus.delivered)
                .returning(col(Message.id))
            )
        )
        for message in fresh:
            if message.id in changed:  # another connection of the visitor may have been first
                events.record(
                    session,
                    "message.delivered",
                    customer_id=message.customer_id,
                    conversation_id=message.conversation_id,
                    message_id=message.id,
                    channel=CHANNEL,
                    at=utcnow().isoformat(),
                )
        await session.commit()
    return len(changed)


async def recently_sent(db: Database, since: datetime) -> set[str]:
    """Visitors with a reply sent since ``since`` (by any process): wake their sockets."""
    async with db.read_session() as session:
        rows = await session.scalars(
            select(Message.recipient_address)
            .where(
                col(Message.status) == MessageStatus.sent,
                col(Message.channel) == CHANNEL,
                col(Message.sent_at) >= since,
            )
            .distinct()
        )
        return {r for r in rows if r}


async def socket_message(
    db: Database,
    writer: IntakeWriter,
    adapter: WebchatAdapter,
    token: str,
    frame: dict[str, Any],
) -> dict[str, Any]:
    """A message frame from a visitor's WebSocket: stored like a REST post; the ack frame."""
    body = orjson.dumps({k: v for k, v in frame.items() if k != "type"})
    request = WebhookRequest.of(body, {"authorization": f"Bearer {token}"})
    summary = await post_message(db, writer, adapter, request)
    return {
        "type": "ack",
        "id": frame.get("id"),
        "seq": summary.ids[0],
        "duplicate": summary.duplicates > 0,
    }


# Answer of GET /v1/chat/messages.
class ChatFeed(BaseModel):
    messages: list[dict[str, Any]] = Field(
        description="the conversation's messages after the resume point, oldest first (the "
        "visitor's and the advisors' replies)"
    )
    after: int = Field(
        description="the resume point: pass it back as ?after= (or to the WebSocket) to get only "
        "newer messages"
    )  # the resume point: pass it back as ?after= (or to the WebSocket)


def visitor_of(adapter: WebchatAdapter, authorization: str | None) -> str:
    """The visitor id of a verified ``Bearer <visitor token>`` (``InvalidVisitorToken``)."""
    request = WebhookRequest.of(b"", {"authorization": authorization or ""})
    return adapter.session(request).visitor_id


async def visitor_feed(
    db: Database, adapter: WebchatAdapter, authorization: str | None, after: int
) -> ChatFeed:
    """Polling and resuming without a WebSocket: the feed after ``after``. A widget that
    polls is present: a mark left by a closed socket goes."""
    visitor_id = visitor_of(adapter, authorization)
    await chat_presence.present(db, visitor_id)
    messages = await feed(db, visitor_id, after)
    await mark_delivered(db, messages)
    return ChatFeed(
        messages=[frame(m) for m in messages], after=messages[-1].id if messages else after
    )


async def visitor_standing(
    db: Database, adapter: WebchatAdapter, authorization: str | None
) -> VisitorStanding | None:
    """Where the visitor's conversation stands in its queue ("you are 3rd, about 2 min")."""
    return await standing_of(db, visitor_of(adapter, authorization))


async def standing_of(db: Database, visitor_id: str) -> VisitorStanding | None:
    async with db.read_session() as session:
        conversation = await standing.waiting_chat(session, visitor_id)
        if conversation is None:
            return None
        found = await standing.of(session, conversation, shared_rate=True)
        offer = await chat_offline.leave_message_offer(session, conversation, utcnow())
    return None if found is None else VisitorStanding.of(found, offer)


def queue_frame(current: VisitorStanding | None) -> dict[str, Any]:
    """The socket frame telling the visitor where they stand (``position`` null: served)."""
    if current is None:
        return {"type": "queue", "position": None}
    return {"type": "queue", **current.model_dump(mode="json")}
