"""X-Forwarded-For is believed only from AIGUILLAGE_TRUSTED_PROXIES, through a real uvicorn
server configured exactly as ``aiguillage serve`` configures it (the test client connects
from 127.0.0.1, which uvicorn's own default trusts)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn

from router.app import create_app
from router.cli.server import uvicorn_config
from router.errors import ConfigurationError, Conflict
from router.security.staff import create_admin
from router.settings import Settings, load_settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.processes import free_port


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": free_port()})
    app = create_app(settings)
    server = uvicorn.Server(uvicorn_config(app, settings))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(600):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        assert server.started, "uvicorn did not start"
        with contextlib.suppress(Conflict):  # served twice on one database
            await create_admin(app.state.runtime.db, ADMIN_EMAIL, "Test Admin", ADMIN_PASSWORD)
        base = f"http://{settings.host}:{settings.port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield http
    finally:
        server.should_exit = True
        await task


async def _wrong_login(http: httpx.AsyncClient, forwarded_for: str) -> httpx.Response:
    return await http.post(
        "/v1/auth/token",
        data={"username": ADMIN_EMAIL, "password": "guess guess guess"},
        headers={"X-Forwarded-For": forwarded_for},
    )


async def test_forwarded_for_from_an_untrusted_client_does_not_escape_the_limits(
    settings: Settings,
) -> None:
    limited = settings.model_copy(
        update={"public_requests_per_minute": 1000, "login_failures_allowed": 2}
    )
    async with served(limited) as http:
        statuses = [(await _wrong_login(http, f"203.0.113.{n}")).status_code for n in range(3)]
        assert statuses == [401, 401, 429]  # the lockout keys on the peer, not the header

    throttled = settings.model_copy(update={"public_requests_per_minute": 3})
    async with served(throttled) as http:
        statuses = [(await _wrong_login(http, f"198.51.100.{n}")).status_code for n in range(4)]
        assert statuses == [401, 401, 401, 429]
        assert "retry in" in (await _wrong_login(http, "192.0.2.1")).json()["detail"]


async def test_forwarded_for_from_a_trusted_proxy_is_the_client_address(
    settings: Settings,
) -> None:
    behind_proxy = settings.model_copy(
        update={
            "trusted_proxies": "127.0.0.1,::1",
            "public_requests_per_minute": 1000,
            "login_failures_allowed": 2,
        }
    )
    async with served(behind_proxy) as http:
        # Each client behind the proxy has its own lockout budget ...
        statuses = [(await _wrong_login(http, f"203.0.113.{n}")).status_code for n in range(4)]
        assert statuses == [401, 401, 401, 401]
        # ... and one client is locked out whatever the proxy's own address.
        repeated = [(await _wrong_login(http, "203.0.113.77")).status_code for _ in range(3)]
        assert repeated == [401, 401, 429]


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert load_settings(trusted_proxies=" 10.0.0.5, 10.1.0.0/16 ,").trusted_proxy_list == [
        "10.0.0.5",
        "10.1.0.0/16",
    ]
    assert load_settings().trusted_proxy_list == []
    for bad in ("*", "proxy.internal", "10.0.0.300"):
        with pytest.raises(ConfigurationError, match="AIGUILLAGE_TRUSTED_PROXIES"):
            load_settings(trusted_proxies=bad)
