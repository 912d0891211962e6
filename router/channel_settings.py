"""Settings of the channels: provider secrets, the SMTP listener and relay, outbound retries.

A mixin of ``router.settings.Settings`` (same ``AIGUILLAGE_`` prefix), kept apart so the
core settings stay readable. A channel whose secret is unset is *not configured*: its
webhook answers 404 saying which variable to set, and replies on it are refused; nothing
unsigned is ever accepted in its place.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

MIB = 1024 * 1024


class ChannelSettings(BaseSettings):
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
    # -- Meta: Messenger, Instagram, WhatsApp ---------------------------------------------
    meta_app_secret: SecretStr | None = Field(
        default=None, description="signs Meta webhooks (X-Hub-Signature-256)"
    )
    meta_verify_token: SecretStr | None = Field(
        default=None, description="chosen by you, echoed by Meta in the webhook handshake"
    )
    meta_graph_url: str = "https://graph.facebook.com"
    meta_api_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    messenger_access_token: SecretStr | None = None
    messenger_page_id: str = "me"
    instagram_access_token: SecretStr | None = None
    instagram_account_id: str = "me"
    whatsapp_access_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    # -- X --------------------------------------------------------------------------------
    x_consumer_secret: SecretStr | None = Field(
        default=None, description="X app secret: CRC answers and webhook signatures"
    )
    x_access_token: SecretStr | None = Field(default=None, description="OAuth 2.0 user token")
    x_api_url: str = "https://api.x.com"
    # -- web chat -------------------------------------------------------------------------
    webchat_token_ttl_seconds: int = Field(default=86400, ge=60, le=30 * 86400)
    webchat_poll_seconds: float = Field(
        default=1.0, gt=0, description="how often replies sent by other processes are looked for"
    )
    # -- outbound delivery ----------------------------------------------------------------
    outbound_max_attempts: int = Field(default=8, ge=1, le=50)
    outbound_retry_base_seconds: float = Field(default=5.0, gt=0)
    outbound_retry_max_seconds: float = Field(default=900.0, gt=0)
    outbound_scan_seconds: float = Field(
        default=2.0, gt=0, description="how often replies due for a (re)try are queued"
    )
    outbound_stale_seconds: float = Field(
        default=300.0, gt=0, description="a send claimed this long ago by a vanished worker"
    )
