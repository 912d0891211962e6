"""Dates as customers write them, in French and English, normalised to ISO 8601.

Numeric dates are read day first (``14/03/2026``, the French and British habit) unless the
first part cannot be a month and the second can (``03/14/2026`` is read as March 14).
A date written without a year (``le 3 janvier``, ``March 14th``) is found partial, in the
XML Schema ``gMonthDay`` form ``--MM-DD``; ``resolve_year`` then gives it the year that puts
it nearest the day the message was written ("le 2 décembre" written on 8 December 2026 is
2026-12-02, "le 3 janvier" written then is 2027-01-03). Without a message date it stays
partial rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from router.customers.spans import Found

MONTHS = {
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
    "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12, "déc": 12,
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

_ABBREVIATIONS = frozenset(
    "janv févr fevr fév avr juil déc jan feb mar apr jun jul aug sept sep oct nov dec".split()
)
_FULL_NAMES = frozenset(MONTHS) - _ABBREVIATIONS
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:\s*(?:er|st|nd|rd|th))?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_NUMERIC = re.compile(
    r"(?<![\w/.\-])(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    r"(?![\w/]|[.\-]\d)"
)
_ISO = re.compile(r"(?<![\w/.\-])(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?![\w/]|[.\-]\d)")
# "14 mars 2026", "1er mars", "14th of March 2026", "mardi 14 mars"
_DAY_MONTH = re.compile(
    rf"(?<!\w){_DAY}\s+(?:of\s+)?(?P<month>{_MONTH})\.?(?:,?\s+{_YEAR})?(?![\w\-])",
    re.IGNORECASE,
)
# "March 14, 2026", "March 14th", "Mar. 3 2026"
_MONTH_DAY = re.compile(
    rf"(?<!\w)(?P<month>{_MONTH})\.?\s+{_DAY}(?:,?\s+{_YEAR})?(?![\w\-:])",
    re.IGNORECASE,
)


def _iso(year: int | None, month: int, day: int) -> str | None:
    """``YYYY-MM-DD`` (or ``--MM-DD`` without a year) for a real calendar day, else None."""
    try:
        date(2000 if year is None else year, month, day)  # 2000: leap, so Feb 29 stands
    except ValueError:
        return None
    return f"--{month:02d}-{day:02d}" if year is None else f"{year:04d}-{month:02d}-{day:02d}"


def _numeric(match: re.Match[str]) -> str | None:
    first, second, year_text = int(match["a"]), int(match["b"]), match["y"]
    if len(year_text) == 2 and match["sep"] != "/":
        return None  # "1.10.20" is a version number far more often than a date
    year = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
    if not 1900 <= year <= 2099:
        return None
    day, month = first, second
    if second > 12 and first <= 12:  # 03/14/2026 cannot be day first
        day, month = second, first
    return _iso(year, month, day)


def _worded(match: re.Match[str]) -> str | None:
    word = match["month"]
    # "may" is an English verb far more often than a month: only "May" counts.
    if word.lower() == "may" and not word[0].isupper():
        return None
    month = MONTHS[word.lower()]
    year = int(match["year"]) if match["year"] else None
    return _iso(year, month, int(match["day"]))


def find_dates(text: str) -> Iterator[Found]:
    """Every date in ``text`` with its span (overlaps are resolved by the caller)."""
    for match in _ISO.finditer(text):
        value = _iso(int(match["y"]), int(match["m"]), int(match["d"]))
        if value:
            yield Found("date", value, match.start(), match.end(), match[0])
    for match in _NUMERIC.finditer(text):
        value = _numeric(match)
        if value:
            yield Found("date", value, match.start(), match.end(), match[0])
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            value = _worded(match)
            if value:
                raw = match[0]
                if raw.endswith(".") and match["month"].lower() in _FULL_NAMES:
                    raw = raw[:-1]  # "le 3 avril." ends a sentence, not an abbreviation
                yield Found("date", value, match.start(), match.start() + len(raw), raw)


def resolve_year(value: str, sent: date) -> str:
    """``--MM-DD`` as the full date nearest ``sent`` (a customer speaks of the recent past or
    the near future); any other value unchanged."""
    if not value.startswith("--"):
        return value
    month, day = int(value[2:4]), int(value[5:7])
    candidates = []
    for year in (sent.year - 1, sent.year, sent.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 29 February outside a leap year
            continue
    if not candidates:
        return value
    nearest = min(candidates, key=lambda day_: (abs((day_ - sent).days), day_ > sent))
    return nearest.isoformat()
