"""The channel adapters of this process, built once from the settings.

Receiving needs the provider's *secret* (the app secret signs Meta webhooks, the consumer
secret X ones, the server key web-chat tokens); sending needs its *token* (or, for email, a
From address). A channel missing what an operation needs raises ``ChannelNotConfigured``
naming the variable to set: it is never served with a weaker check instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import httpx

from channels import registry
from channels.adapter import ChannelAdapter
from channels.email.adapter import EmailAdapter, EmailConfig
from channels.email.parse import EmailLimits
from channels.email.send import SmtpSettings
from channels.http_retry import RetryPolicy
from channels.meta.adapter import (
    OBJECTS,
    InstagramAdapter,
    MessengerAdapter,
    MetaAdapter,
    MetaConfig,
    WhatsAppAdapter,
)
from channels.meta.graph import GraphTarget
from channels.webchat.adapter import Deliver, WebchatAdapter, WebchatConfig
from channels.x.adapter import XAdapter, XConfig
from channels.x.api import XTarget
from router.errors import ChannelNotConfigured
from router.settings import Settings

#: The retry a send makes itself before handing a transient failure back to the outbound
#: worker, which reschedules it (durably) instead of holding a worker slot.
SEND_RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=5.0, max_total_wait=10.0)


def email_limits(settings: Settings) -> EmailLimits:
    return EmailLimits(
        max_message_bytes=settings.email_max_message_bytes,
        max_attachment_bytes=settings.email_max_attachment_bytes,
    )


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else ""


@dataclass
class ChannelSet:
    """Adapters by channel, with what each one lacks for receiving and for sending."""

    receivers: dict[str, ChannelAdapter] = field(default_factory=dict)
    senders: dict[str, ChannelAdapter] = field(default_factory=dict)
    missing_in: dict[str, str] = field(default_factory=dict)
    missing_out: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls, settings: Settings, http: httpx.AsyncClient, deliver: Deliver, chat_secret: str
    ) -> ChannelSet:
        registry.load()  # a broken adapter module stops start-up here
        built = cls()
        built._email(settings)
        built._meta(settings, http)
        built._x(settings, http)
        chat = WebchatAdapter(
            WebchatConfig(
                token_secrets=(chat_secret,),
                token_ttl=timedelta(seconds=settings.webchat_token_ttl_seconds),
            ),
            deliver,
        )
        built.receivers["chat"] = built.senders["chat"] = chat
        return built

    def _email(self, settings: Settings) -> None:
        adapter = EmailAdapter(
            EmailConfig(
                from_address=settings.email_from_address or "unset@invalid",
                from_name=settings.email_from_name,
                smtp=SmtpSettings(
                    host=settings.smtp_relay_host,
                    port=settings.smtp_relay_port,
                    security=settings.smtp_relay_security,
                    username=settings.smtp_relay_username,
                    password=_secret(settings.smtp_relay_password) or None,
                    timeout=settings.smtp_relay_timeout_seconds,
                    validate_certs=settings.smtp_relay_validate_certs,
                ),
                envelope_from=settings.email_envelope_from,
                message_id_domain=settings.email_message_id_domain,
                limits=email_limits(settings),
            )
        )
        self.receivers["email"] = adapter
        if settings.email_from_address:
            self.senders["email"] = adapter
        else:
            self.missing_out["email"] = "AIGUILLAGE_EMAIL_FROM_ADDRESS"

    def _meta(self, settings: Settings, http: httpx.AsyncClient) -> None:
        secret, verify = _secret(settings.meta_app_secret), _secret(settings.meta_verify_token)
        kinds: dict[str, tuple[type[MetaAdapter], object, str | None, str]] = {
            "messenger": (
                MessengerAdapter,
                settings.messenger_access_token,
                settings.messenger_page_id,
                "AIGUILLAGE_MESSENGER_ACCESS_TOKEN",
            ),
            "instagram": (
                InstagramAdapter,
                settings.instagram_access_token,
                settings.instagram_account_id,
                "AIGUILLAGE_INSTAGRAM_ACCESS_TOKEN",
            ),
            "whatsapp": (
                WhatsAppAdapter,
                settings.whatsapp_access_token,
                settings.whatsapp_phone_number_id,
                "AIGUILLAGE_WHATSAPP_ACCESS_TOKEN and AIGUILLAGE_WHATSAPP_PHONE_NUMBER_ID",
            ),
        }
        for channel, (kind, token, sender_id, needs) in kinds.items():
            target = GraphTarget(
                access_token=_secret(token),
                sender_id=sender_id or "me",
                graph_url=settings.meta_graph_url,
                api_version=settings.meta_api_version,
            )
            adapter = kind(MetaConfig(secret, verify, target), http, retry=SEND_RETRY)
            if secret and verify:
                self.receivers[channel] = adapter
            else:
                self.missing_in[channel] = "AIGUILLAGE_META_APP_SECRET and ..._META_VERIFY_TOKEN"
            if _secret(token) and sender_id:
                self.senders[channel] = adapter
            else:
                self.missing_out[channel] = needs

    def _x(self, settings: Settings, http: httpx.AsyncClient) -> None:
        secret, token = _secret(settings.x_consumer_secret), _secret(settings.x_access_token)
        adapter = XAdapter(
            XConfig(secret, XTarget(token, api_url=settings.x_api_url)), http, retry=SEND_RETRY
        )
        if secret:
            self.receivers["x"] = adapter
        else:
            self.missing_in["x"] = "AIGUILLAGE_X_CONSUMER_SECRET"
        if token:
            self.senders["x"] = adapter
        else:
            self.missing_out["x"] = "AIGUILLAGE_X_ACCESS_TOKEN"

    def receiver(self, channel: str) -> ChannelAdapter:
        adapter = self.receivers.get(channel)
        if adapter is None:
            needs = self.missing_in.get(channel)
            raise ChannelNotConfigured(
                f"the {channel} channel is not configured here: set {needs}"
                if needs
                else f"no inbound webhook for channel {channel!r}"
            )
        return adapter

    def meta_receiver(self, meta_object: object) -> MetaAdapter | None:
        """The Meta adapter for a payload's ``object`` (None: not a Meta platform we know)."""
        channel = OBJECTS.get(meta_object) if isinstance(meta_object, str) else None
        adapter = self.receivers.get(channel) if channel else None
        return adapter if isinstance(adapter, MetaAdapter) else None

    def cannot_send(self, channel: str) -> str | None:
        """Why replies on ``channel`` are impossible here, or None if they are possible."""
        if channel in self.senders:
            return None
        needs = self.missing_out.get(channel)
        if needs:
            return f"sending on {channel} is not configured: set {needs}"
        return f"replies cannot be sent on channel {channel!r}; pick another channel"

    def sender(self, channel: str) -> ChannelAdapter:
        reason = self.cannot_send(channel)
        if reason is not None:
            raise ChannelNotConfigured(reason)
        return self.senders[channel]

    @property
    def email(self) -> EmailAdapter:
        adapter = self.receivers["email"]
        assert isinstance(adapter, EmailAdapter)
        return adapter

    @property
    def chat(self) -> WebchatAdapter:
        adapter = self.receivers["chat"]
        assert isinstance(adapter, WebchatAdapter)
        return adapter
