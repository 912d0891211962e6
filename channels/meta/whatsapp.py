"""WhatsApp Cloud API webhook payloads -> messages, statuses and ignored parts.

Shape: ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field":
"messages", "value": {"metadata": {...}, "contacts": [...], "messages": [...],
"statuses": [...]}}]}]}``. Contacts give the sender's profile name; media arrive as a media
id (``Attachment.provider_ref``) that the Graph API resolves to a short-lived URL; button
and list replies are postbacks; what each type reads as is in ``whatsapp_content``. A
message WhatsApp reports errors for is stored held with the reason. Other change fields
(template status, account updates), reactions and other message types are ``Ignored``
with the reason.
"""

from __future__ import annotations

from typing import Any

from channels.base import (
    DeliveryState,
    InboundMessage,
    InboundStatus,
    ParseResult,
    ProviderError,
    Threading,
)
from channels.meta.whatsapp_content import READ_TYPES, content
from channels.text import as_dict, as_list, as_str, digest_id, from_epoch, json_safe, stable_id

CHANNEL = "whatsapp"
OBJECT = "whatsapp_business_account"
_STATES = {state.value: state for state in DeliveryState}


def parse_whatsapp(payload: dict[str, Any]) -> ParseResult:
    found = payload.get("object")
    if found != OBJECT:
        return ParseResult.ignoring(f"object {found!r} is not {OBJECT!r}", "object", payload)
    result = ParseResult()
    entries = as_list(payload.get("entry"))
    if not entries:
        return ParseResult.ignoring("payload without entries", "entry", payload)
    for i, entry in enumerate(entries):
        changes = as_list(as_dict(entry).get("changes"))
        if not changes:
            result += ParseResult.ignoring("entry without changes", f"entry[{i}]", entry)
        for j, change in enumerate(changes):
            result += _change(as_dict(change), f"entry[{i}].changes[{j}]")
    return result


def _change(change: dict[str, Any], where: str) -> ParseResult:
    if change.get("field") != "messages":
        return ParseResult.ignoring(f"field {change.get('field')!r} is not handled", where, change)
    value = as_dict(change.get("value"))
    names = {
        as_str(c.get("wa_id")): as_str(as_dict(c.get("profile")).get("name"))
        for c in map(as_dict, as_list(value.get("contacts")))
    }
    context = {k: as_str(v) for k, v in as_dict(value.get("metadata")).items()}
    result = ParseResult()
    for k, message in enumerate(as_list(value.get("messages"))):
        result += _message(as_dict(message), names, context, f"{where}.messages[{k}]")
    for k, status in enumerate(as_list(value.get("statuses"))):
        result += _status(as_dict(status), f"{where}.statuses[{k}]")
    for k, error in enumerate(as_list(value.get("errors"))):
        title = as_str(as_dict(error).get("title")) or "unknown"
        result += ParseResult.ignoring(
            f"WhatsApp reported an error: {title}", f"{where}.errors[{k}]", error
        )
    if not (value.get("messages") or value.get("statuses") or value.get("errors")):
        result += ParseResult.ignoring("change without messages or statuses", where, change)
    return result


def _message(
    message: dict[str, Any],
    names: dict[str | None, str | None],
    context: dict[str, Any],
    where: str,
) -> ParseResult:
    sender, mid, kind = (as_str(message.get(k)) for k in ("from", "id", "type"))
    if sender is None or mid is None:
        return ParseResult.ignoring("message without from or id", where, message)
    if kind not in READ_TYPES and not message.get("errors"):
        return ParseResult.ignoring(
            f"WhatsApp message type {kind!r} is not handled", where, message
        )
    found = content(message, kind or "?")
    inbound = InboundMessage(
        channel=CHANNEL,
        provider_message_id=stable_id(mid),
        sender_address=sender,
        sender_name=names.get(sender),
        text=found.text,
        full_text=found.text,
        attachments=found.attachments,
        threading=Threading(
            message_id=mid, in_reply_to=as_str(as_dict(message.get("context")).get("id"))
        ),
        sent_at=from_epoch(message.get("timestamp"), millis=False),
        kind=found.kind,
        postback_payload=found.postback,
        review_reason=found.review_reason,
        metadata={**context, "event": json_safe(message)},
    )
    return ParseResult(messages=(inbound,))


def _status(status: dict[str, Any], where: str) -> ParseResult:
    mid, recipient = as_str(status.get("id")), as_str(status.get("recipient_id"))
    state = _STATES.get(str(status.get("status")))
    if mid is None or recipient is None or state is None:
        return ParseResult.ignoring(
            f"status {status.get('status')!r} is not handled", where, status
        )
    errors = [as_dict(e) for e in as_list(status.get("errors"))]
    error = None
    if errors:
        detail = as_dict(errors[0].get("error_data")).get("details")
        message = as_str(errors[0].get("message")) or as_str(errors[0].get("title")) or ""
        error = ProviderError(
            code=str(errors[0].get("code")), message=f"{message} {detail or ''}".strip()
        )
    inbound = InboundStatus(
        channel=CHANNEL,
        provider_event_id=digest_id("status", mid, state.value, str(status.get("timestamp"))),
        state=state,
        recipient_address=recipient,
        provider_message_ids=(mid,),
        at=from_epoch(status.get("timestamp"), millis=False),
        error=error,
        metadata={"event": json_safe(status)},
    )
    return ParseResult(statuses=(inbound,))
