"""The email channel: raw RFC 5322 messages in (SMTP listener, importer, inbound-mail
webhooks that post raw MIME), SMTP out."""

from __future__ import annotations

from dataclasses import dataclass, field

from channels import registry
from channels.adapter import ChannelAdapter, WebhookRequest
from channels.base import InboundMessage, OutboundMessage, ParseResult, SendResult
from channels.email.parse import EmailLimits, parse_email
from channels.email.send import SmtpSettings, build_email, smtp_send


@dataclass(frozen=True, slots=True)
class EmailConfig:
    from_address: str  # the support address replies come from
    from_name: str | None = None
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    envelope_from: str | None = None  # bounce address (MAIL FROM), if not from_address
    message_id_domain: str | None = None  # defaults to from_address's domain
    limits: EmailLimits = field(default_factory=EmailLimits)


@registry.register
class EmailAdapter(ChannelAdapter):
    """``verify`` only checks the size: who may hand us mail is the transport's business
    (the SMTP listener's relay rules, the import command's operator)."""

    channel = "email"

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self.max_body_bytes = config.limits.max_message_bytes

    def verify(self, request: WebhookRequest) -> None:
        self.check_size(request.body)

    def parse(self, request: WebhookRequest) -> ParseResult:
        return ParseResult(messages=(self.parse_raw(request.body),))

    def parse_raw(self, raw: bytes) -> InboundMessage:
        """One raw message (``PayloadTooLarge`` above the limit, never anything else)."""
        return parse_email(raw, limits=self.config.limits)

    async def send(self, message: OutboundMessage) -> SendResult:
        email = build_email(
            message,
            from_address=self.config.from_address,
            from_name=self.config.from_name,
            domain=self.config.message_id_domain,
        )
        await smtp_send(email, self.config.smtp, self.config.envelope_from)
        message_id = str(email["Message-ID"])
        return SendResult(
            provider_message_id=message_id,
            metadata={
                "message_id": message_id,
                "in_reply_to": str(email["In-Reply-To"] or "") or None,
                "references": str(email["References"] or "").split(),
                "subject": str(email["Subject"]),
            },
        )
