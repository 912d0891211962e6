"""Reading what came with a message: its attachments and its original bytes.

Whoever may read the message may read these (team isolation included); the bytes are
returned as stored, with the type the sender declared. A WhatsApp or Messenger file is
fetched from the provider on its first download (router.intake.provider_media).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from router.errors import NotFound
from router.intake import provider_media
from router.intake.channel_set import ChannelSet
from router.models import MessageAttachment, MessageOriginal
from router.models.attachments import AttachmentPublic
from router.security.principal import Principal
from router.store import Database
from router.tickets.conversations import get_message


def _public(row: MessageAttachment, channel: str) -> AttachmentPublic:
    kept = row.content is not None
    return AttachmentPublic.model_validate(
        {
            **row.model_dump(exclude={"content"}),
            "kept": kept,
            "downloadable": kept or provider_media.fetchable(channel, row),
        }
    )


async def list_attachments(
    db: Database, message_id: int, viewer: Principal, *, after_id: int = 0, limit: int = 100
) -> Sequence[AttachmentPublic]:
    """A page of the message's attachments in id order (their order in the message: they
    are inserted in position order)."""
    message = await get_message(db, message_id, viewer)
    async with db.read_session() as session:
        rows = await session.scalars(
            select(MessageAttachment)
            .where(
                col(MessageAttachment.message_id) == message_id,
                col(MessageAttachment.id) > after_id,
            )
            .order_by(col(MessageAttachment.id))
            .limit(limit)
        )
        return [_public(row, message.channel) for row in rows]


@dataclass(frozen=True)
class MediaSource:
    """Where files hosted by a provider are fetched from, and the largest one fetched."""

    channels: ChannelSet
    max_bytes: int


async def attachment_content(
    db: Database,
    message_id: int,
    attachment_id: int,
    viewer: Principal,
    media: MediaSource | None = None,
) -> MessageAttachment:
    message = await get_message(db, message_id, viewer)
    async with db.read_session() as session:
        row = await session.get(MessageAttachment, attachment_id)
    if row is None or row.message_id != message_id:
        raise NotFound(f"attachment {attachment_id} does not exist", field="attachment_id")
    if media is not None and provider_media.fetchable(message.channel, row):
        return await provider_media.fetch(db, media.channels, message.channel, row, media.max_bytes)
    if row.content is None:
        why = row.omitted or "the provider hosts it (see its url)"
        raise NotFound(
            f"attachment {attachment_id} has no stored bytes: {why}", field="attachment_id"
        )
    return row


async def original(db: Database, message_id: int, viewer: Principal) -> MessageOriginal:
    await get_message(db, message_id, viewer)
    async with db.read_session() as session:
        row = await session.get(MessageOriginal, message_id)
    if row is None or row.raw is None:
        reason = row.omitted if row is not None else "this message came without one"
        raise NotFound(f"no original stored for message {message_id}: {reason}")
    return row
