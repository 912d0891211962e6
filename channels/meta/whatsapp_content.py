"""What a WhatsApp message says, as text an advisor can read.

Every supported type gives readable text: a shared contact card its names and numbers, a
flow (WhatsApp Form) its answers, a call-permission reply the customer's decision. What
WhatsApp could not pass on (a message carrying ``errors``, an interactive reply of a kind we
do not read) is *held* with the reason (``MessageKind.unreadable``), never routed to an
advisor as an empty message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from channels.base import Attachment, MessageKind
from channels.text import as_dict, as_list, as_str, from_epoch

MEDIA = ("image", "video", "audio", "document", "sticker")
READ_TYPES = frozenset({"text", "interactive", "button", "location", "contacts", *MEDIA})
_FLOW_INTERNAL = frozenset({"flow_token"})  # our own correlation token, not an answer


@dataclass(frozen=True, slots=True)
class Content:
    text: str
    kind: MessageKind = MessageKind.message
    postback: str | None = None
    attachments: tuple[Attachment, ...] = ()
    review_reason: str | None = None


def content(message: dict[str, Any], kind: str) -> Content:
    """The content of a message of a type in ``READ_TYPES``, or of any type with errors."""
    errors = [as_dict(e) for e in as_list(message.get("errors"))]
    if errors:
        return unreadable(f"WhatsApp could not pass this {kind} message on: {_errors(errors)}")
    if kind == "contacts":  # a list at the message's top level, not an object
        return Content(_contacts(as_list(message.get("contacts"))))
    body = as_dict(message.get(kind))
    if kind == "text":
        return Content(as_str(body.get("body")) or "")
    if kind in MEDIA:
        attachment = Attachment(
            filename=as_str(body.get("filename")),
            content_type=as_str(body.get("mime_type")) or f"{kind}/*",
            provider_ref=as_str(body.get("id")),
            url=as_str(body.get("url")),
        )
        return Content(as_str(body.get("caption")) or "", attachments=(attachment,))
    if kind == "interactive":
        return _interactive(body)
    if kind == "button":
        return _postback(as_str(body.get("text")), as_str(body.get("payload")))
    return Content(_location(body))


def unreadable(reason: str) -> Content:
    return Content(f"[{reason}]", kind=MessageKind.unreadable, review_reason=reason)


def _errors(errors: list[dict[str, Any]]) -> str:
    described = []
    for error in errors:
        title = as_str(error.get("message")) or as_str(error.get("title")) or "unknown error"
        details = as_str(as_dict(error.get("error_data")).get("details"))
        code = as_str(error.get("code"))
        described.append(
            f"{title}{f' ({code})' if code else ''}{f': {details}' if details else ''}"
        )
    return "; ".join(described)


def _postback(title: str | None, payload: str | None) -> Content:
    if not title and not payload:
        return unreadable("WhatsApp reply without a title or payload")
    return Content(title or payload or "", kind=MessageKind.postback, postback=payload)


def _interactive(body: dict[str, Any]) -> Content:
    subtype = as_str(body.get("type")) or "?"
    if subtype in ("button_reply", "list_reply"):
        reply = as_dict(body.get(subtype))
        title = as_str(reply.get("title"))
        description = as_str(reply.get("description"))
        text = f"{title} ({description})" if title and description else title
        return _postback(text, as_str(reply.get("id")))
    if subtype == "nfm_reply":
        return _flow(as_dict(body.get("nfm_reply")))
    if subtype == "call_permission_reply":
        return _call_permission(as_dict(body.get("call_permission_reply")))
    return unreadable(f"WhatsApp interactive reply of type {subtype!r} is not read")


def _flow(reply: dict[str, Any]) -> Content:
    """A completed flow (WhatsApp Form): its answers, one per line."""
    raw = reply.get("response_json")
    try:
        answers = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        answers = None
    if not isinstance(answers, dict):
        return unreadable("WhatsApp flow reply whose response_json is not a JSON object")
    name = as_str(reply.get("name")) or "flow"
    lines = [f"Form completed ({name}):"]
    for key, value in answers.items():
        if key in _FLOW_INTERNAL:
            continue
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"- {key}: {as_str(shown) or ''}")
    if len(lines) == 1:
        lines.append(as_str(reply.get("body")) or "(no answers)")
    return Content("\n".join(lines))


def _call_permission(reply: dict[str, Any]) -> Content:
    response = as_str(reply.get("response"))
    if response not in ("accept", "reject"):
        return unreadable(f"WhatsApp call-permission reply {response!r} is not read")
    if response == "reject":
        return _postback("Call permission: declined", "call_permission:reject")
    until = from_epoch(reply.get("expiration_timestamp"), millis=False)
    if reply.get("is_permanent") is True:
        text = "Call permission: accepted (permanently)"
    elif until is not None:
        text = f"Call permission: accepted until {until:%Y-%m-%d %H:%M} UTC"
    else:
        text = "Call permission: accepted"
    return _postback(text, "call_permission:accept")


def _contacts(cards: list[Any]) -> str:
    shown = []
    for card in map(as_dict, cards):
        name = as_dict(card.get("name"))
        full = as_str(name.get("formatted_name")) or " ".join(
            filter(None, (as_str(name.get("first_name")), as_str(name.get("last_name"))))
        )
        phones = [as_str(as_dict(p).get("phone")) for p in as_list(card.get("phones"))]
        emails = [as_str(as_dict(e).get("email")) for e in as_list(card.get("emails"))]
        reach = ", ".join(x for x in (*phones, *emails) if x)
        shown.append(f"{full or 'unnamed'} ({reach})" if reach else full or "unnamed")
    return "Shared contact: " + "; ".join(shown) if shown else "Shared contact: (empty card)"


def _location(body: dict[str, Any]) -> str:
    place = ", ".join(filter(None, (as_str(body.get("name")), as_str(body.get("address")))))
    where = f"{body.get('latitude')}, {body.get('longitude')}"
    return f"Location: {place} ({where})" if place else f"Location: {where}"
