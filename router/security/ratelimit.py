"""Token buckets keyed by caller (API key, client address, login name).

``RateLimiter`` keeps them in process memory: each API process limits on its own, so with N
processes a caller gets up to N times the rate. With ``AIGUILLAGE_REDIS_URL`` set, the
runtime uses ``router.security.shared_limits.SharedRateLimiter`` instead (same buckets, kept
in Redis), which falls back to a ``RateLimiter`` while Redis cannot be reached.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from router.errors import RateLimited


class Limiter(Protocol):
    """What the API and the login throttle need from a limiter, wherever its buckets live."""

    async def take(self, key: str, what: str, cost: float = 1.0) -> None:
        """Spend ``cost`` tokens of ``key``'s bucket or raise RateLimited (``what``: the
        noun of the message, "requests for this API key")."""
        ...

    async def forget(self, key: str) -> None:
        """Refill ``key``'s bucket (a successful login gives its budget back)."""
        ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


def refused(what: str, wait: float) -> RateLimited:
    return RateLimited(f"too many {what}", retry_after=wait)


class RateLimiter:
    """``rate`` tokens per second, up to ``burst``; least recently seen keys are forgotten."""

    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.burst, now)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        return bucket

    async def take(self, key: str, what: str, cost: float = 1.0) -> None:
        """Spend ``cost`` tokens or raise RateLimited saying when to come back."""
        bucket = self._bucket(key, self._clock())
        if bucket.tokens < cost:
            raise refused(what, (cost - bucket.tokens) / self.rate)
        bucket.tokens -= cost

    async def forget(self, key: str) -> None:
        self._buckets.pop(key, None)


#: Makes the limiter called ``name`` (a part of its shared keys) with ``rate`` and ``burst``.
LimiterFactory: TypeAlias = Callable[[str, float, float], Limiter]


def local_limiter(_name: str, rate: float, burst: float) -> Limiter:
    """The factory without Redis: buckets in this process."""
    return RateLimiter(rate, burst)
