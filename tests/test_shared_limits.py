"""Rate limits and login throttles shared across processes through Redis
(``AIGUILLAGE_REDIS_URL``); per process without it, and while Redis cannot be reached."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from redis.asyncio import Redis

from router.app import create_app
from router.errors import RateLimited
from router.runtime import Runtime
from router.security.ratelimit import RateLimiter
from router.security.shared_limits import SharedBuckets, SharedRateLimiter
from router.settings import Settings, load_settings
from tests import services
from tests.conftest import ADMIN_EMAIL, admin_client

ACCOUNT = "ann@example.com|10.0.0.1"  # a login throttle's key: an account and an address


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own, its keys deleted afterwards."""
    services.require("redis")
    name = f"t{uuid4().hex[:10]}"
    yield name
    client = Redis.from_url(services.TEST_REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{name}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_two_processes_share_one_budget(prefix: str) -> None:
    # Two clients, as two processes have: 3 attempts in all, not 3 each.
    one, two = (
        SharedBuckets(services.TEST_REDIS_URL, prefix),
        SharedBuckets(services.TEST_REDIS_URL, prefix),
    )
    try:
        limiters = [buckets.limiter("login", 1 / 3600, 3) for buckets in (one, two)]
        for attempt in range(3):
            await limiters[attempt % 2].take(ACCOUNT, "failed logins")
        for limiter in limiters:
            with pytest.raises(RateLimited) as refused:
                await limiter.take(ACCOUNT, "failed logins")
            assert refused.value.retry_after > 3000  # one token an hour
        keys = [key async for key in one.redis.scan_iter(f"{prefix}:*")]
        assert len(keys) == 1 and b"ann" not in keys[0] and b"10.0.0.1" not in keys[0]
        await limiters[1].forget(ACCOUNT)  # a success gives the budget back everywhere
        await limiters[0].take(ACCOUNT, "failed logins")
    finally:
        await one.close()
        await two.close()


async def test_an_unreachable_redis_falls_back_to_per_process_limits(
    caplog: pytest.LogCaptureFixture,
) -> None:
    buckets = SharedBuckets("redis://127.0.0.1:1/0", "t")  # nothing listens on port 1
    limiter = buckets.limiter("key", 1 / 3600, 2)
    try:
        await limiter.take("key:1", "requests")
        await limiter.take("key:1", "requests")
        with pytest.raises(RateLimited):
            await limiter.take("key:1", "requests")
    finally:
        await buckets.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Redis unreachable" in warnings[0].getMessage()


async def test_without_redis_each_process_limits_on_its_own(tmp_path: Path) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", redis_url="")
    runtime = Runtime.build(settings)
    try:
        assert runtime.shared_buckets is None
        assert isinstance(runtime.key_limiter, RateLimiter)
        assert isinstance(runtime.auth.login_throttle, RateLimiter)
    finally:
        await runtime.http.aclose()
        await runtime.db.dispose()


@pytest.mark.parametrize("backend", ["embedded"])  # what is shared is in Redis, not the store
async def test_two_app_instances_share_the_login_throttle(settings: Settings, prefix: str) -> None:
    shared = settings.model_copy(
        update={
            "redis_url": services.TEST_REDIS_URL,
            "queue_prefix": prefix,
            "login_failures_allowed": 2,
        }
    )
    wrong = {"username": ADMIN_EMAIL, "password": "not the password"}
    async with admin_client(shared) as first:
        assert isinstance(first.runtime.auth.login_throttle, SharedRateLimiter)  # type: ignore[attr-defined]
        app = create_app(shared)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as second:
                answers = [
                    (await http.post("/v1/auth/token", data=wrong)).status_code
                    for http in (first, second, first, second)
                ]
    assert answers == [401, 401, 429, 429]
