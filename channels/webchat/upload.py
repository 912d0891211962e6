"""A file the widget sends: the request body is the file itself (no multipart), its name and
the message id in the query, its type in ``Content-Type``. It becomes a visitor message whose
attachment keeps the bytes, as an e-mail's attachment does; only a short list of types that
browsers show safely is accepted (no HTML, no SVG, no executables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from channels.base import Attachment, InboundMessage
from channels.errors import InvalidFields, PayloadTooLarge
from channels.text import optional, storable
from channels.webchat.tokens import VisitorSession

CHANNEL = "chat"
ALLOWED_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
    }
)
_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")


@dataclass(frozen=True, slots=True)
class Upload:
    """What the query and headers say about the file in the body."""

    message_id: str
    filename: str
    content_type: str
    name: str | None = None


def _checked(upload: Upload, size: int, limit: int) -> str:
    """The file's media type, once the upload is within the limits."""
    if not _ID.fullmatch(upload.message_id):
        raise InvalidFields("web chat file refused: id: 1-100 of A-Z a-z 0-9 . _ : -", field="id")
    media_type = upload.content_type.partition(";")[0].strip().lower()
    if media_type not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise InvalidFields(
            f"web chat file refused: {media_type or 'no type'} is not accepted ({allowed})",
            field="content_type",
        )
    if size == 0:
        raise InvalidFields("web chat file refused: the file is empty", field="body")
    if size > limit:
        raise PayloadTooLarge(f"the file is {size} bytes; the limit is {limit}")
    return media_type


def parse_upload(
    body: bytes, upload: Upload, session: VisitorSession, limit: int
) -> InboundMessage:
    media_type = _checked(upload, len(body), limit)
    filename = storable(upload.filename.replace("/", "_").replace("\\", "_"))[:255] or "file"
    return InboundMessage(
        channel=CHANNEL,
        provider_message_id=f"{session.visitor_id}:{upload.message_id}",
        sender_address=session.visitor_id,
        sender_name=optional(upload.name),
        text="",
        full_text="",
        attachments=(
            Attachment(filename=filename, content_type=media_type, size=len(body), content=body),
        ),
    )
