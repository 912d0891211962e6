"""Fixtures for the channels wired into the service: the real app on both backends, with
provider secrets set and the providers faked by real servers on loopback ports (a Graph/X
API over HTTP, an SMTP relay with aiosmtpd)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from router.settings import Settings
from tests.channels.conftest import (  # noqa: F401 - fixtures, registered by import
    SmtpServer,
    provider,
    provider_server,
    smtp_server,
)
from tests.channels.support import FakeProvider
from tests.conftest import admin_client

APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "verify-me"
X_SECRET = "x-consumer-secret-for-tests"
PAGE_ID = "106512345678901"
WA_NUMBER_ID = "106540352242922"
SUPPORT = "support@aiguillage.test"


def with_channels(settings: Settings, fake: FakeProvider, smtp_port: int) -> Settings:
    """``settings`` with every channel configured against the loopback fakes."""
    return settings.model_copy(
        update={
            "meta_app_secret": SecretStr(APP_SECRET),
            "meta_verify_token": SecretStr(VERIFY_TOKEN),
            "meta_graph_url": fake.url,
            "messenger_access_token": SecretStr("page-token"),
            "messenger_page_id": PAGE_ID,
            "whatsapp_access_token": SecretStr("wa-token"),
            "whatsapp_phone_number_id": WA_NUMBER_ID,
            "x_consumer_secret": SecretStr(X_SECRET),
            "x_access_token": SecretStr("x-token"),
            "x_api_url": fake.url,
            "email_from_address": SUPPORT,
            "email_from_name": "Aiguillage Support",
            "smtp_relay_host": "127.0.0.1",
            "smtp_relay_port": smtp_port,
            "smtp_relay_security": "none",
            "smtp_relay_timeout_seconds": 5.0,
            "outbound_retry_base_seconds": 0.05,
            "outbound_retry_max_seconds": 0.2,
            "outbound_scan_seconds": 0.1,
            "outbound_max_attempts": 3,
            "webchat_poll_seconds": 0.2,
            "public_requests_per_minute": 100_000,
        }
    )


@pytest.fixture
def live_settings(
    settings: Settings,
    provider: FakeProvider,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
) -> Settings:
    return with_channels(settings, provider, smtp_server.port)


@pytest.fixture
async def live(live_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with every channel configured, logged in as an admin."""
    async with admin_client(live_settings) as http:
        yield http
