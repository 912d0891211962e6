"""Meta's channels (Messenger, Instagram, WhatsApp): one app secret, a token per channel."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from channels.meta.adapter import InstagramAdapter, MessengerAdapter, MetaConfig, WhatsAppAdapter
from channels.meta.graph import GraphTarget
from channels.setup import SEND_RETRY, Tools, Wired, secret


class MetaSettings(BaseSettings):
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


SECTION = MetaSettings


def wire(settings: MetaSettings, tools: Tools) -> Iterator[Wired]:
    app_secret, verify = secret(settings.meta_app_secret), secret(settings.meta_verify_token)
    missing_in = None if app_secret and verify else (
        "AIGUILLAGE_META_APP_SECRET and ..._META_VERIFY_TOKEN"
    )
    kinds = (
        (MessengerAdapter, settings.messenger_access_token, settings.messenger_page_id,
         "AIGUILLAGE_MESSENGER_ACCESS_TOKEN"),
        (InstagramAdapter, settings.instagram_access_token, settings.instagram_account_id,
         "AIGUILLAGE_INSTAGRAM_ACCESS_TOKEN"),
        (WhatsAppAdapter, settings.whatsapp_access_token, settings.whatsapp_phone_number_id,
         "AIGUILLAGE_WHATSAPP_ACCESS_TOKEN and AIGUILLAGE_WHATSAPP_PHONE_NUMBER_ID"),
    )
    for kind, token, sender_id, needs in kinds:
        target = GraphTarget(
            access_token=secret(token),
            sender_id=sender_id or "me",
            graph_url=settings.meta_graph_url,
            api_version=settings.meta_api_version,
        )
        adapter = kind(MetaConfig(app_secret, verify, target), tools.http, retry=SEND_RETRY)
        can_send = bool(secret(token) and sender_id)
        yield Wired(kind.channel, adapter, missing_in, None if can_send else needs)
