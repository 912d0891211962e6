"""Token buckets keyed by caller (API key, client address, login name), in process memory.

Each API process limits on its own: with N processes a caller gets up to N times the rate.
That keeps the hot path free of a network round trip; put a shared limiter in the reverse
proxy when the exact global figure matters.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from router.errors import RateLimited


@dataclass
class _Bucket:
    tokens: float
    updated: float


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

    def take(self, key: str, what: str, cost: float = 1.0) -> None:
        """Spend ``cost`` tokens or raise RateLimited saying when to come back."""
        bucket = self._bucket(key, self._clock())
        if bucket.tokens < cost:
            wait = (cost - bucket.tokens) / self.rate
            raise RateLimited(f"too many {what}", retry_after=wait)
        bucket.tokens -= cost

    def blocked_for(self, key: str) -> float:
        """Seconds until one token is available (0 when it is now)."""
        bucket = self._bucket(key, self._clock())
        return max(0.0, (1.0 - bucket.tokens) / self.rate)

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)
