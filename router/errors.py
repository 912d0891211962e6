"""One exception tree for the whole service; the API maps it to problem+json.

AiguillageError
├── ConfigurationError            settings that cannot work (start-up fails)
├── BrokerError
│   ├── BrokerUnavailable         broker unreachable or connection lost
│   └── DeliveryAlreadySettled    a delivery was acked/rejected twice
├── StoreUnavailable              database unreachable
└── DomainError                   a request that cannot be honoured (4xx)
    ├── Unauthenticated           401 (no or bad credentials)
    ├── Forbidden                 403 (authenticated, not allowed to do this to that)
    │   └── AccessDenied          403 (the route's declared role or scope is missing)
    ├── NotFound                  404
    │   └── ChannelNotConfigured  404 (a channel whose provider secret is not set)
    ├── Conflict                  409
    │   └── IdempotencyConflict   409 (a message key reused for other content)
    ├── Gone                      410 (valid once, now expired: a survey link)
    ├── TooLarge                  413 (a file over its limit)
    ├── InvalidRequest            422 (with the offending field)
    ├── RateLimited               429 (with Retry-After)
    └── ProviderFailed            502 (a provider did not hand over a customer's file)
"""

from __future__ import annotations

import math


class AiguillageError(Exception):
    """Base of every error raised on purpose by Aiguillage."""


class ConfigurationError(AiguillageError):
    """Settings are invalid or inconsistent."""


class BrokerError(AiguillageError):
    """Something went wrong in the message broker layer."""


class BrokerUnavailable(BrokerError):
    """The broker cannot be reached or the connection was lost."""


class DeliveryAlreadySettled(BrokerError):
    """A delivery was acked or rejected more than once."""


class StoreUnavailable(AiguillageError):
    """The database cannot be reached."""


class DomainError(AiguillageError):
    """A request that cannot be honoured; carries an HTTP status and a stable code."""

    status_code = 400
    code = "bad_request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    @property
    def headers(self) -> dict[str, str]:
        return {}

    @property
    def extra(self) -> dict[str, object]:
        """More members of the problem body."""
        return {}


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="aiguillage"'}


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class AccessDenied(Forbidden):
    code = "access_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class ChannelNotConfigured(NotFound):
    """A webhook or reply for a channel whose provider settings are missing."""

    code = "channel_not_configured"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class IdempotencyConflict(Conflict):
    """An idempotency key used again for other content; names the message that has it."""

    code = "idempotency_conflict"

    def __init__(self, detail: str, *, message_id: int, field: str = "external_id") -> None:
        super().__init__(detail, field=field)
        self.message_id = message_id

    @property
    def extra(self) -> dict[str, object]:
        return {"message_id": self.message_id}


class Gone(DomainError):
    status_code = 410
    code = "gone"


class TooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class InvalidRequest(DomainError):
    status_code = 422
    code = "invalid_request"


class RateLimited(DomainError):
    """``detail`` says what was limited; the wait is added to it in whole seconds, rounded
    up exactly as the ``Retry-After`` header (one rule: the text and header never differ)."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"{detail}; retry in {self.retry_seconds} s")

    @property
    def retry_seconds(self) -> int:
        """Whole seconds to wait, at least 1 (a client retrying sooner is refused again)."""
        return max(1, math.ceil(self.retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_seconds)}


class ProviderFailed(DomainError):
    """Not the caller's fault, but a clear answer: the provider (WhatsApp, Messenger) could
    not be reached or refused to hand over a file; the detail carries its reason."""

    status_code = 502
    code = "provider_failed"
