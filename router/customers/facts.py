"""Facts a customer gave in their messages, so that the advisor never asks for them again.

``extract_facts`` is pure and regex-based, French and English: order, invoice, contract,
ticket and tracking numbers, email addresses, phone numbers, amounts and dates, each
normalised (see ``Fact.value``); a date written without a year takes the year that puts it
nearest the message's date, when that is given. Only the first ``MAX_SCAN`` characters are
read, and every pattern matches in linear time, so a huge message costs no more than a long
one.

Reference numbers are recognised after a keyword ("order #12345", "commande n° 12345",
"invoice INV-2024-001", "réf. CMD/2026/118", "ticket #48213", "numéro de suivi ...", parts
joined by dashes or slashes) or by a distinctive format (``CMD-2024-0042``, ``CMD/2026/118``,
``FA-2026-11-0042``, ``INV-2024-001``, ``CT-889912``, UPS ``1Z...``, La Poste
``LX123456789FR`` and Colissimo ``6A12345678901``). Where readings overlap, a
keyword-introduced number wins, then the longest reading (see ``router.customers.spans``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from router.customers.dates import find_dates, resolve_year
from router.customers.numbers import find_amounts, find_phones
from router.customers.spans import Found, settle

FACT_KINDS = (
    "order_number",
    "invoice_number",
    "contract_number",
    "ticket_number",
    "tracking_number",
    "email",
    "phone",
    "amount",
    "date",
)

#: Characters read from a message; customers state their facts early, quoted mail is later.
MAX_SCAN = 20_000


@dataclass(frozen=True)
class Fact:
    kind: str  # one of FACT_KINDS
    value: str  # normalised: "FR-2024-00123", "+33612345678", "129.90 EUR", "2026-03-14"
    raw: str  # as written


# "... number", "n°", "#", "réf." between a keyword and the identifier; then "is", ":"...
_CONNECTOR = (
    r"(?:\s*(?:number|num[ée]ro|num\.?|no\.?|n[°º]|nr\.?|\#|ref(?:erence)?\.?"
    r"|r[ée]f(?:[ée]rence)?\.?|id|code))?(?:\s*(?:is|est|:|=|-))?(?:\s*\#)?\s*"
)
_ID = r"(?P<id>[A-Z0-9](?:[A-Z0-9]|[\-_/](?=[A-Z0-9])){2,39})(?![A-Z0-9_@]|[.,][0-9])"
_NUMBER_OF = r"(?:(?:num[ée]ro|n[°º]|no\.?|r[ée]f[ée]rence|r[ée]f\.?)\s+(?:de\s+(?:la\s+|ma\s+)?)?)"
_KEYWORDS = {
    "order_number": rf"(?:{_NUMBER_OF}?commande|order|purchase\s+order|bon\s+de\s+commande)",
    "invoice_number": rf"(?:{_NUMBER_OF}?facture|invoice|bill)",
    "contract_number": rf"(?:{_NUMBER_OF}?contrat|contract|agreement)",
    "ticket_number": (
        rf"(?:{_NUMBER_OF}?(?:ticket|dossier|r[ée]clamation|incident)|ticket|case"
        r"|support\s+request)"
    ),
    "tracking_number": (
        r"(?:tracking|(?:num[ée]ro|n[°º]|code)\s+de\s+suivi|suivi(?:\s+colis)?|colis|parcel"
        r"|shipment|waybill|lettre\s+de\s+voiture)"
    ),
}
_KEYED = {
    kind: re.compile(rf"(?<!\w){keyword}{_CONNECTOR}{_ID}", re.IGNORECASE)
    for kind, keyword in _KEYWORDS.items()
}
_MIN_LENGTH = {"tracking_number": 6}

# Formats that name themselves (case-sensitive: carriers and billing systems use capitals).
_PARTS = r"[0-9]+(?:[-/][0-9]+)*(?![\w/-])"
_FORMATS = (
    ("order_number", re.compile(rf"(?<![\w/-])(?:CMD|CDE|ORD|PO)[-/]?{_PARTS}")),
    ("invoice_number", re.compile(rf"(?<![\w/-])(?:INV|FAC|FACT|FA)[-/]?{_PARTS}")),
    ("contract_number", re.compile(rf"(?<![\w/-])(?:CT|CTR|CNT)[-/]{_PARTS}")),
    ("tracking_number", re.compile(r"(?<![A-Za-z0-9])1Z[0-9A-Z]{16}(?![A-Za-z0-9])")),
    ("tracking_number", re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}(?: ?[0-9]{3}){3} ?[A-Z]{2}(?![\w])")),
    ("tracking_number", re.compile(r"(?<![A-Za-z0-9])[0-9][A-Z][0-9]{11}(?![A-Za-z0-9])")),
)
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}"
)
# "commande 2026-03-14", "order 14/03/2026": a keyword followed by a date, not a reference.
_NOT_A_REFERENCE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}([/.-])[0-9]{1,2}\1(?:[0-9]{2}){1,2}"
)
_MONEY_NEXT = re.compile(r"\s?(?:€|\$|£|eur|usd|gbp|chf|euros?|dollars?)(?![^\W\d_])", re.I)


def _keyed(text: str) -> Iterator[Found]:
    for kind, pattern in _KEYED.items():
        for match in pattern.finditer(text):
            ident = match["id"].upper()
            if len(ident) < _MIN_LENGTH.get(kind, 4) or not re.search(r"[0-9]", ident):
                continue
            if _NOT_A_REFERENCE.fullmatch(ident) or _MONEY_NEXT.match(text, match.end()):
                continue  # "commande 2026-03-14" names a date, "facture 1290 €" an amount
            yield Found(kind, ident, match.start(), match.end(), match[0], keyed=True)


def _formats(text: str) -> Iterator[Found]:
    for kind, pattern in _FORMATS:
        for match in pattern.finditer(text):
            value = match[0].upper().replace(" ", "")
            yield Found(kind, value, match.start(), match.end(), match[0])


def _emails(text: str) -> Iterator[Found]:
    for match in _EMAIL.finditer(text):
        address = match[0].rstrip(".-")
        top_level = address.rsplit(".", 1)[-1]
        if len(top_level) >= 2 and top_level.isalpha() and "." in address.split("@")[1]:
            end = match.start() + len(address)
            yield Found("email", address.lower(), match.start(), end, address)


def _found(text: str) -> list[Found]:
    return settle(
        [
            *_emails(text),
            *_keyed(text),
            *_formats(text),
            *find_dates(text),
            *find_amounts(text),
            *find_phones(text),
        ]
    )


def _distinct(found: Iterable[Found], sent: date | None = None) -> list[Fact]:
    seen: set[tuple[str, str]] = set()
    facts: list[Fact] = []
    for item in found:
        value = resolve_year(item.value, sent) if item.kind == "date" and sent else item.value
        if (item.kind, value) not in seen:
            seen.add((item.kind, value))
            facts.append(Fact(item.kind, value, item.raw))
    return facts


def extract_facts(text: str, sent: date | None = None) -> list[Fact]:
    """Facts in the order they appear, duplicates (same kind and value) removed.

    ``sent``: the day the message was written, which gives a year to dates without one."""
    return _distinct(_found(text[:MAX_SCAN]), sent)


def extract_facts_each(
    texts: Sequence[str], budget: int = MAX_SCAN, sent: Sequence[date | None] = ()
) -> list[list[Fact]]:
    """``extract_facts`` of each text, read in one pass (cheaper for many short texts).

    At most ``budget`` characters are read in all (each text at most ``MAX_SCAN``): the texts
    past the budget get no facts. NUL, which stored text never holds, keeps them apart.
    ``sent``, when given, holds the day each text was written (see ``extract_facts``).
    """
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for text in texts:
        if length >= budget:
            break
        starts.append(length)
        parts.append(text[: min(MAX_SCAN, budget - length)])
        length += len(parts[-1]) + 1
    per_text: list[list[Found]] = [[] for _ in texts]
    for found in _found("\x00".join(parts)):
        per_text[bisect_right(starts, found.start) - 1].append(found)
    days = list(sent) or [None] * len(texts)
    return [_distinct(found, day) for found, day in zip(per_text, days, strict=True)]
