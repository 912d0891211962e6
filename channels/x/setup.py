"""The X channel: the consumer secret verifies webhooks, the user token sends replies."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from channels.setup import SEND_RETRY, Tools, Wired, secret
from channels.x.adapter import XAdapter, XConfig
from channels.x.api import XTarget


class XSettings(BaseSettings):
    x_consumer_secret: SecretStr | None = Field(
        default=None, description="X app secret: CRC answers and webhook signatures"
    )
    x_access_token: SecretStr | None = Field(default=None, description="OAuth 2.0 user token")
    x_api_url: str = "https://api.x.com"


SECTION = XSettings


def wire(settings: XSettings, tools: Tools) -> Iterator[Wired]:
    consumer, token = secret(settings.x_consumer_secret), secret(settings.x_access_token)
    target = XTarget(token, api_url=settings.x_api_url)
    adapter = XAdapter(XConfig(consumer, target), tools.http, retry=SEND_RETRY)
    yield Wired(
        "x",
        adapter,
        missing_in=None if consumer else "AIGUILLAGE_X_CONSUMER_SECRET",
        missing_out=None if token else "AIGUILLAGE_X_ACCESS_TOKEN",
    )
