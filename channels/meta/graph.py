"""Sending through the Graph API (Messenger, Instagram, WhatsApp Cloud API) with httpx.

One request per part: the text, then each attachment (Messenger/Instagram send an
attachment as its own message), named by the id the provider gave it at upload
(channels.meta.media) or, for a file hosted elsewhere, by its URL. Errors come back as
``{"error": {"code", "error_subcode", "message", "fbtrace_id"}}``; rate limits and
temporary failures are often HTTP 400 with a known code, so they are classified by code
too. A failure after some parts were delivered carries their ids in ``sent_ids``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from channels.base import Attachment, OutboundMessage, SendResult
from channels.errors import PermanentSendError, SendError, TransientSendError
from channels.http_retry import RetryPolicy, response_json, retry_after, send_with_retry
from channels.text import as_dict, as_list, as_str

# Graph error codes worth retrying: unknown/temporary errors, app/user/page rate limits,
# WhatsApp throughput and service-unavailable codes.
TRANSIENT_CODES = frozenset(
    {1, 2, 4, 17, 32, 341, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80014}
    | {130429, 131000, 131016, 131056, 133004}
)
TEXT_LIMITS = {"messenger": 2000, "instagram": 1000, "whatsapp": 4096}
WHATSAPP_IMAGES = frozenset({"image/jpeg", "image/png"})


@dataclass(frozen=True, slots=True)
class GraphTarget:
    """Where and as whom to post: ``sender_id`` is the Page id, Instagram account id or
    WhatsApp phone number id (Messenger and Instagram also accept ``me``)."""

    access_token: str = field(repr=False)
    sender_id: str = "me"
    graph_url: str = "https://graph.facebook.com"
    api_version: str = "v21.0"

    @property
    def messages_url(self) -> str:
        return f"{self.graph_url.rstrip('/')}/{self.api_version}/{self.sender_id}/messages"


def classify(response: httpx.Response, attempt: int) -> SendError:
    error = as_dict(response_json(response).get("error"))
    code = error.get("code")
    message = as_str(error.get("message")) or response.reason_phrase or "no message"
    transient = (
        response.status_code == 429
        or response.status_code >= 500
        or code in TRANSIENT_CODES
        or error.get("is_transient") is True
    )
    context: dict[str, Any] = {
        "provider_code": None if code is None else str(code),
        "provider_message": message,
        "status": response.status_code,
        "attempts": attempt,
    }
    detail = f"Graph API answered {response.status_code}: ({code}) {message}"
    if error.get("error_subcode") is not None:
        detail += f" [subcode {error['error_subcode']}]"
    if transient:
        return TransientSendError(detail, retry_after=retry_after(response), **context)
    return PermanentSendError(detail, **context)


def messenger_bodies(message: OutboundMessage) -> list[dict[str, Any]]:
    """Messenger and Instagram Send API bodies: the text, then one per attachment."""
    recipient = {"id": message.to}
    bodies: list[dict[str, Any]] = []
    if message.text:
        bodies.append({"recipient": recipient, "message": {"text": message.text}})
    for attachment in message.attachments:
        kind = _media_kind(attachment, ("image", "video", "audio"), "file")
        payload: dict[str, Any] = (
            {"attachment_id": attachment.provider_ref}
            if attachment.provider_ref
            else {"url": _url(attachment), "is_reusable": False}
        )
        bodies.append(
            {"recipient": recipient, "message": {"attachment": {"type": kind, "payload": payload}}}
        )
    for body in bodies:
        body["messaging_type"] = "RESPONSE"
    return bodies


def whatsapp_bodies(message: OutboundMessage) -> list[dict[str, Any]]:
    base: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.to,
    }
    if message.reply_to is not None and message.reply_to.message_id:
        base["context"] = {"message_id": message.reply_to.message_id}
    bodies: list[dict[str, Any]] = []
    if message.text:
        bodies.append({**base, "type": "text", "text": {"body": message.text}})
    for attachment in message.attachments:
        kind = _media_kind(attachment, ("image", "video", "audio"), "document")
        if kind == "image" and attachment.content_type not in WHATSAPP_IMAGES:
            kind = "document"  # WhatsApp shows JPEG and PNG only as images
        media: dict[str, Any] = (
            {"id": attachment.provider_ref}
            if attachment.provider_ref
            else {"link": _url(attachment)}
        )
        if kind == "document" and attachment.filename:
            media["filename"] = attachment.filename
        bodies.append({**base, "type": kind, kind: media})
    return bodies


def _media_kind(attachment: Attachment, kinds: tuple[str, ...], default: str) -> str:
    major = attachment.content_type.partition("/")[0]
    return major if major in kinds else default


def _url(attachment: Attachment) -> str:
    if not attachment.url:
        raise PermanentSendError(f"attachment {attachment.filename!r} needs a URL on Meta")
    return attachment.url


def message_id_of(body: dict[str, Any]) -> str | None:
    """``message_id`` (Messenger, Instagram) or ``messages[0].id`` (WhatsApp)."""
    return as_str(body.get("message_id")) or as_str(
        as_dict((as_list(body.get("messages")) or [None])[0]).get("id")
    )


async def send_parts(
    http: httpx.AsyncClient,
    target: GraphTarget,
    bodies: list[dict[str, Any]],
    *,
    retry: RetryPolicy,
    channel: str,
    message: OutboundMessage,
) -> SendResult:
    """Post every part in order; the first part's id is the message's provider id."""
    if not bodies:
        raise PermanentSendError(f"nothing to send to {channel}: no text and no attachment")
    limit = TEXT_LIMITS.get(channel)
    if limit is not None and len(message.text) > limit:
        raise PermanentSendError(
            f"{channel} text is limited to {limit} characters; this one has {len(message.text)}",
            provider_code="text_too_long",
        )
    headers = {"Authorization": f"Bearer {target.access_token}"}
    ids: list[str] = []
    attempts = 0
    for body in bodies:
        try:
            response, used = await send_with_retry(
                partial(http.post, target.messages_url, json=body, headers=headers),
                policy=retry,
                classify=classify,
                what=f"{channel} send",
            )
        except SendError as exc:
            exc.sent_ids = tuple(ids)
            raise
        attempts += used
        provider_id = message_id_of(response_json(response))
        if provider_id is None:
            raise PermanentSendError(
                f"{channel} send: the Graph API answer has no message id", sent_ids=tuple(ids)
            )
        ids.append(provider_id)
    return SendResult(
        provider_message_id=ids[0], attempts=attempts, provider_message_ids=tuple(ids)
    )


async def media_url(
    http: httpx.AsyncClient, target: GraphTarget, media_id: str, *, retry: RetryPolicy
) -> Attachment:
    """Resolve a WhatsApp media id (``Attachment.provider_ref``) to its short-lived URL.

    Downloading that URL also needs the bearer token; it expires after a few minutes, so
    resolve it when the file is wanted, not when the message arrives.
    """
    if not media_id.isdigit():
        raise PermanentSendError(f"a media id is numeric, not {media_id!r}")
    url = f"{target.graph_url.rstrip('/')}/{target.api_version}/{media_id}"
    headers = {"Authorization": f"Bearer {target.access_token}"}
    response, _ = await send_with_retry(
        partial(http.get, url, headers=headers), policy=retry, classify=classify, what="media"
    )
    body = response_json(response)
    size = body.get("file_size")
    return Attachment(
        filename=None,
        content_type=as_str(body.get("mime_type")) or "application/octet-stream",
        size=size if isinstance(size, int) else None,
        url=as_str(body.get("url")),
        provider_ref=media_id,
    )
