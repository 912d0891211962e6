"""The adapter registry and the shared HTTP retry policy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from pydantic_settings import BaseSettings

import channels
from channels import registry
from channels.adapter import ChannelAdapter
from channels.email.setup import EmailSettings
from channels.errors import AdapterLoadError, UnknownChannel
from channels.http_retry import RetryPolicy, retry_after
from channels.setup import Tools
from router.errors import ConfigurationError
from router.intake.channel_set import ChannelSet
from router.models.channels import Channel
from router.settings import Settings, check_channel_sections, load_settings


def test_every_router_channel_but_the_api_has_an_adapter() -> None:
    assert set(registry.names()) == {c.value for c in Channel} - {"api"}


def test_get_returns_adapter_classes_by_name() -> None:
    adapter = registry.get("whatsapp")
    assert issubclass(adapter, ChannelAdapter)
    assert adapter.channel == "whatsapp"


def test_unknown_channel_is_a_clear_error() -> None:
    with pytest.raises(UnknownChannel, match="no adapter for channel 'fax'; known: chat, email"):
        registry.get("fax")


def test_a_module_that_fails_to_import_stops_start_up() -> None:
    broken = registry.Registry(["channels.does_not_exist"])
    with pytest.raises(AdapterLoadError, match="channels.does_not_exist failed to import"):
        broken.load()
    assert issubclass(AdapterLoadError, ConfigurationError)


def test_a_module_that_registers_nothing_stops_start_up() -> None:
    with pytest.raises(AdapterLoadError, match="channels.text registered no adapter"):
        registry.Registry(["channels.text"]).load()


def test_two_adapters_cannot_claim_one_channel() -> None:
    own = registry.Registry([])

    class First(ChannelAdapter):
        channel = "email"

    class Second(ChannelAdapter):
        channel = "email"

    own.register(First)
    with pytest.raises(AdapterLoadError, match="registered twice"):
        own.register(Second)


def test_every_channel_package_declares_a_settings_section_and_a_factory() -> None:
    setups = registry.setups()
    assert len(setups) == len(channels.PACKAGES)
    for setup in setups:
        assert issubclass(setup.SECTION, BaseSettings)
        assert issubclass(Settings, setup.SECTION)  # the service reads every section


def test_a_package_without_a_set_up_stops_start_up() -> None:
    with pytest.raises(AdapterLoadError, match="channels.text declares no SECTION"):
        registry.Registry([], ["channels.text"]).setups()


def test_settings_missing_a_channel_section_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="XSettings"):
        check_channel_sections(EmailSettings)


async def test_the_running_set_is_built_from_the_registry() -> None:
    settings = load_settings(
        x_consumer_secret="x" * 32, meta_app_secret="m" * 32, meta_verify_token="v"
    )

    async def deliver(_visitor: str, _event: Mapping[str, Any]) -> None:
        return None

    async with httpx.AsyncClient() as http:
        built = ChannelSet.build(settings, Tools(http, deliver, "k" * 32))
    assert set(built.receivers) == set(registry.names())
    assert built.cannot_send("x") == "sending on x is not configured: set AIGUILLAGE_X_ACCESS_TOKEN"
    assert "email" in built.missing_out and "chat" in built.senders


def response(headers: dict[str, str]) -> httpx.Response:
    return httpx.Response(429, headers=headers)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2024, 6, 3, 10, 0, tzinfo=UTC)
    assert retry_after(response({"Retry-After": "12"})) == 12.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after(response({"Retry-After": later}), now=now.timestamp) == 90.0
    assert retry_after(response({"Retry-After": "soon"})) is None
    assert retry_after(response({})) is None
    assert retry_after(response({"Retry-After": "-5"})) == 0.0


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert RetryPolicy(base_delay=1.0, jitter=lambda: 0.0).backoff(1) == 0.5
