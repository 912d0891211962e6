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
import re

from channels.errors import HandshakeRejected, SignatureMismatch

HEADER = "x-twitter-webhooks-signature"


def sign(data: bytes, consumer_secret: str) -> str:
    digest = hmac.new(consumer_secret.encode("utf-8"), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")


# X sends a short random token. Anything else is refused: the answer is the very signature
# that POSTs carry, so signing caller-chosen text (say, a forged JSON body) would let anyone
# mint valid webhook signatures.
_CRC_TOKEN = re.compile(r"^[A-Za-z0-9+/=_-]{1,100}$")


def crc_response(crc_token: str | None, consumer_secret: str) -> dict[str, str]:
    if not crc_token or not _CRC_TOKEN.match(crc_token):
        raise HandshakeRejected("crc_token must be 1-100 base64 characters")
    return {"response_token": sign(crc_token.encode("utf-8"), consumer_secret)}


def verify_signature(body: bytes, header: str | None, consumer_secret: str) -> None:
    if not header:
        raise SignatureMismatch(f"missing {HEADER} header: unsigned request refused")
    expected = sign(body, consumer_secret)
    if not hmac.compare_digest(expected.encode("ascii"), header.strip().encode("utf-8")):
        raise SignatureMismatch("signature does not match the body: request refused")
