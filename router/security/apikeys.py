"""Integrator API keys: ``agk_<prefix>_<secret>``; the prefix finds the row, the secret proves it.

Secrets carry 256 bits of randomness, so a plain SHA-256 is the right hash (a slow password
hash would only cost time on every request, not add safety).
"""

from __future__ import annotations

import re
import secrets

from router.security.tokens import digest

_PATTERN = re.compile(r"^agk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$")


def generate() -> tuple[str, str, str]:
    """(full key to show once, prefix, secret hash)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"agk_{prefix}_{secret}", prefix, digest(secret)


def looks_like_key(value: str) -> bool:
    return value.startswith("agk_")


def parse(value: str) -> tuple[str, str] | None:
    """(prefix, secret), or None when the value is not shaped like one of our keys."""
    match = _PATTERN.match(value)
    return (match.group(1), match.group(2)) if match else None
