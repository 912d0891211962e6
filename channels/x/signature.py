"""X webhook authenticity (Account Activity API).

* CRC (GET ``?crc_token=...``, at registration and hourly): answer
  ``{"response_token": "sha256=" + base64(HMAC-SHA256(crc_token, consumer secret))}``.
* Every POST carries ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the raw
  body, same key>``, compared in constant time; a missing header is a rejection.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from channels.errors import HandshakeRejected, SignatureMismatch

HEADER = "x-twitter-webhooks-signature"


def sign(data: bytes, consumer_secret: str) -> str:
    digest = hmac.new(consumer_secret.encode("utf-8"), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")


def crc_response(crc_token: str | None, consumer_secret: str) -> dict[str, str]:
    if not crc_token or len(crc_token) > 1000:
        raise HandshakeRejected("crc_token is missing or too long")
    return {"response_token": sign(crc_token.encode("utf-8"), consumer_secret)}


def verify_signature(body: bytes, header: str | None, consumer_secret: str) -> None:
    if not header:
        raise SignatureMismatch(f"missing {HEADER} header: unsigned request refused")
    expected = sign(body, consumer_secret)
    if not hmac.compare_digest(expected.encode("ascii"), header.strip().encode("utf-8")):
        raise SignatureMismatch("signature does not match the body: request refused")
