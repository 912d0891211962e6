"""A customer's WhatsApp or Messenger file, fetched from the provider when first wanted.

Meta hosts these files: WhatsApp hands out a media id whose download URL needs our token
and expires within minutes, Messenger a signed URL that expires within days. So the bytes
are fetched by the channel's adapter, with the channel's credentials, when an advisor
first asks, and kept like an e-mail's attachment: the page never holds a provider token,
and later downloads do not depend on the provider.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from channels.base import Attachment
from channels.errors import SendError
from channels.meta.adapter import MetaAdapter
from router.errors import NotFound, ProviderFailed, TooLarge
from router.intake.channel_set import ChannelSet
from router.models import MessageAttachment
from router.store import Database

MEDIA_CHANNELS = frozenset({"whatsapp", "messenger", "instagram"})


def fetchable(channel: str, row: MessageAttachment) -> bool:
    """Whether the provider can hand over this file's bytes (none kept here yet); a link
    preview or a shared post (``application/vnd.meta.*``) is a page, not a file."""
    hosted = bool(row.provider_ref if channel == "whatsapp" else row.url)
    page = row.content_type.startswith("application/vnd.meta.")
    kept = row.content is not None or row.omitted is not None
    return channel in MEDIA_CHANNELS and hosted and not page and not kept


async def fetch(
    db: Database, channels: ChannelSet, channel: str, row: MessageAttachment, max_bytes: int
) -> MessageAttachment:
    """``row`` with its bytes, fetched through the channel's adapter and kept."""
    adapter = channels.receivers.get(channel)
    if not isinstance(adapter, MetaAdapter):
        raise NotFound(f"the {channel} channel is not configured here: its files cannot be fetched")
    hosted = Attachment(
        filename=row.filename,
        content_type=row.content_type,
        url=row.url,
        provider_ref=row.provider_ref,
    )
    try:
        got = await adapter.download(hosted)
    except SendError as error:
        raise ProviderFailed(f"{channel} did not hand over the file: {error.detail}") from None
    if len(got.content) > max_bytes:
        raise TooLarge(
            f"the file is {len(got.content)} bytes; downloads from {channel} are limited to "
            f"{max_bytes} (AIGUILLAGE_MEDIA_DOWNLOAD_MAX_BYTES)"
        )
    # A vague declared type ("image/*", "application/octet-stream" for a Messenger file)
    # gives way to the type the file came with.
    declared = row.content_type
    vague = declared.endswith("/*") or declared == "application/octet-stream"
    content_type = (got.content_type if vague else declared)[:255]
    async with db.session() as session:
        await session.execute(
            update(MessageAttachment)
            .where(col(MessageAttachment.id) == row.id)
            .values(content=got.content, size=len(got.content), content_type=content_type)
        )
        await session.commit()
    row.content, row.size, row.content_type = got.content, len(got.content), content_type
    return row
