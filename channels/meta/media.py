"""Files through the Graph API: uploading a reply's attachment, fetching a customer's media.

Outbound, the bytes stored here are uploaded first (WhatsApp ``/{phone id}/media``,
Messenger and Instagram ``/{page id}/message_attachments``) and the message then names
the id the provider gave, so no public URL of ours is needed. Inbound, a WhatsApp media
id resolves to a short-lived URL that itself needs the bearer token; a Messenger
attachment comes with a signed CDN URL, fetched without the token (it is never sent to a
host the Graph API did not name).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import httpx
import orjson

from channels.base import Attachment
from channels.errors import PermanentSendError
from channels.http_retry import RetryPolicy, response_json, send_with_retry
from channels.meta.graph import GraphTarget, classify, media_url
from channels.text import as_str


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A customer's file fetched from the provider."""

    content: bytes
    content_type: str


def messenger_kind(content_type: str) -> str:
    major = content_type.partition("/")[0]
    return major if major in ("image", "video", "audio") else "file"


def _form_file(attachment: Attachment) -> tuple[str, bytes, str]:
    if attachment.content is None:
        raise PermanentSendError(f"attachment {attachment.filename!r} has no content to upload")
    return (attachment.filename or "file", attachment.content, attachment.content_type)


async def upload(
    http: httpx.AsyncClient,
    target: GraphTarget,
    attachment: Attachment,
    *,
    channel: str,
    retry: RetryPolicy,
) -> Attachment:
    """``attachment`` with ``provider_ref`` set to the id the provider gave its bytes."""
    base = f"{target.graph_url.rstrip('/')}/{target.api_version}/{target.sender_id}"
    if channel == "whatsapp":
        url = f"{base}/media"
        data = {"messaging_product": "whatsapp", "type": attachment.content_type}
        files = {"file": _form_file(attachment)}
        key = "id"
    else:
        url = f"{base}/message_attachments"
        kind = messenger_kind(attachment.content_type)
        message = {"attachment": {"type": kind, "payload": {"is_reusable": False}}}
        data = {"message": orjson.dumps(message).decode()}
        files = {"filedata": _form_file(attachment)}
        key = "attachment_id"
    headers = {"Authorization": f"Bearer {target.access_token}"}
    response, _ = await send_with_retry(
        partial(http.post, url, data=data, files=files, headers=headers),
        policy=retry,
        classify=classify,
        what=f"{channel} media upload",
    )
    media_id = as_str(response_json(response).get(key))
    if not media_id:
        raise PermanentSendError(f"{channel} media upload: the answer has no {key}")
    return replace(attachment, provider_ref=media_id)


async def download(
    http: httpx.AsyncClient,
    target: GraphTarget,
    attachment: Attachment,
    *,
    channel: str,
    retry: RetryPolicy,
) -> Downloaded:
    """The bytes of a customer's file: a WhatsApp media id resolved then fetched with the
    token; a Messenger or Instagram URL fetched as it is."""
    headers: dict[str, str] = {}
    url = attachment.url
    if channel == "whatsapp" and attachment.provider_ref:
        resolved = await media_url(http, target, attachment.provider_ref, retry=retry)
        url = resolved.url
        headers = {"Authorization": f"Bearer {target.access_token}"}
    if not url:
        raise PermanentSendError(f"the {channel} provider gave no address for this file")
    response, _ = await send_with_retry(
        partial(http.get, url, headers=headers),
        policy=retry,
        classify=classify,
        what=f"{channel} media download",
    )
    content_type = response.headers.get("content-type", "").partition(";")[0].strip()
    return Downloaded(
        content=response.content,
        content_type=content_type or attachment.content_type,
    )
