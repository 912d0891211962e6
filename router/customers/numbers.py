"""Amounts of money and phone numbers, French and English formats, normalised.

Amounts need a currency next to them (a bare number is not money), and come out as
``"129.90 EUR"``. Phone numbers come out in E.164 (``+33612345678``): French national
numbers (``06 12 34 56 78``) and international ones written with ``+`` or ``00``.
Patterns avoid nested ambiguous repetition, so matching stays linear in the text length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from router.customers.spans import Found

_CURRENCIES = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "livre sterling": "GBP", "livres sterling": "GBP",
    "chf": "CHF", "franc suisse": "CHF", "francs suisses": "CHF",
    "cad": "CAD", "ca$": "CAD",
}  # fmt: skip
_SYMBOL_FIRST = r"(?P<cur1>US\$|CA\$|€|\$|£|EUR|USD|GBP|CHF|CAD)"
_WORD_AFTER = (
    r"(?P<cur2>€|\$|£|EUR|USD|GBP|CHF|CAD|euros?|dollars?|pounds?"
    r"|livres?\s+sterling|francs?\s+suisses?)"
)
# 1 250,00 / 1,250.00 / 1.250,00 / 1'250.00 / 129,90 / 45
_NUMBER = (
    r"(?P<num>[0-9]{1,3}(?:[ \u00a0\u202f.,'][0-9]{3})+(?:[.,][0-9]{1,2})?"
    r"|[0-9]{1,12}(?:[.,][0-9]{1,2})?)"
)
_AMOUNT_BEFORE = re.compile(
    rf"(?<![\w$€£]){_SYMBOL_FIRST}\s?{_NUMBER}(?![0-9]|[.,][0-9])", re.IGNORECASE
)
_AMOUNT_AFTER = re.compile(rf"(?<![\w.,]){_NUMBER}\s?{_WORD_AFTER}(?![^\W\d_])", re.IGNORECASE)

_FRENCH_PHONE = re.compile(r"(?<![\w+])0[1-9](?:[ .\-]?[0-9]{2}){4}(?![0-9])")
_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\s?[0-9]+(?:[ .\-]?\(0\)[ .\-]?[0-9]+)?(?:[ .\-]{1,2}[0-9]+){0,7}(?![0-9])"
)


def _decimal(number: str) -> Decimal | None:
    """The value of a number written with French or English separators."""
    digits = re.sub(r"[ \u00a0\u202f']", "", number)
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if decimal_mark == "," else ",", "")
        digits = digits.replace(",", ".")
    elif "," in digits or "." in digits:
        mark = "," if "," in digits else "."
        parts = digits.split(mark)
        if len(parts) == 2 and len(parts[1]) in (1, 2):
            digits = f"{parts[0]}.{parts[1]}"  # 129,90 / 129.9
        elif all(len(part) == 3 for part in parts[1:]):
            digits = "".join(parts)  # 1,250 / 1.250.000
        else:
            return None
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def _amount(match: re.Match[str]) -> Found | None:
    groups = match.groupdict()
    currency = re.sub(r"\s+", " ", (groups.get("cur1") or groups["cur2"]).lower())
    value = _decimal(match["num"])
    if value is None:
        return None
    return Found(
        "amount",
        f"{value:.2f} {_CURRENCIES[currency]}",
        match.start(),
        match.end(),
        match[0],
    )


def find_amounts(text: str) -> Iterator[Found]:
    for pattern in (_AMOUNT_BEFORE, _AMOUNT_AFTER):
        for match in pattern.finditer(text):
            found = _amount(match)
            if found is not None:
                yield found


def e164(written: str) -> str | None:
    """``+<country><number>`` for a French national or an international number, else None."""
    compact = re.sub(r"\(0\)|[^0-9+]", "", written)
    if compact.startswith("0") and not compact.startswith("00"):
        return f"+33{compact[1:]}" if len(compact) == 10 else None
    digits = compact.removeprefix("+").removeprefix("00") if compact[:1] in "+0" else ""
    if digits.startswith("33"):
        national = digits[2:].removeprefix("0")
        return f"+33{national}" if len(national) == 9 and national[0] != "0" else None
    if not 8 <= len(digits) <= 15 or digits[0] == "0":
        return None
    return f"+{digits}"


def find_phones(text: str) -> Iterator[Found]:
    for pattern in (_FRENCH_PHONE, _INTERNATIONAL_PHONE):
        for match in pattern.finditer(text):
            value = e164(match[0])
            if value is not None:
                yield Found("phone", value, match.start(), match.end(), match[0].strip())
