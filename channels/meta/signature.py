"""Meta webhook authenticity: the subscription handshake and ``X-Hub-Signature-256``.

* Handshake (GET): Meta sends ``hub.mode=subscribe``, ``hub.verify_token`` (the token we
  chose when configuring the webhook) and ``hub.challenge``, which we echo back.
* Every POST carries ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body keyed
  with the app secret>``. Compared in constant time; a missing header is a rejection, not a
  pass: an unsigned request is indistinguishable from a forged one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from channels.errors import HandshakeRejected, SignatureMismatch

HEADER = "x-hub-signature-256"


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for ``body`` (tests and tools use it too)."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(body: bytes, header: str | None, app_secret: str) -> None:
    if not header:
        raise SignatureMismatch(f"missing {HEADER} header: unsigned request refused")
    algorithm, _, received = header.strip().partition("=")
    if algorithm.lower() != "sha256" or not received:
        raise SignatureMismatch(f"{HEADER} must be 'sha256=<hex digest>'")
    expected = sign(body, app_secret).partition("=")[2]
    if not hmac.compare_digest(expected.encode(), received.strip().lower().encode()):
        raise SignatureMismatch("signature does not match the body: request refused")


def answer_handshake(query: Mapping[str, str], verify_token: str) -> str:
    """The challenge to echo, or ``HandshakeRejected``."""
    if query.get("hub.mode") != "subscribe":
        raise HandshakeRejected("hub.mode must be 'subscribe'")
    token = query.get("hub.verify_token", "")
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise HandshakeRejected("hub.verify_token does not match")
    challenge = query.get("hub.challenge", "")
    if not challenge or len(challenge) > 200:
        raise HandshakeRejected("hub.challenge is missing or too long")
    return challenge
