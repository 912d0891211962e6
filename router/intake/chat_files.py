"""Files of a web chat, downloaded by its visitor: their own uploads and the advisors'.

A file is addressed by its message and its position in that message, and only the
visitor of that chat may fetch it: their token must name the message's sender (their
upload) or its recipient (an advisor's reply, once sent). Anything else, including a file
whose bytes were erased, is "not found", so ids of other chats reveal nothing.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from channels.adapter import WebhookRequest
from channels.webchat.adapter import WebchatAdapter
from router.errors import NotFound
from router.models import Message, MessageAttachment
from router.models.conversations import MessageStatus
from router.store import Database

CHANNEL = "chat"
_SHOWN = (MessageStatus.sent, MessageStatus.delivered, MessageStatus.read)


def chat_url(message_id: int, position: int) -> str:
    """Where the visitor downloads a file (path relative to the service; token in a header)."""
    return f"/v1/chat/messages/{message_id}/files/{position}"


def described(message: Message) -> list[dict[str, Any]]:
    """The message's files as the widget shows them, each with its address (every web-chat
    file is kept: the visitor's uploads and the advisors' files alike)."""
    files = message.meta.get("attachments") or []
    if message.id is None:
        return list(files)
    return [
        {**file, "url": chat_url(message.id, position)}
        for position, file in enumerate(files)
        if isinstance(file, dict)
    ]


def _visitors(message: Message, visitor_id: str) -> bool:
    if message.channel != CHANNEL:
        return False
    if message.direction == "inbound":
        return message.sender_address == visitor_id
    return message.recipient_address == visitor_id and message.status in _SHOWN


async def visitor_file(
    db: Database,
    adapter: WebchatAdapter,
    authorization: str | None,
    message_id: int,
    position: int,
) -> MessageAttachment:
    """The file, if the token's visitor may have it (``InvalidVisitorToken``, ``NotFound``)."""
    request = WebhookRequest.of(b"", {"authorization": authorization or ""})
    visitor_id = adapter.session(request).visitor_id
    async with db.read_session() as session:
        message = await session.get(Message, message_id)
        row = await session.scalar(
            select(MessageAttachment).where(
                col(MessageAttachment.message_id) == message_id,
                col(MessageAttachment.position) == position,
            )
        )
    if message is None or not _visitors(message, visitor_id) or row is None or not row.content:
        raise NotFound(f"no file {position} in message {message_id} of your chat")
    return row
