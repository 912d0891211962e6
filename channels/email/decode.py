"""Lenient decoding: the parsing policy, body charsets and 8-bit headers.

Real mail lies about its charset (utf-8 labelled us-ascii, windows-1252 labelled iso-8859-1,
gbk labelled gb2312) or names one Python does not know. We never fail on that: we try the
declared charset, then the usual suspects, and report what we had to do.
"""

from __future__ import annotations

import email.policy
import re
from email.headerregistry import BaseHeader, HeaderRegistry

from channels.text import storable

# Labels seen in the wild mapped to the codec that actually decodes them (supersets first).
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "x-mac-roman": "mac-roman",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
}
# Labels that say "no idea": skip straight to guessing.
_UNKNOWN = {"", "unknown-8bit", "x-unknown", "unknown", "default", "x-user-defined", "8bit"}
_GUESSES = ("utf-8", "windows-1252")
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]")
_C1_CONTROLS = re.compile("[\x80-\x9f]")


class _CachingHeaders(HeaderRegistry):
    """The modern policy parses a header on every access, and the same Content-Type values
    recur in every message. Parsed headers are immutable, so equal (name, value) pairs can
    share one object: this more than doubles parsing speed on real mail."""

    _MAX_ENTRIES = 4096
    _MAX_VALUE = 512

    def __init__(self) -> None:
        super().__init__()
        self._memo: dict[tuple[str, str], BaseHeader] = {}

    def __call__(self, name: str, value: str) -> BaseHeader:
        key = (name.lower(), value)
        header = self._memo.get(key)
        if header is None:
            header = super().__call__(name, value)
            if len(value) <= self._MAX_VALUE and len(self._memo) < self._MAX_ENTRIES:
                self._memo[key] = header
        return header


#: The standard library's modern policy (never raises on defects), with cached headers.
POLICY = email.policy.default.clone(header_factory=_CachingHeaders())


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Text of ``data`` and, when we had to guess, a note saying how it was read."""
    label = (charset or "").strip().strip("\"'").lower()
    codec = _ALIASES.get(label, label)
    note: str | None = None
    if codec not in _UNKNOWN:
        try:
            return data.decode(codec), None
        except LookupError:
            note = f"unknown charset {label!r}"
        except UnicodeDecodeError:
            # A few broken sequences in a long text: the label is right, the bytes damaged.
            text = data.decode(codec, "replace")
            damaged = text.count("\ufffd")
            if damaged <= max(1, len(text) // 200):
                return text, f"{damaged} invalid sequence(s) in {label!r} text replaced"
            note = f"bytes invalid in declared charset {label!r}"
    for guess in _GUESSES:
        if guess == codec:
            continue
        try:
            text = data.decode(guess)
        except UnicodeDecodeError:
            continue
        return text, (f"{note}; read as {guess}" if note else None)
    # windows-1252 leaves five bytes undefined; latin-1 decodes anything.
    return data.decode("latin-1"), f"{note or 'undeclared 8-bit text'}; read as latin-1"


def header_text(value: object) -> str:
    """A decoded header as storable text. Raw 8-bit bytes (kept by the parser as surrogate
    escapes) are decoded as UTF-8 or windows-1252 instead of shown as U+FFFD, and C1
    control characters (what "iso-8859-1" encoded words hold when the sender meant
    windows-1252, like the dash in "=96") become the characters the sender meant."""
    text = str(value)
    if _ESCAPED_BYTES.search(text):
        try:
            text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)[0]
        except UnicodeEncodeError:
            pass  # other surrogates: storable() replaces them
    if _C1_CONTROLS.search(text):
        text = _C1_CONTROLS.sub(_windows_1252, text)
    return storable(text)


def _windows_1252(match: re.Match[str]) -> str:
    return match.group().encode("latin-1").decode("windows-1252", "replace")
