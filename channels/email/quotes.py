"""What is new in a reply: quoted history and signature stripped (English and French, with
the common German, Spanish, Italian and Dutch attribution lines).

The cut happens at the first of: an attribution line ("On … wrote:", "Le … a écrit :",
possibly wrapped over three lines), an "Original Message" / "Message d'origine" /
forwarded-message separator, or an Outlook header block ("From:/De :" followed by
"Sent:/Envoyé :" and "To:/À :" or "Subject:/Objet :"). Above the cut, ``>`` lines (inline
quoting) are dropped, then the signature: a "-- " delimiter, a "Sent from my iPhone" line
near the end, or a closing ("Cordialement,", "Best regards,") followed only by a few short
lines. The full text is always kept by the caller; this only decides what to show first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATTRIBUTION = re.compile(
    r"(?:On|Le|El|Am|Il|Op)\b.{1,400}?"
    r"(?:\bwrote|\ba\s+écrit|\bescribió|\bschrieb\b.{0,80}?|\bha\s+scritto|\bschreef\b.{0,80}?)"
    r"\s*:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTION_START = re.compile(r"(?:On|Le|El|Am|Il|Op)\b", re.IGNORECASE)
# "Jane Doe wrote:" without a date, recognised only when quoted lines follow.
_SHORT_ATTRIBUTION = re.compile(r".{1,120}(?:\bwrote|\ba\s+écrit|\bschrieb)\s*:", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"[-_=*\s]*(?:original message|message d'origine|message original|forwarded message"
    r"|message transféré|mensaje original|ursprüngliche nachricht|messaggio originale"
    r"|begin forwarded message|début du message réexpédié)[-_=*:\s]*",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"\*?(?:From|De|Von|Da|Van)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_SENT = re.compile(
    r"\*?(?:Sent|Envoyé|Date|Gesendet|Inviato|Enviado|Verzonden)\s*:", re.IGNORECASE
)
_HEADER_TO = re.compile(
    r"\*?(?:To|À|A|An|Para|Aan|Cc|Subject|Objet|Betreff|Oggetto|Asunto|Onderwerp)\s*:",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"_{10,}\s*")
_SIG_DELIMITER = re.compile(r"--\s*")
_MOBILE = re.compile(
    r"(?:sent from (?:my )?\S.{0,40}|envoyé (?:de|depuis) (?:mon |ma )?\S.{0,40}"
    r"|get outlook for .{1,30}|obtenir outlook pour .{1,30}|téléchargez outlook pour .{1,30})",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"(?:bien |très |tr[eè]s )?cordialement|bien à vous|salutations(?: distinguées)?"
    r"|sincères salutations|bonne (?:journée|soirée)|merci(?: d'avance| beaucoup)?"
    r"|(?:best|kind|warm)(?: regards)?|regards|cheers|thanks(?: again)?|thank you"
    r"|many thanks|sincerely|yours sincerely|yours truly",
    re.IGNORECASE,
)
_CLOSING_TAIL = 6  # a closing is followed by at most this many short lines (name, title...)


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # what is new; empty when the message is nothing but history
    quoted: bool  # history was found and cut
    signature: bool  # a signature was found and cut


def _is_header_block(lines: list[str], start: int) -> bool:
    if not _HEADER_FROM.match(lines[start].strip()):
        return False
    window = [line.strip() for line in lines[start + 1 : start + 6]]
    return any(_HEADER_SENT.match(w) for w in window) and any(_HEADER_TO.match(w) for w in window)


def _is_attribution(lines: list[str], start: int) -> bool:
    first = lines[start].lstrip("> \t")
    if not _ATTRIBUTION_START.match(first):
        return False
    joined = first
    for extra in range(3):
        if _ATTRIBUTION.fullmatch(joined.strip()):
            return True
        if start + extra + 1 >= len(lines):
            return False
        joined += " " + lines[start + extra + 1].strip()
    return False


def _quote_follows(lines: list[str], start: int) -> bool:
    following = next((line for line in lines[start + 1 :] if line.strip()), "")
    return following.lstrip().startswith(">")


def _history_start(lines: list[str]) -> tuple[int, bool] | None:
    """Index where history starts, and whether it starts with an attribution line."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _SEPARATOR.fullmatch(stripped):
            return i, False
        if _is_attribution(lines, i) or (
            _SHORT_ATTRIBUTION.fullmatch(stripped) and _quote_follows(lines, i)
        ):
            return i, True
        underscores = _UNDERSCORES.fullmatch(stripped) and i + 1 < len(lines)
        if underscores and _is_header_block(lines, i + 1):
            return i, False
        if _is_header_block(lines, i):
            return i, False
    return None


def _after_leading_quote(lines: list[str], start: int) -> list[str]:
    """Bottom-posting: the answer follows the attribution and its quote."""
    rest = lines[start + 1 :]
    first_quote = next((i for i, line in enumerate(rest[:3]) if line.lstrip().startswith(">")), 0)
    return rest[first_quote:]


def _signature_start(lines: list[str]) -> int | None:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for i in filled:
        if _SIG_DELIMITER.fullmatch(lines[i]) and i > filled[0]:
            return i
    for i in filled[-3:]:
        if _MOBILE.fullmatch(lines[i].strip()):
            return i if i > filled[0] else None
    first_candidate = max(1, len(filled) - _CLOSING_TAIL - 1)
    for position in range(first_candidate, len(filled)):
        i = filled[position]
        tail = filled[position + 1 :]
        if (
            _CLOSING.fullmatch(lines[i].strip().rstrip(",.!").strip())
            and len(tail) <= _CLOSING_TAIL
            and all(len(lines[t].strip()) <= 60 for t in tail)
        ):
            return i
    return None


def split_reply(text: str) -> Reply:
    """Separate the new part of ``text`` (plain text, ``\\n`` line ends) from history."""
    lines = text.split("\n")
    found = _history_start(lines)
    quoted = found is not None
    if found is not None and found[1] and not _has_own_text(lines[: found[0]]):
        lines = _after_leading_quote(lines, found[0])
        found = _history_start(lines)
    new = lines[: found[0]] if found is not None else lines
    unquoted = [line for line in new if not line.lstrip().startswith(">")]
    quoted = quoted or len(unquoted) != len(new)
    signature_at = _signature_start(unquoted)
    if signature_at is not None:
        unquoted = unquoted[:signature_at]
    return Reply("\n".join(unquoted).strip(), quoted, signature_at is not None)


def _has_own_text(lines: list[str]) -> bool:
    return any(line.strip() and not line.lstrip().startswith(">") for line in lines)
