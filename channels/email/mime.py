"""Walking a parsed MIME tree: body text, attachments, delivery reports, defects.

Text bodies are ``text/plain`` and ``text/html`` leaves that are not attachments; the caller
prefers the plain ones and falls back to HTML. Everything else is an attachment (name, type,
size, and the bytes within the configured limit). ``multipart/report`` parts (bounces,
complaints, read receipts) are summarised into ``report``. Nothing here raises on bad
input: problems are collected as defects (serious ones make the message need review) and
notes (how a charset was guessed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from channels.base import Attachment
from channels.email.decode import decode_bytes, header_text
from channels.email.threading import first_id
from channels.text import optional

MAX_DEPTH = 30
# Defects that mean the structure or the bytes are damaged, not just untidy headers.
SERIOUS_DEFECTS = frozenset(
    {
        "StartBoundaryNotFoundDefect",
        "CloseBoundaryNotFoundDefect",
        "MultipartInvariantViolationDefect",
        "NoBoundaryInMultipartDefect",
        "MissingHeaderBodySeparatorDefect",
        "InvalidBase64PaddingDefect",
        "InvalidBase64CharactersDefect",
        "InvalidBase64LengthDefect",
        "InvalidMultipartContentTransferEncodingDefect",
    }
)
_REPORT_FIELDS = ("final-recipient", "original-recipient", "action", "status", "diagnostic-code")
_FEEDBACK_FIELDS = ("feedback-type", "user-agent", "original-mail-from", "original-rcpt-to")
_MDN_FIELDS = ("disposition", "final-recipient", "original-message-id")


@dataclass
class Parts:
    """What the walk found; mutable while walking, read once at the end."""

    max_attachment_bytes: int
    # Leaf and enclosed parts read; the rest are counted, not read: a mail of 10,000 parts
    # must not become 10,000 attachment rows (nor 10,000 decodes).
    max_parts: int = 100
    read: int = 0
    skipped: int = 0
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    enclosed: list[Message] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report_type: str | None = None
    report: dict[str, Any] = field(default_factory=dict)
    original_message_id: str | None = None


def walk(part: Message, parts: Parts, depth: int = 0) -> None:
    parts.defects.extend(type(defect).__name__ for defect in part.defects)
    if depth > MAX_DEPTH:
        parts.defects.append(f"NestingDeeperThan{MAX_DEPTH}")
        return
    ctype = part.get_content_type()
    if ctype == "message/delivery-status":
        _delivery_status(part, parts)
    elif part.get_content_maintype() == "message" and part.is_multipart():
        if _room(parts):
            _enclosed(part, ctype, parts)
    elif part.is_multipart():
        if ctype == "multipart/report" and parts.report_type is None:
            parts.report_type = str(part.get_param("report-type", "")).lower() or "unknown"
        for child in part.get_payload():
            if isinstance(child, Message):
                walk(child, parts, depth + 1)
    elif _room(parts):
        _leaf(part, ctype, parts)


def _room(parts: Parts) -> bool:
    """Whether one more part may be read (counted either way)."""
    if parts.read < parts.max_parts:
        parts.read += 1
        return True
    parts.skipped += 1
    return False


def skipped_reason(parts: Parts) -> str | None:
    """Why parts are missing from the message (its review reason and a described row)."""
    if not parts.skipped:
        return None
    return (
        f"{parts.skipped} MIME parts beyond the limit of {parts.max_parts} per message were "
        "not read; they are in the original message"
    )


def describe_skipped(parts: Parts) -> None:
    """One described (bytes-less) attachment row standing for the parts not read."""
    reason = skipped_reason(parts)
    if reason is not None:
        parts.attachments.append(
            Attachment(filename=None, content_type="multipart/mixed", omitted=reason)
        )


def _leaf(part: Message, ctype: str, parts: Parts) -> None:
    filename = _filename(part)
    is_body = part.get_content_disposition() != "attachment" and filename is None
    if ctype.startswith("multipart/"):
        ctype = "text/plain"  # its boundary was never found: the body is all there is
    if is_body and ctype in ("text/plain", "text/html"):
        text = _decoded_text(part, parts)
        (parts.plain if ctype == "text/plain" else parts.html).append(text)
        return
    if ctype == "text/rfc822-headers":
        headers = HeaderParser(policy=compat32).parsestr(_decoded_text(part, parts))
        parts.original_message_id = parts.original_message_id or first_id(headers["message-id"])
    data = part.get_payload(decode=True)
    _add_attachment(part, parts, filename, ctype, data if isinstance(data, bytes) else b"")


def _decoded_text(part: Message, parts: Parts) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    text, note = decode_bytes(data, part.get_content_charset())
    if note:
        parts.notes.append(note)
    return text


def _filename(part: Message) -> str | None:
    try:
        raw = part.get_filename()
    except Exception:  # a broken parameter header must not lose the part
        raw = None
    if not raw:
        return None
    name = header_text(raw)
    # Never trust a path from a sender: keep the last component, either separator.
    name = PureWindowsPath(PurePosixPath(name).name).name.strip()
    return optional(name[-255:]) if name else None


def _add_attachment(
    part: Message, parts: Parts, filename: str | None, ctype: str, data: bytes
) -> None:
    limit = parts.max_attachment_bytes
    kept = len(data) <= limit
    parts.attachments.append(
        Attachment(
            filename=filename,
            content_type=ctype,
            size=len(data),
            content=data if kept else None,
            content_id=first_id(str(part.get("content-id", "") or "")),
            omitted=None
            if kept
            else f"attachment of {len(data)} bytes is above the {limit}-byte limit; not kept",
        )
    )


def _enclosed(part: Message, ctype: str, parts: Parts) -> None:
    """message/rfc822 (forwarded mail, bounced original) and the report bodies parsed as
    header-only messages (feedback-report, disposition-notification)."""
    inner = part.get_payload(0)
    if not isinstance(inner, Message):
        return
    if ctype == "message/feedback-report":
        parts.report.update(_fields(inner, _FEEDBACK_FIELDS))
        return
    if ctype == "message/disposition-notification":
        fields = _fields(inner, _MDN_FIELDS)
        parts.report.update(fields)
        parts.original_message_id = parts.original_message_id or first_id(
            fields.get("original-message-id")
        )
        return
    parts.enclosed.append(inner)
    parts.original_message_id = parts.original_message_id or first_id(
        str(inner.get("message-id", "") or "")
    )
    subject = optional(header_text(inner.get("subject", "") or ""))
    # Re-serialising an enclosed message costs more than parsing the whole mail, and its
    # bytes are inside the original anyway: describe it, read it from ``raw`` on demand.
    parts.attachments.append(
        Attachment(
            filename=f"{(subject or 'message')[:200]}.eml",
            content_type=ctype,
            omitted="enclosed message: its bytes are part of the original (raw) message",
        )
    )


def _delivery_status(part: Message, parts: Parts) -> None:
    blocks = [b for b in part.get_payload() if isinstance(b, Message)]
    recipients = [_fields(block, _REPORT_FIELDS) for block in blocks[1:]]
    parts.report["recipients"] = [r for r in recipients if r]


def _fields(block: Message, names: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in names:
        value = block.get(name)
        text = optional(header_text(value)) if value is not None else None
        if text:
            found[name] = text[:1000]
    return found
