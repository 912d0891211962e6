"""Errors raised by channel adapters, as one subtree of the service's exception tree.

AiguillageError (router.errors)
└── ChannelError
    ├── AdapterLoadError          an adapter module failed to import or register (start-up
    │                             fails; also a router.errors.ConfigurationError)
    ├── UnknownChannel            no adapter registered under that name
    ├── InboundRejected           a provider request refused before anything is stored; also a
    │   │                         router.errors.DomainError, so the API answers problem+json
    │   ├── SignatureMismatch     401: unsigned or forged webhook
    │   ├── HandshakeRejected     403: webhook verification with a wrong token or mode
    │   ├── InvalidVisitorToken   401: web-chat session token malformed, forged or expired
    │   ├── MalformedPayload      400: the body is not the provider's envelope (not JSON, ...)
    │   ├── InvalidFields         422: our own contract (web chat) with invalid fields
    │   └── PayloadTooLarge       413: message, body or attachment above the configured limit
    └── SendError                 an outbound message did not reach the provider
        ├── TransientSendError    worth retrying later (429, 5xx, connection failures)
        └── PermanentSendError    never retry as is (bad recipient, token, policy, 4xx/5xx SMTP)

Foreign errors (httpx, aiosmtplib, json) are mapped to these at the adapter boundary, so the
outbound worker only ever needs ``except TransientSendError`` / ``except PermanentSendError``.
"""

from __future__ import annotations

from router.errors import AiguillageError, ConfigurationError, DomainError


class ChannelError(AiguillageError):
    """Base of every error raised on purpose by a channel adapter."""


class AdapterLoadError(ChannelError, ConfigurationError):
    """A module listed in ``channels.ADAPTER_MODULES`` cannot be imported or registers nothing."""


class UnknownChannel(ChannelError, LookupError):
    """``registry.get(name)`` for a channel nobody registered."""


class InboundRejected(ChannelError, DomainError):
    """A provider request that is refused as a whole; nothing of it may be stored."""

    status_code = 400
    code = "inbound_rejected"


class SignatureMismatch(InboundRejected):
    status_code = 401
    code = "invalid_signature"


class HandshakeRejected(InboundRejected):
    status_code = 403
    code = "handshake_rejected"


class InvalidVisitorToken(InboundRejected):
    status_code = 401
    code = "invalid_visitor_token"


class MalformedPayload(InboundRejected):
    status_code = 400
    code = "malformed_payload"


class InvalidFields(InboundRejected):
    """Well-formed JSON for a contract of ours (the web-chat widget) with invalid fields:
    422 naming the first offending ``field``, as ``POST /v1/messages`` answers."""

    status_code = 422
    code = "invalid_request"


class PayloadTooLarge(InboundRejected):
    status_code = 413
    code = "payload_too_large"


class SendError(ChannelError):
    """An outbound message was not accepted by the provider.

    ``provider_code`` and ``provider_message`` are what the provider said (an SMTP reply
    code, a Graph API error code, an X problem type), ``status`` the HTTP status if any,
    ``attempts`` how many requests were made and ``sent_ids`` the provider ids of the parts
    already delivered when a multi-part send failed half-way (so a retry can skip them).
    """

    def __init__(
        self,
        detail: str,
        *,
        provider_code: str | None = None,
        provider_message: str | None = None,
        status: int | None = None,
        attempts: int = 1,
        sent_ids: tuple[str, ...] = (),
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.provider_code = provider_code
        self.provider_message = provider_message
        self.status = status
        self.attempts = attempts
        self.sent_ids = sent_ids


class TransientSendError(SendError):
    """Retry later: ``retry_after`` seconds if the provider said so.

    ``maybe_delivered`` is true when the request may have reached the provider before the
    connection failed (a read timeout): retrying could deliver the message twice.
    """

    def __init__(
        self,
        detail: str,
        *,
        retry_after: float | None = None,
        maybe_delivered: bool = False,
        provider_code: str | None = None,
        provider_message: str | None = None,
        status: int | None = None,
        attempts: int = 1,
        sent_ids: tuple[str, ...] = (),
    ) -> None:
        super().__init__(
            detail,
            provider_code=provider_code,
            provider_message=provider_message,
            status=status,
            attempts=attempts,
            sent_ids=sent_ids,
        )
        self.retry_after = retry_after
        self.maybe_delivered = maybe_delivered


class PermanentSendError(SendError):
    """The provider refused the message for a reason a retry will not change."""
