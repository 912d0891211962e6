"""Messenger and Instagram webhook payloads -> messages, statuses and ignored parts.

Both deliver ``{"object": "page"|"instagram", "entry": [{"messaging": [event, ...]}]}``
where an event has ``sender``, ``recipient``, ``timestamp`` (ms) and one of ``message``
(text, attachments with URLs, quick reply), ``postback``, ``delivery`` or ``read``.
Everything else (echoes of our own messages, reactions, referrals, ``standby`` events of a
conversation another app owns, ``changes`` such as comments) is returned as ``Ignored`` with
the reason. The sender's name is not in the payload: the router may look it up later.
"""

from __future__ import annotations

from typing import Any

from channels.base import (
    Attachment,
    DeliveryState,
    InboundMessage,
    InboundStatus,
    MessageKind,
    ParseResult,
    Threading,
)
from channels.text import as_dict, as_list, as_str, digest_id, from_epoch, json_safe, stable_id

_MEDIA_TYPES = {"image": "image/*", "video": "video/*", "audio": "audio/*"}
_ENVELOPE = {"sender", "recipient", "timestamp"}


def parse_messaging(payload: dict[str, Any], *, channel: str, expected_object: str) -> ParseResult:
    found = payload.get("object")
    if found != expected_object:
        return ParseResult.ignoring(
            f"object {found!r} is not {expected_object!r}", "object", payload
        )
    result = ParseResult()
    entries = as_list(payload.get("entry"))
    if not entries:
        return ParseResult.ignoring("payload without entries", "entry", payload)
    for i, raw_entry in enumerate(entries):
        entry = as_dict(raw_entry)
        where = f"entry[{i}]"
        for j, event in enumerate(as_list(entry.get("messaging"))):
            result += parse_event(as_dict(event), channel, f"{where}.messaging[{j}]")
        for j, event in enumerate(as_list(entry.get("standby"))):
            result += ParseResult.ignoring(
                "standby event: another app owns this conversation (handover protocol)",
                f"{where}.standby[{j}]",
                event,
            )
        for j, change in enumerate(as_list(entry.get("changes"))):
            field = as_dict(change).get("field")
            result += ParseResult.ignoring(
                f"field {field!r} is not handled", f"{where}.changes[{j}]", change
            )
        if not any(key in entry for key in ("messaging", "standby", "changes")):
            result += ParseResult.ignoring("entry without messaging events", where, entry)
    return result


def parse_event(event: dict[str, Any], channel: str, where: str) -> ParseResult:
    sender = as_str(as_dict(event.get("sender")).get("id"))
    if sender is None:
        return ParseResult.ignoring("event without sender.id", where, event)
    if "message" in event:
        return _message(event, channel, sender, where)
    if "postback" in event:
        return _postback(event, channel, sender)
    if "delivery" in event:
        return _status(event, channel, sender, DeliveryState.delivered, "delivery")
    if "read" in event:
        return _status(event, channel, sender, DeliveryState.read, "read")
    kinds = sorted(set(event) - _ENVELOPE) or ["(none)"]
    return ParseResult.ignoring(f"messaging event {kinds[0]!r} is not handled", where, event)


def _message(event: dict[str, Any], channel: str, sender: str, where: str) -> ParseResult:
    message = as_dict(event.get("message"))
    for flag, reason in (
        ("is_echo", "echo of a message we sent"),
        ("is_deleted", "the sender deleted this message"),
        ("is_unsupported", "message type the platform API does not expose"),
    ):
        if message.get(flag):
            return ParseResult.ignoring(reason, where, event)
    mid = as_str(message.get("mid"))
    if mid is None:
        return ParseResult.ignoring("message without mid", where, event)
    quick_reply = as_str(as_dict(message.get("quick_reply")).get("payload"))
    text = as_str(message.get("text")) or ""
    inbound = InboundMessage(
        channel=channel,
        provider_message_id=stable_id(mid),
        sender_address=sender,
        text=text,
        full_text=text,
        attachments=tuple(_attachment(as_dict(a)) for a in as_list(message.get("attachments"))),
        threading=Threading(
            message_id=mid, in_reply_to=as_str(as_dict(message.get("reply_to")).get("mid"))
        ),
        sent_at=from_epoch(event.get("timestamp"), millis=True),
        kind=MessageKind.postback if quick_reply else MessageKind.message,
        postback_payload=quick_reply,
        metadata=_metadata(event),
    )
    return ParseResult(messages=(inbound,))


def _attachment(attachment: dict[str, Any]) -> Attachment:
    kind = as_str(attachment.get("type")) or "unknown"
    payload = as_dict(attachment.get("payload"))
    content_type = _MEDIA_TYPES.get(kind) or (
        "application/octet-stream" if kind == "file" else f"application/vnd.meta.{kind}"
    )
    return Attachment(
        filename=as_str(payload.get("title")) or as_str(attachment.get("title")),
        content_type=content_type,
        url=as_str(payload.get("url")),
        provider_ref=as_str(payload.get("sticker_id")) or as_str(payload.get("reel_video_id")),
    )


def _postback(event: dict[str, Any], channel: str, sender: str) -> ParseResult:
    postback = as_dict(event.get("postback"))
    payload = as_str(postback.get("payload"))
    title = as_str(postback.get("title")) or ""
    # Older postbacks carry no mid; the same event redelivered gives the same digest.
    mid = as_str(postback.get("mid")) or digest_id(
        "postback", sender, str(event.get("timestamp")), payload or "", title
    )
    inbound = InboundMessage(
        channel=channel,
        provider_message_id=stable_id(mid),
        sender_address=sender,
        text=title,
        full_text=title,
        sent_at=from_epoch(event.get("timestamp"), millis=True),
        kind=MessageKind.postback,
        postback_payload=payload,
        metadata=_metadata(event),
    )
    return ParseResult(messages=(inbound,))


def _status(
    event: dict[str, Any], channel: str, sender: str, state: DeliveryState, key: str
) -> ParseResult:
    body = as_dict(event.get(key))
    mids = [m for m in (as_str(v) for v in as_list(body.get("mids"))) if m]
    single = as_str(body.get("mid"))  # Instagram read receipts name the message
    if single:
        mids.append(single)
    watermark = body.get("watermark")
    status = InboundStatus(
        channel=channel,
        provider_event_id=digest_id(key, sender, str(watermark), *mids),
        state=state,
        recipient_address=sender,
        provider_message_ids=tuple(mids),
        at=from_epoch(event.get("timestamp"), millis=True),
        watermark=from_epoch(watermark, millis=True) if watermark is not None else None,
        metadata=_metadata(event),
    )
    return ParseResult(statuses=(status,))


def _metadata(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "recipient_id": as_str(as_dict(event.get("recipient")).get("id")),
        "event": json_safe(event),
    }
