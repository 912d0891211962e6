"""A message's attachments and original bytes (an email exactly as received)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Response

from router.api.deps import DB, AfterId, Limit, RuntimeDep
from router.api.guard import allow
from router.intake import attachments
from router.models import MessageAttachment
from router.models.advisors import Role
from router.models.attachments import AttachmentPublic
from router.models.security import Scope
from router.models.validation import IdPath
from router.security.principal import Principal

router = APIRouter(prefix="/v1/messages", tags=["messages"])
Reader = Annotated[Principal, allow(Role.advisor, Scope.messages_read)]
BINARY: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "the bytes"}
}


@router.get(
    "/{message_id}/attachments",
    response_model=list[AttachmentPublic],
    summary="A message's attachments (name, type, size; whether the bytes were kept)",
    description="In id order, a page at a time: pass the last id seen as `after_id`.",
)
async def list_attachments(
    db: DB, viewer: Reader, message_id: IdPath, after_id: AfterId = 0, limit: Limit = 100
) -> list[AttachmentPublic]:
    return list(
        await attachments.list_attachments(db, message_id, viewer, after_id=after_id, limit=limit)
    )


@router.get(
    "/{message_id}/attachments/{attachment_id}",
    response_class=Response,
    responses=BINARY,
    summary="Download an attachment's bytes",
    description="A WhatsApp or Messenger file is fetched from the provider on the first "
    "download, with the channel's credentials, and kept: 502 when the provider does not "
    "hand it over (an expired media id), 413 above AIGUILLAGE_MEDIA_DOWNLOAD_MAX_BYTES.",
)
async def get_attachment(
    db: DB, rt: RuntimeDep, viewer: Reader, message_id: IdPath, attachment_id: IdPath
) -> Response:
    media = attachments.MediaSource(rt.channels, rt.settings.media_download_max_bytes)
    row = await attachments.attachment_content(db, message_id, attachment_id, viewer, media)
    return file_response(row)


def file_response(row: MessageAttachment) -> Response:
    """The bytes as a download (never shown in the page: a file cannot run script here)."""
    filename = (row.filename or f"attachment-{row.id}").replace('"', "")
    return Response(
        row.content,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/{message_id}/original",
    response_class=Response,
    responses={200: {"content": {"message/rfc822": {}}, "description": "the original"}},
    summary="The message exactly as the provider sent it (an email's RFC 5322 bytes)",
)
async def get_original(db: DB, viewer: Reader, message_id: IdPath) -> Response:
    row = await attachments.original(db, message_id, viewer)
    return Response(
        row.raw,
        media_type=row.content_type,
        headers={"X-Content-Type-Options": "nosniff"},
    )
