"""The web chat widget: visitor tokens signed by the service's key, replies pushed live."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

from pydantic import Field, field_validator
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
    webchat_allowed_origins: str = Field(
        default="",
        description="comma-separated origins of the websites embedding the chat widget "
        "(https://shop.example.com,https://www.example.com), allowed to call the chat API and "
        "open its WebSocket from their pages; '*': any site; empty: this service's own pages "
        "only",
    )
    webchat_upload_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        le=50 * 1024 * 1024,
        description="largest file a visitor may send through the widget",
    )

    @field_validator("webchat_allowed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        entries = [entry.strip().rstrip("/") for entry in value.split(",") if entry.strip()]
        for entry in entries:
            parts = urlsplit(entry)
            if entry != "*" and (
                parts.scheme not in ("http", "https") or not parts.netloc or parts.path
            ):
                raise ValueError(
                    f"{entry!r} is not an origin: write scheme://host[:port], without a path "
                    "(https://shop.example.com), or '*'"
                )
        return ",".join(entries)

    @property
    def webchat_origin_list(self) -> tuple[str, ...]:
        return tuple(entry for entry in self.webchat_allowed_origins.split(",") if entry)


SECTION = WebchatSettings


def wire(settings: WebchatSettings, tools: Tools) -> Iterator[Wired]:
    config = WebchatConfig(
        token_secrets=(tools.chat_secret,),
        token_ttl=timedelta(seconds=settings.webchat_token_ttl_seconds),
        upload_max_bytes=settings.webchat_upload_max_bytes,
    )
    yield Wired("chat", WebchatAdapter(config, tools.deliver))
