"""Short-lived signed access tokens (JWT, HS256) and opaque rotating refresh tokens.

Access tokens are checked without a database lookup for their signature, then against their
session row so that logout and revocation take effect at once. Refresh tokens are
``<session id>.<secret>``; only a SHA-256 of the secret is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

import jwt

from router.errors import Unauthenticated
from router.models.validation import MAX_ID

ALGORITHM = "HS256"
ISSUER = "aiguillage"
# The subject is an advisor id as we issue it: ASCII digits of a 32-bit primary key
# (str.isdigit() also accepts "²" and Arabic-Indic digits; a longer number overflows a query).
_SUBJECT = re.compile(r"[1-9][0-9]{0,9}")
_LATEST_EXPIRY = 2**53  # beyond, a float loses the seconds (and 10**400 does not convert)


@dataclass(frozen=True)
class AccessClaims:
    advisor_id: int
    session_id: str
    expires_at: float


def issue_access_token(key: str, advisor_id: int, session_id: str, lifetime: float) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": str(advisor_id),
        "sid": session_id,
        "iat": now,
        "exp": now + int(lifetime),
        "typ": "access",
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode_access_token(key: str, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "sid", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the access token has expired; refresh it") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("the access token is invalid") from None
    subject, session_id, expires = claims["sub"], claims["sid"], claims["exp"]
    if (
        claims.get("typ") != "access"
        or not isinstance(subject, str)
        or not _SUBJECT.fullmatch(subject)
        or int(subject) > MAX_ID
        or not isinstance(session_id, str)
        # PyJWT checks that exp is a number in the future, not that it fits a float.
        or not isinstance(expires, int | float)
        or expires > _LATEST_EXPIRY
    ):
        raise Unauthenticated("the access token is invalid")
    return AccessClaims(int(subject), session_id, float(expires))


def new_session_id() -> str:
    return secrets.token_hex(16)


def new_refresh_token(session_id: str) -> tuple[str, str]:
    """The token to hand out once, and the hash to store."""
    secret = secrets.token_urlsafe(32)
    return f"{session_id}.{secret}", digest(secret)


def split_refresh_token(token: str) -> tuple[str, str]:
    """Session id and secret; a malformed token is simply invalid."""
    session_id, dot, secret = token.partition(".")
    if not dot or len(session_id) != 32 or not secret:
        raise Unauthenticated("the refresh token is invalid")
    return session_id, secret


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
