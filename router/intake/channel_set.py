"""The channel adapters of this process, built once from the settings by the registry.

Receiving needs the provider's *secret* (the app secret signs Meta webhooks, the consumer
secret X ones, the server key web-chat tokens); sending needs its *token* (or, for email, a
From address). A channel missing what an operation needs raises ``ChannelNotConfigured``
naming the variable to set: it is never served with a weaker check instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from channels import registry
from channels.adapter import ChannelAdapter
from channels.email.adapter import EmailAdapter
from channels.meta.adapter import OBJECTS, MetaAdapter
from channels.setup import Tools
from channels.webchat.adapter import WebchatAdapter
from router.errors import ChannelNotConfigured
from router.settings import Settings


@dataclass
class ChannelSet:
    """Adapters by channel, with what each one lacks for receiving and for sending."""

    receivers: dict[str, ChannelAdapter] = field(default_factory=dict)
    senders: dict[str, ChannelAdapter] = field(default_factory=dict)
    missing_in: dict[str, str] = field(default_factory=dict)
    missing_out: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, tools: Tools) -> ChannelSet:
        """Every registered channel package wires its adapters from its settings section."""
        registry.load()  # a broken adapter module stops start-up here
        built = cls()
        for setup in registry.setups():
            for wired in setup.wire(settings, tools):
                if wired.missing_in:
                    built.missing_in[wired.channel] = wired.missing_in
                else:
                    built.receivers[wired.channel] = wired.adapter
                if wired.missing_out:
                    built.missing_out[wired.channel] = wired.missing_out
                else:
                    built.senders[wired.channel] = wired.adapter
        return built

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
