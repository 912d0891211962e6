"""Raw RFC 5322 bytes -> ``InboundMessage`` (standard library ``email``, modern policy).

Never raises for bad content: a message the parser cannot read at all is still returned,
with its raw bytes, a best-effort text and a review reason. The only refusal is a message
above ``EmailLimits.max_message_bytes`` (``PayloadTooLarge``), so an SMTP listener can
answer 552 and an importer can report it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from channels.base import InboundMessage, MessageKind, Threading
from channels.email import mime
from channels.email.decode import POLICY, decode_bytes, header_text
from channels.email.html import html_to_text
from channels.email.quotes import split_reply
from channels.email.threading import first_id, read_threading
from channels.errors import PayloadTooLarge
from channels.text import optional, stable_id, storable, tidy, utc

CHANNEL = "email"
_RAW_HEADERS = frozenset(
    {
        *("message-id", "in-reply-to", "references", "date", "subject"),
        *("auto-submitted", "x-autoreply", "x-autorespond", "precedence"),
        *("from", "sender", "reply-to", "return-path", "to", "cc"),
    }
)
# The structured header parser is quadratic on some inputs (a 200 kB subject of encoded
# words takes most of a second); nothing we keep needs more than this much of a header.
_MAX_HEADER_CHARS = 8192
_FAILURE_SUBJECT = re.compile(
    r"undeliver|delivery (status|failure)|failure notice|returned mail|non remis|échec", re.I
)
_REPORT_KINDS = {
    "delivery-status": MessageKind.bounce,
    "feedback-report": MessageKind.complaint,
    "disposition-notification": MessageKind.receipt,
}


@dataclass(frozen=True, slots=True)
class EmailLimits:
    max_message_bytes: int = 25 * 1024 * 1024
    max_attachment_bytes: int = 10 * 1024 * 1024  # bytes above this are described, not kept
    max_text_chars: int = 200_000  # the router's message text column
    max_parts: int = 100  # MIME parts read per message; the rest described in one row


def provider_id(message_id: str | None, raw: bytes) -> str:
    """The idempotency key: Message-ID, or a digest of the bytes when there is none."""
    if message_id:
        return stable_id(message_id)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_email(raw: bytes, *, limits: EmailLimits | None = None) -> InboundMessage:
    """Normalise one raw message; see the module docstring for what can go wrong."""
    limits = limits or EmailLimits()
    if len(raw) > limits.max_message_bytes:
        raise PayloadTooLarge(
            f"message is {len(raw)} bytes; the limit is {limits.max_message_bytes}"
        )
    try:
        message = BytesParser(policy=POLICY).parsebytes(_trim(raw))
        return _normalise(message, raw, limits)
    except RecursionError:
        return _unreadable(raw, "MIME structure nested too deeply to parse", limits)
    except Exception as exc:  # the contract: malformed mail never crashes the parser
        return _unreadable(raw, f"{type(exc).__name__}: {exc}", limits)


def _trim(raw: bytes) -> bytes:
    """Leading blank lines or an mbox ``From `` line would hide the headers."""
    raw = raw.lstrip(b" \t\r\n")
    if raw.startswith(b"From "):
        raw = raw.partition(b"\n")[2]
    return raw


def _normalise(message: Message, raw: bytes, limits: EmailLimits) -> InboundMessage:
    headers = _raw_headers(message)
    parts = mime.Parts(max_attachment_bytes=limits.max_attachment_bytes, max_parts=limits.max_parts)
    mime.walk(message, parts)
    mime.describe_skipped(parts)
    threading = read_threading(
        *(header_text(headers.get(n, "")) for n in ("message-id", "in-reply-to", "references"))
    )
    if threading.in_reply_to is None and parts.original_message_id:
        # A bounce or receipt names the message it is about: thread it there.
        threading = Threading(threading.message_id, parts.original_message_id, threading.references)
    sender, name = _sender(headers)
    full, new, details = _texts(parts)
    review = _review_reasons(parts, sender, new)
    if len(new) > limits.max_text_chars:
        review.append(f"text truncated to {limits.max_text_chars} characters")
    subject_header = _structured(headers, "subject")
    subject = optional(header_text(subject_header)) if subject_header is not None else None
    return InboundMessage(
        channel=CHANNEL,
        provider_message_id=provider_id(threading.message_id, raw),
        sender_address=sender,
        sender_name=name,
        text=new[: limits.max_text_chars],
        full_text=full[: limits.max_text_chars],
        subject=subject[:998] if subject else None,
        attachments=tuple(parts.attachments),
        threading=threading,
        sent_at=_date(header_text(headers.get("date", "")), parts),
        kind=_kind(parts, headers, sender, subject),
        review_reason="; ".join(review) or None,
        metadata=_metadata(headers, parts, details, len(raw)),
        raw=raw,
    )


def _raw_headers(message: Message) -> dict[str, str]:
    """First raw value of each header we read, unfolded and cut to a bounded length."""
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key in _RAW_HEADERS and key not in found:
            text = str(value).replace("\r", "").replace("\n", "")
            if len(text) > _MAX_HEADER_CHARS:
                limit = _MAX_HEADER_CHARS
                cut = max(text.rfind(" ", 0, limit), text.rfind(",", 0, limit))
                text = text[: cut if cut > 0 else limit]
            found[key] = text
    return found


def _structured(headers: dict[str, str], name: str) -> Any:
    """The modern policy's parsed header (decoded words, address lists), or None."""
    value = headers.get(name)
    if value is None:
        return None
    try:
        # Raw 8-bit bytes become real characters first; the parser would show U+FFFD.
        return POLICY.header_factory(name, header_text(value))
    except Exception:  # the structured parser has raised on hostile input in the past
        return None


def _sender(headers: dict[str, str]) -> tuple[str, str | None]:
    for field in ("from", "sender", "reply-to", "return-path"):
        if field not in headers:
            continue
        header = _structured(headers, field)
        try:
            addresses = [(a.display_name, a.addr_spec) for a in header.addresses]
        except Exception:  # unparseable address list: the lenient legacy reader
            addresses = getaddresses([header_text(headers[field])])
        for display, address in addresses:
            address = header_text(address).strip().strip("<>").lower()
            if address and not address.isspace():
                return address[:320], optional(header_text(display or ""))
    return "", None


def _texts(parts: mime.Parts) -> tuple[str, str, dict[str, Any]]:
    """(full text, new text, how they were found)."""
    plain = tidy("\n\n".join(parts.plain))
    details: dict[str, Any] = {"body": "text/plain"}
    if plain:
        full, reply = plain, split_reply(plain)
    elif any(h.strip() for h in parts.html):
        html = "\n".join(parts.html)
        full = tidy(html_to_text(html))
        reply = split_reply(tidy(html_to_text(html, drop_quotes=True)))
        details["body"] = "text/html"
    else:
        full = tidy("\n\n".join(_enclosed_text(m) for m in parts.enclosed))
        reply = split_reply(full)
        details["body"] = "enclosed message" if full else "none"
    new = reply.text
    if not new and full:
        new = full
        details["new_text"] = "nothing new found; showing the full text"
    details["quoted_history"] = reply.quoted
    details["signature"] = reply.signature
    return full, new, details


def _enclosed_text(message: Message) -> str:
    inner = mime.Parts(max_attachment_bytes=0)
    mime.walk(message, inner)
    if any(p.strip() for p in inner.plain):
        return "\n\n".join(inner.plain)
    return html_to_text("\n".join(inner.html)) if inner.html else ""


def _review_reasons(parts: mime.Parts, sender: str, text: str) -> list[str]:
    reasons = []
    serious = sorted({d for d in parts.defects if d in mime.SERIOUS_DEFECTS or "Nesting" in d})
    if serious:
        reasons.append(f"malformed MIME ({', '.join(serious)}); check the original")
    if not sender:
        reasons.append("no sender address")
    skipped = mime.skipped_reason(parts)
    if skipped:
        reasons.append(skipped)
    if not text.strip():
        names = [a.filename or a.content_type for a in parts.attachments][:5]
        reasons.append(
            f"no text content; attachments: {', '.join(names)}" if names else "no text content"
        )
    return reasons


def _date(value: str | None, parts: mime.Parts) -> datetime | None:
    if not value:
        return None
    try:
        return utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        parts.notes.append(f"unreadable Date header {value[:60]!r}")
        return None


def _kind(
    parts: mime.Parts, headers: dict[str, str], sender: str, subject: str | None
) -> MessageKind:
    if parts.report_type in _REPORT_KINDS:
        return _REPORT_KINDS[parts.report_type]
    local = sender.partition("@")[0]
    if local in ("mailer-daemon", "postmaster") and _FAILURE_SUBJECT.search(subject or ""):
        return MessageKind.bounce
    auto = headers.get("auto-submitted", "no").strip().lower()
    if not auto.startswith("no") or "x-autoreply" in headers or "x-autorespond" in headers:
        return MessageKind.auto_reply
    if headers.get("precedence", "").strip().lower() == "auto_reply":
        return MessageKind.auto_reply
    return MessageKind.message


def _addresses(headers: dict[str, str], name: str) -> list[str]:
    header = _structured(headers, name)
    try:
        return [header_text(a.addr_spec).lower() for a in header.addresses][:50]
    except Exception:
        return []


def _metadata(
    headers: dict[str, str], parts: mime.Parts, details: dict[str, Any], size: int
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "size": size,
        "to": _addresses(headers, "to"),
        "cc": _addresses(headers, "cc"),
        **details,
    }
    reply_to = _addresses(headers, "reply-to")
    if reply_to:
        meta["reply_to"] = reply_to
    if parts.defects:
        meta["defects"] = sorted(set(parts.defects))
    if parts.notes:
        meta["notes"] = sorted(set(parts.notes))
    if parts.report_type:
        meta["report"] = {"type": parts.report_type, **parts.report}
    if parts.original_message_id:
        meta["original_message_id"] = parts.original_message_id
    return meta


def _unreadable(raw: bytes, problem: str, limits: EmailLimits) -> InboundMessage:
    """Last resort: keep everything, show the raw text, ask a person to look."""
    head, _, body = raw.partition(b"\n\n")
    head_text = decode_bytes(head, None)[0]
    found = re.search(r"^message-id:\s*(.+)$", head_text, re.I | re.M)
    sender = re.search(r"^from:\s*(.+)$", head_text, re.I | re.M)
    addresses = getaddresses([sender.group(1)]) if sender else []
    address = addresses[0][1].lower()[:320] if addresses else ""
    text = tidy(decode_bytes(body or raw, None)[0])[: limits.max_text_chars]
    return InboundMessage(
        channel=CHANNEL,
        provider_message_id=provider_id(first_id(found.group(1)) if found else None, raw),
        sender_address=storable(address),
        sender_name=None,
        text=text,
        full_text=text,
        review_reason=f"unparseable message ({storable(problem)[:300]}); showing the raw text",
        metadata={"size": len(raw), "body": "raw"},
        raw=raw,
    )
