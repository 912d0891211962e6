"""What came with an inbound message: its original bytes and its attachments."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary
from sqlmodel import Field, SQLModel

from router.store.types import UTCDateTime, utcnow


def _message_fk(primary_key: bool = False) -> Column[int]:
    return Column(
        "message_id",
        Integer,
        ForeignKey("message.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
        index=not primary_key,
    )


# The table: the message exactly as the provider sent it (an email's RFC 5322 bytes).
class MessageOriginal(SQLModel, table=True):
    __tablename__ = "message_original"

    message_id: int = Field(sa_column=_message_fk(primary_key=True))
    content_type: str = Field(max_length=100)
    size: int
    raw: bytes | None = Field(default=None, sa_type=LargeBinary)  # None: above the limit
    omitted: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Fields a client may see of an attachment.
class AttachmentBase(SQLModel):
    filename: str | None = Field(
        default=None,
        max_length=255,
        description="file name as sent; null when the channel gave none",
    )
    content_type: str = Field(
        max_length=255, description="MIME type (e.g. image/jpeg, application/pdf)"
    )
    size: int | None = Field(
        default=None, description="size in bytes; null when unknown (provider-hosted files)"
    )
    url: str | None = Field(
        default=None,
        max_length=2000,
        description="provider-hosted files: where the provider serves them; null when the bytes "
        "are stored here",
    )  # provider-hosted files
    provider_ref: str | None = Field(
        default=None,
        max_length=200,
        description="the provider's id for the file (e.g. a WhatsApp media id); null when none",
    )  # e.g. a WhatsApp media id
    content_id: str | None = Field(
        default=None,
        max_length=300,
        description="inline e-mail parts: the Content-ID the HTML refers to (cid:); null otherwise",
    )  # inline parts (cid:)
    omitted: str | None = Field(
        default=None,
        max_length=300,
        description="why the bytes were not kept (e.g. over the size limit); null when kept or "
        "hosted by the provider",
    )  # why the bytes were not kept


# The table: one file of a message; ``content`` within the configured size limit.
class MessageAttachment(AttachmentBase, table=True):
    __tablename__ = "message_attachment"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(sa_column=_message_fk())
    position: int = 0
    content: bytes | None = Field(default=None, sa_type=LargeBinary)


# Returned by GET /v1/messages/{id}/attachments.
class AttachmentPublic(AttachmentBase):
    id: int = Field(
        description="attachment id (download: GET "
        "/v1/messages/{message_id}/attachments/{attachment_id})"
    )
    kept: bool = Field(description="true when the bytes are stored here and can be downloaded")
    downloadable: bool = Field(
        description="true when the download answers with the bytes: kept here, or a "
        "WhatsApp/Messenger file our service fetches from the provider on request"
    )
