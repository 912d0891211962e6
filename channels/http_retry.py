"""How provider HTTP APIs are retried: the one policy shared by the Graph API and X senders.

* 429 and 5xx (and provider codes the sender's ``classify`` marks transient) are retried with
  exponential backoff and jitter, honouring ``Retry-After`` (seconds or HTTP date) or a
  provider-specific hint, within a cap on attempts *and* on the total time spent waiting:
  past the cap the last ``TransientSendError`` is raised with ``retry_after`` set, so the
  outbound worker can reschedule instead of holding a connection.
* Failures before the request left (connect errors, pool timeouts) are retried too; failures
  after it may have reached the provider (read timeout, connection dropped) are not, and
  raise ``TransientSendError(maybe_delivered=True)``: a blind retry could send twice.
* Any other error response is permanent and raised at once, carrying the provider's code.

``sleep`` and ``jitter`` are injectable so tests run instantly and deterministically.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from channels.errors import PermanentSendError, SendError, TransientSendError

Sleep = Callable[[float], Awaitable[None]]
#: Turns a non-2xx response (and the attempt number) into the error to raise or retry.
Classifier = Callable[[httpx.Response, int], SendError]

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total_wait: float = 60.0
    sleep: Sleep = asyncio.sleep
    jitter: Callable[[], float] = random.random

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt ``attempt`` (1-based): 50-100 % of the doubling step."""
        step = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return float(step * (0.5 + 0.5 * self.jitter()))


def retry_after(response: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the provider asks us to wait (``Retry-After``), or None if it did not say."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now()
        except (TypeError, ValueError, IndexError):
            return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def response_json(response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object, or {} when it is not one."""
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def send_with_retry(
    request: Callable[[], Awaitable[httpx.Response]],
    *,
    policy: RetryPolicy,
    classify: Classifier,
    what: str,
) -> tuple[httpx.Response, int]:
    """Run ``request`` until a 2xx response; return it with the number of attempts made."""
    waited = 0.0
    attempt = 0
    while True:
        attempt += 1
        try:
            response = await request()
        except _NOT_SENT as exc:
            error: SendError = TransientSendError(
                f"{what}: cannot reach the provider: {exc!r}", attempts=attempt
            )
        except httpx.TransportError as exc:
            raise TransientSendError(
                f"{what}: connection failed after the request was sent: {exc!r}",
                maybe_delivered=True,
                attempts=attempt,
            ) from exc
        else:
            if response.is_success:
                return response, attempt
            error = classify(response, attempt)
        if isinstance(error, PermanentSendError) or not isinstance(error, TransientSendError):
            raise error
        delay = error.retry_after if error.retry_after is not None else policy.backoff(attempt)
        if attempt >= policy.max_attempts or waited + delay > policy.max_total_wait:
            error.retry_after = delay
            raise error
        await policy.sleep(delay)
        waited += delay
