"""Rate limits and login throttles shared by every process, kept in Redis.

The bucket is the same token bucket as ``router.security.ratelimit.RateLimiter``, updated by
one Lua script (read, refill, spend, write: atomic, one round trip) on Redis's own clock, so
processes on hosts with drifting clocks still agree. Keys are
``<queue prefix>:limit:<limiter>:<sha256 of the caller key>``: no e-mail address, client
address or API key id appears in Redis, and a key expires once its bucket would be full.

Redis unreachable (down, network, a reply slower than ``TIMEOUT``): each process falls back
to its own in-memory buckets, as without Redis — never fully open, never closed (an outage
of a cache must not lock every integrator and every advisor out). One WARNING per outage,
one INFO when Redis answers again; during an outage Redis is retried every ``RETRY_AFTER``
seconds only, so requests do not each wait for a timeout.
"""

from __future__ import annotations

import hashlib
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from router.security.ratelimit import RateLimiter, refused

log = logging.getLogger(__name__)

TIMEOUT = 0.25  # seconds: connect and reply; a limiter slower than this costs more than it saves
RETRY_AFTER = 5.0  # seconds between two attempts to reach Redis during an outage

# KEYS[1]: the bucket; ARGV: rate (tokens/s), burst, cost. Returns the seconds to wait, as a
# string (Redis would truncate a Lua number to an integer), "0" when the tokens were spent.
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens, updated = tonumber(state[1]), tonumber(state[2])
if tokens == nil or updated == nil then
  tokens, updated = burst, now
end
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens < cost then
  wait = (cost - tokens) / rate
else
  tokens = tokens - cost
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return tostring(wait)
"""


class SharedBuckets:
    """One Redis client per process, shared by its limiters, and the outage state."""

    def __init__(self, url: str, prefix: str) -> None:
        self.redis = Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self.prefix = prefix
        self._script = self.redis.register_script(_TAKE)
        self._down_since: float | None = None
        self._retry_at = 0.0

    def key(self, limiter: str, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"{self.prefix}:limit:{limiter}:{digest}"

    @property
    def usable(self) -> bool:
        """False during an outage, until the next retry is due."""
        return self._down_since is None or time.monotonic() >= self._retry_at

    async def take(self, key: str, rate: float, burst: float, cost: float) -> float | None:
        """Seconds to wait (0.0: spent), or None when Redis cannot answer (use the fallback)."""
        if not self.usable:
            return None
        try:
            wait = await self._script(keys=[key], args=[rate, burst, cost])
        except (RedisError, OSError) as error:
            self._failed(error)
            return None
        self._answered()
        return float(wait)

    async def forget(self, key: str) -> None:
        if not self.usable:
            return
        try:
            await self.redis.delete(key)
        except (RedisError, OSError) as error:
            self._failed(error)
            return
        self._answered()

    def limiter(self, name: str, rate: float, burst: float) -> SharedRateLimiter:
        """A ``LimiterFactory``."""
        return SharedRateLimiter(self, name, rate, burst)

    async def check(self) -> None:
        """At start-up: say so at once when Redis cannot be reached."""
        try:
            await self.redis.ping()
        except (RedisError, OSError) as error:
            self._failed(error)

    async def close(self) -> None:
        await self.redis.aclose()

    def _failed(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
            log.warning(
                "Redis unreachable (%s): rate limits and login throttles are per process "
                "until it answers again",
                type(error).__name__,
            )
        self._retry_at = now + RETRY_AFTER

    def _answered(self) -> None:
        if self._down_since is not None:
            log.info(
                "Redis answers again after %.0f s: rate limits shared across processes",
                time.monotonic() - self._down_since,
            )
            self._down_since = None


class SharedRateLimiter:
    """A ``Limiter`` whose buckets live in Redis; its own ``RateLimiter`` during an outage."""

    def __init__(self, buckets: SharedBuckets, name: str, rate: float, burst: float) -> None:
        self.buckets = buckets
        self.name = name
        self.rate = rate
        self.burst = burst
        self.fallback = RateLimiter(rate, burst)

    async def take(self, key: str, what: str, cost: float = 1.0) -> None:
        wait = await self.buckets.take(
            self.buckets.key(self.name, key), self.rate, self.burst, cost
        )
        if wait is None:
            await self.fallback.take(key, what, cost)
        elif wait > 0:
            raise refused(what, wait)

    async def forget(self, key: str) -> None:
        await self.fallback.forget(key)
        await self.buckets.forget(self.buckets.key(self.name, key))
