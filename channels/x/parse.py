"""Account Activity payloads -> direct messages, read receipts and ignored events.

A payload names the subscribed account (``for_user_id``) and carries lists of events by
type, plus ``users`` (id -> profile) for the names. Only ``direct_message_events`` of type
``message_create`` become messages; messages *sent by* the subscribed account (our own
replies, echoed back) and every other event type (tweets, likes, follows, typing
indicators...) are ``Ignored`` with the reason. t.co links in the text are expanded and the
link of an attached photo or video is replaced by the attachment itself.
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
)
from channels.text import as_dict, as_list, as_str, digest_id, from_epoch, json_safe, stable_id

CHANNEL = "x"
_CONTEXT = {"for_user_id", "users", "apps", "user_has_blocked", "is_blocked_by"}
_MEDIA_TYPES = {"photo": "image/*", "animated_gif": "image/gif", "video": "video/*"}


def parse_activity(payload: dict[str, Any]) -> ParseResult:
    account = as_str(payload.get("for_user_id"))
    users = as_dict(payload.get("users"))
    result = ParseResult()
    for i, event in enumerate(as_list(payload.get("direct_message_events"))):
        result += _direct_message(as_dict(event), account, users, f"direct_message_events[{i}]")
    for i, event in enumerate(as_list(payload.get("direct_message_mark_read_events"))):
        result += _read(as_dict(event), account, f"direct_message_mark_read_events[{i}]")
    handled = _CONTEXT | {"direct_message_events", "direct_message_mark_read_events"}
    for key in sorted(set(payload) - handled):
        result += ParseResult.ignoring(f"event type {key!r} is not handled", key, payload[key])
    if not (set(payload) - _CONTEXT):
        result += ParseResult.ignoring("payload without events", "", payload)
    return result


def _direct_message(
    event: dict[str, Any], account: str | None, users: dict[str, Any], where: str
) -> ParseResult:
    created = as_dict(event.get("message_create"))
    sender, event_id = as_str(created.get("sender_id")), as_str(event.get("id"))
    if event.get("type") != "message_create" or sender is None or event_id is None:
        return ParseResult.ignoring(
            f"direct message event {event.get('type')!r} is not handled", where, event
        )
    if sender == account:
        return ParseResult.ignoring(
            "sent by the subscribed account (our own message)", where, event
        )
    data = as_dict(created.get("message_data"))
    text, attachments = _text_and_media(data)
    quick_reply = as_str(as_dict(data.get("quick_reply_response")).get("metadata"))
    user = as_dict(users.get(sender))
    inbound = InboundMessage(
        channel=CHANNEL,
        provider_message_id=stable_id(event_id),
        sender_address=sender,
        sender_name=as_str(user.get("name")),
        text=text,
        full_text=text,
        attachments=attachments,
        sent_at=from_epoch(event.get("created_timestamp"), millis=True),
        kind=MessageKind.postback if quick_reply else MessageKind.message,
        postback_payload=quick_reply,
        metadata={
            "for_user_id": account,
            "screen_name": as_str(user.get("screen_name")),
            "event": json_safe(event),
        },
    )
    return ParseResult(messages=(inbound,))


def _text_and_media(data: dict[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    text = as_str(data.get("text")) or ""
    media = as_dict(as_dict(data.get("attachment")).get("media"))
    attachments: tuple[Attachment, ...] = ()
    if media:
        link = as_str(media.get("url"))
        if link:
            text = text.replace(link, "")
        attachments = (
            Attachment(
                filename=None,
                content_type=_MEDIA_TYPES.get(str(media.get("type")), "application/octet-stream"),
                url=as_str(media.get("media_url_https")) or as_str(media.get("media_url")),
                provider_ref=as_str(media.get("id_str")) or as_str(media.get("id")),
            ),
        )
    for url in map(as_dict, as_list(as_dict(data.get("entities")).get("urls"))):
        short, expanded = as_str(url.get("url")), as_str(url.get("expanded_url"))
        if short and expanded:
            text = text.replace(short, expanded)
    return text.strip(), attachments


def _read(event: dict[str, Any], account: str | None, where: str) -> ParseResult:
    reader, last = as_str(event.get("sender_id")), as_str(event.get("last_read_event_id"))
    if reader is None or last is None:
        return ParseResult.ignoring(
            "read event without sender_id or last_read_event_id", where, event
        )
    if reader == account:
        return ParseResult.ignoring("the subscribed account read the conversation", where, event)
    status = InboundStatus(
        channel=CHANNEL,
        provider_event_id=digest_id("read", reader, last),
        state=DeliveryState.read,
        recipient_address=reader,
        provider_message_ids=(last,),  # this one and everything before it
        at=from_epoch(event.get("created_timestamp"), millis=True),
        metadata={"for_user_id": account, "event": json_safe(event)},
    )
    return ParseResult(statuses=(status,))
