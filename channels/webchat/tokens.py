"""Visitor session tokens: HMAC-signed (JWT, HS256), expiring, verified without a database.

The widget gets a token when a chat starts and presents it on every message; the token's
subject is the visitor id, which is the chat channel's sender address. The HMAC key is
derived from the configured secret for this purpose only and the token carries a
dedicated audience, so a visitor token is never accepted as any other credential (and no
other token signed with the same secret is accepted here). Several secrets may be
configured: the first signs, all verify (rotation without logging visitors out).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets as random_tokens
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from channels.errors import InvalidVisitorToken
from router.errors import ConfigurationError

AUDIENCE = "aiguillage:webchat-visitor"
ALGORITHM = "HS256"
MIN_SECRET_BYTES = 32
_VISITOR_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


@dataclass(frozen=True, slots=True)
class VisitorSession:
    visitor_id: str
    issued_at: datetime
    expires_at: datetime


def _key(secret: str | bytes) -> bytes:
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    if len(raw) < MIN_SECRET_BYTES:
        raise ConfigurationError(f"web chat token secrets need {MIN_SECRET_BYTES}+ bytes")
    return hmac.new(raw, b"aiguillage webchat visitor token v1", hashlib.sha256).digest()


def new_visitor_id() -> str:
    return "v_" + random_tokens.token_urlsafe(18)


def issue_token(
    secret: str | bytes,
    *,
    visitor_id: str | None = None,
    ttl: timedelta = timedelta(hours=24),
    now: datetime | None = None,
) -> tuple[str, VisitorSession]:
    """A signed token for ``visitor_id`` (a new one if None) and the session it encodes."""
    visitor_id = visitor_id or new_visitor_id()
    if not _VISITOR_ID.fullmatch(visitor_id):
        raise ValueError("visitor ids are 8-64 characters of A-Z, a-z, 0-9, '_' and '-'")
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    session = VisitorSession(visitor_id, issued, issued + ttl)
    claims = {
        "sub": visitor_id,
        "aud": AUDIENCE,
        "iat": int(issued.timestamp()),
        "exp": int(session.expires_at.timestamp()),
    }
    return jwt.encode(claims, _key(secret), algorithm=ALGORITHM), session


def verify_token(
    token: str,
    secrets: Sequence[str | bytes],
    *,
    now: datetime | None = None,
    leeway: timedelta = timedelta(seconds=30),
) -> VisitorSession:
    """The session of a valid token; ``InvalidVisitorToken`` saying why otherwise."""
    if not secrets:
        raise ConfigurationError("no web chat token secret configured")
    claims = None
    for secret in secrets:
        try:
            claims = jwt.decode(
                token,
                _key(secret),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                options={"require": ["sub", "aud", "iat", "exp"], "verify_exp": False},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise InvalidVisitorToken(f"visitor token refused: {exc}") from None
    if claims is None:
        raise InvalidVisitorToken("visitor token refused: signature does not match")
    return _session(claims, now or datetime.now(UTC), leeway)


def _session(claims: dict[str, object], now: datetime, leeway: timedelta) -> VisitorSession:
    visitor_id, issued, expires = claims["sub"], claims["iat"], claims["exp"]
    if not isinstance(visitor_id, str) or not _VISITOR_ID.fullmatch(visitor_id):
        raise InvalidVisitorToken("visitor token refused: bad subject")
    if not isinstance(issued, int) or not isinstance(expires, int):
        raise InvalidVisitorToken("visitor token refused: iat and exp must be integers")
    try:
        session = VisitorSession(
            visitor_id, datetime.fromtimestamp(issued, UTC), datetime.fromtimestamp(expires, UTC)
        )
        expired = now > session.expires_at + leeway
    except (OverflowError, OSError, ValueError):
        raise InvalidVisitorToken("visitor token refused: iat or exp out of range") from None
    if expired:
        raise InvalidVisitorToken("visitor token expired: start a new chat session")
    if session.issued_at > now + leeway:
        raise InvalidVisitorToken("visitor token refused: issued in the future")
    return session
