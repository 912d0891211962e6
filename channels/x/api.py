"""Sending a direct message through X API v2 with httpx.

``POST /2/dm_conversations/with/{participant_id}/messages`` with ``{"text": ...}`` and a
user-context OAuth 2.0 token (``dm.write``); the answer's ``data.dm_event_id`` is the
provider id. Rate limits answer 429 with ``x-rate-limit-reset`` (epoch seconds), used as
the retry delay when there is no ``Retry-After``. Media needs the separate upload API and is
refused before any request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

import httpx

from channels.base import OutboundMessage, SendResult
from channels.errors import PermanentSendError, SendError, TransientSendError
from channels.http_retry import RetryPolicy, response_json, retry_after, send_with_retry
from channels.text import as_dict, as_list, as_str

TEXT_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class XTarget:
    access_token: str = field(repr=False)  # OAuth 2.0 user context, dm.write + dm.read
    api_url: str = "https://api.x.com"


def _delay(response: httpx.Response) -> float | None:
    hint = retry_after(response)
    reset = response.headers.get("x-rate-limit-reset", "")
    if hint is None and reset.isdigit():
        hint = max(0.0, int(reset) - time.time())
    return hint


def classify(response: httpx.Response, attempt: int) -> SendError:
    body = response_json(response)
    first = as_dict((as_list(body.get("errors")) or [None])[0])
    code = as_str(body.get("type")) or as_str(first.get("code")) or as_str(first.get("type"))
    message = (
        as_str(body.get("detail"))
        or as_str(first.get("message"))
        or as_str(body.get("title"))
        or response.reason_phrase
    )
    detail = f"X API answered {response.status_code}: {message}"
    if response.status_code == 429 or response.status_code >= 500:
        return TransientSendError(
            detail,
            retry_after=_delay(response),
            provider_code=code,
            provider_message=message,
            status=response.status_code,
            attempts=attempt,
        )
    return PermanentSendError(
        detail,
        provider_code=code,
        provider_message=message,
        status=response.status_code,
        attempts=attempt,
    )


async def send_dm(
    http: httpx.AsyncClient, target: XTarget, message: OutboundMessage, retry: RetryPolicy
) -> SendResult:
    if not message.to.isdigit():
        raise PermanentSendError(f"an X recipient is a numeric user id, not {message.to!r}")
    if message.attachments:
        raise PermanentSendError("attachments on X need the media upload API (not supported)")
    if not message.text or len(message.text) > TEXT_LIMIT:
        raise PermanentSendError(f"X direct messages need 1 to {TEXT_LIMIT} characters of text")
    url = f"{target.api_url.rstrip('/')}/2/dm_conversations/with/{message.to}/messages"
    headers = {"Authorization": f"Bearer {target.access_token}"}
    response, attempts = await send_with_retry(
        partial(http.post, url, json={"text": message.text}, headers=headers),
        policy=retry,
        classify=classify,
        what="x send",
    )
    data = as_dict(response_json(response).get("data"))
    event_id = as_str(data.get("dm_event_id"))
    if event_id is None:
        raise PermanentSendError("x send: the answer has no data.dm_event_id", attempts=attempts)
    return SendResult(
        provider_message_id=event_id,
        attempts=attempts,
        provider_message_ids=(event_id,),
        metadata={"dm_conversation_id": as_str(data.get("dm_conversation_id"))},
    )
