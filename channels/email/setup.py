"""The e-mail channel's settings (SMTP listener, limits, From address, relay) and factory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from channels.email.adapter import EmailAdapter, EmailConfig
from channels.email.parse import EmailLimits
from channels.email.send import SmtpSettings
from channels.setup import Tools, Wired, secret

MIB = 1024 * 1024


class EmailSettings(BaseSettings):
    # -- email in ------------------------------------------------------------------------
    smtp_listen_host: str = Field(default="127.0.0.1", description="SMTP listener address")
    smtp_listen_port: int = Field(
        default=2525, ge=0, le=65535, description="SMTP listener port of `serve`; 0 disables it"
    )
    smtp_accept_domains: list[str] = Field(
        default_factory=list,
        description='recipient domains the listener accepts, e.g. ["support.example.com"]; '
        "empty accepts any recipient (put the listener behind your MX)",
    )
    email_max_message_bytes: int = Field(default=25 * MIB, ge=1024)
    email_max_attachment_bytes: int = Field(
        default=10 * MIB, ge=0, description="attachment bytes above this are described, not kept"
    )
    email_max_parts: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="MIME parts read per message; the rest are described in one attachment "
        "row and the message is flagged (they stay in the original)",
    )
    email_keep_original_bytes: int = Field(
        default=25 * MIB, ge=0, description="raw originals above this are described, not kept"
    )
    # -- email out -----------------------------------------------------------------------
    email_from_address: str | None = Field(
        default=None,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="the support address replies come from (unset: email replies refused)",
    )
    email_from_name: str | None = Field(default=None, max_length=200)
    email_envelope_from: str | None = Field(default=None, description="bounce address")
    email_message_id_domain: str | None = None
    smtp_relay_host: str = "localhost"
    smtp_relay_port: int = Field(default=25, ge=1, le=65535)
    smtp_relay_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_relay_username: str | None = None
    smtp_relay_password: SecretStr | None = None
    smtp_relay_timeout_seconds: float = Field(default=30.0, gt=0)
    smtp_relay_validate_certs: bool = True


SECTION = EmailSettings


def email_limits(settings: EmailSettings) -> EmailLimits:
    return EmailLimits(
        max_message_bytes=settings.email_max_message_bytes,
        max_attachment_bytes=settings.email_max_attachment_bytes,
        max_parts=settings.email_max_parts,
    )


def wire(settings: EmailSettings, tools: Tools) -> Iterator[Wired]:  # noqa: ARG001
    adapter = EmailAdapter(
        EmailConfig(
            from_address=settings.email_from_address or "unset@invalid",
            from_name=settings.email_from_name,
            smtp=SmtpSettings(
                host=settings.smtp_relay_host,
                port=settings.smtp_relay_port,
                security=settings.smtp_relay_security,
                username=settings.smtp_relay_username,
                password=secret(settings.smtp_relay_password) or None,
                timeout=settings.smtp_relay_timeout_seconds,
                validate_certs=settings.smtp_relay_validate_certs,
            ),
            envelope_from=settings.email_envelope_from,
            message_id_domain=settings.email_message_id_domain,
            limits=email_limits(settings),
        )
    )
    missing_out = None if settings.email_from_address else "AIGUILLAGE_EMAIL_FROM_ADDRESS"
    yield Wired("email", adapter, missing_out=missing_out)
