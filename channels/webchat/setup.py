"""The web chat widget: visitor tokens signed by the service's key, replies pushed live."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings

from channels.setup import Tools, Wired
from channels.webchat.adapter import WebchatAdapter, WebchatConfig


class WebchatSettings(BaseSettings):
    webchat_token_ttl_seconds: int = Field(default=86400, ge=60, le=30 * 86400)
    webchat_poll_seconds: float = Field(
        default=1.0, gt=0, description="how often replies sent by other processes are looked for"
    )
    webchat_abandon_grace_seconds: int = Field(
        default=120,
        ge=60,
        le=86400,
        description="a visitor whose chat still waits for an advisor this long after their "
        "socket closed, without writing since, has left: the conversation is resolved as "
        "abandoned (at least 60 s: open sockets confirm their visitor every 30 s)",
    )


SECTION = WebchatSettings


def wire(settings: WebchatSettings, tools: Tools) -> Iterator[Wired]:
    config = WebchatConfig(
        token_secrets=(tools.chat_secret,),
        token_ttl=timedelta(seconds=settings.webchat_token_ttl_seconds),
    )
    yield Wired("chat", WebchatAdapter(config, tools.deliver))
