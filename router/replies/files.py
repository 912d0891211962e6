"""Files an advisor attaches to a reply: checked, stored like an inbound message's
attachments (``message_attachment`` rows with the bytes), and handed to the adapter.

Only channels that carry files take them: e-mail (MIME parts), web chat (the visitor
downloads them with their token, router.intake.chat_files), WhatsApp and Messenger (uploaded
through the provider's media API by the adapter). The types are those a browser shows
safely or a customer expects from a service desk; HTML, SVG and executables never go out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from channels.base import Attachment
from channels.text import storable
from router.errors import InvalidRequest, TooLarge
from router.intake.chat_files import chat_url
from router.models import Message, MessageAttachment
from router.replies.schemas import ReplyCreate
from router.settings import Settings
from router.store import Database

FILE_CHANNELS = frozenset({"email", "chat", "whatsapp", "messenger"})
ALLOWED_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
    }
)


@dataclass(frozen=True, slots=True)
class ReplyFile:
    """One file of a reply as the advisor sent it."""

    filename: str
    content_type: str
    content: bytes = b""


@dataclass(frozen=True, slots=True)
class Attached:
    """The files of one reply and the limits they must fit (from the settings)."""

    files: tuple[ReplyFile, ...] = ()
    max_files: int = 5
    max_bytes: int = 5 * 1024 * 1024


def attached(data: ReplyCreate, settings: Settings) -> Attached:
    """The files of a reply's body, with the limits the settings give them."""
    return Attached(
        files=tuple(ReplyFile(a.filename, a.content_type, a.content) for a in data.attachments),
        max_files=settings.reply_max_files,
        max_bytes=settings.reply_file_max_bytes,
    )


def checked(attached: Attached, channel: str) -> list[ReplyFile]:
    """The files, their names made safe, once each is within the limits (4xx otherwise)."""
    files, max_files, max_bytes = attached.files, attached.max_files, attached.max_bytes
    if not files:
        return []
    if channel not in FILE_CHANNELS:
        carriers = ", ".join(sorted(FILE_CHANNELS))
        raise InvalidRequest(
            f"files cannot be sent on {channel}; channels that carry them: {carriers}",
            field="channel",
        )
    if len(files) > max_files:
        raise InvalidRequest(
            f"{len(files)} files; a reply carries at most {max_files}", field="files"
        )
    return [_one(file, max_bytes) for file in files]


def _one(file: ReplyFile, max_bytes: int) -> ReplyFile:
    name = storable(file.filename.replace("/", "_").replace("\\", "_")).strip()[:255] or "file"
    media_type = file.content_type.partition(";")[0].strip().lower()
    if media_type not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise InvalidRequest(
            f"{name}: {media_type or 'no type'} is not accepted ({allowed})", field="files"
        )
    if not file.content:
        raise InvalidRequest(f"{name} is empty", field="files")
    if len(file.content) > max_bytes:
        raise TooLarge(f"{name} is {len(file.content)} bytes; the limit is {max_bytes}")
    return ReplyFile(filename=name, content_type=media_type, content=file.content)


def store(session: AsyncSession, message: Message, files: Sequence[ReplyFile]) -> None:
    """Add the files' rows to the reply (flushed: it has its id) and describe them in its
    metadata, as an inbound message's are (the widget's feed reads that description)."""
    assert message.id is not None
    for position, file in enumerate(files):
        session.add(
            MessageAttachment(
                message_id=message.id,
                position=position,
                filename=file.filename,
                content_type=file.content_type,
                size=len(file.content),
                content=file.content,
            )
        )
    message.meta = {**message.meta, "attachments": [_described(f) for f in files]}


def _described(file: ReplyFile) -> dict[str, Any]:
    return Attachment(
        filename=file.filename,
        content_type=file.content_type,
        size=len(file.content),
        content=file.content,
    ).describe()


async def outbound(db: Database, message: Message) -> tuple[Attachment, ...]:
    """The reply's files as the adapter sends them: the bytes, and for web chat the address
    the visitor fetches them from."""
    if not message.meta.get("attachments") or message.id is None:
        return ()
    async with db.read_session() as session:
        rows = await session.scalars(
            select(MessageAttachment)
            .where(col(MessageAttachment.message_id) == message.id)
            .order_by(col(MessageAttachment.position))
        )
        return tuple(
            Attachment(
                filename=row.filename,
                content_type=row.content_type,
                size=row.size,
                content=row.content,
                url=chat_url(message.id, row.position) if message.channel == "chat" else None,
            )
            for row in rows
        )
