"""Rule conditions and the one pure matcher that evaluates them against a conversation's facts.

A condition left as None does not constrain; all given conditions must hold (AND); inside a
set the values are alternatives (OR). Set values are compared exactly (``"fr"`` is not
``"FR"``).

Keywords are alternatives too. A keyword matches the message text as a whole word or phrase,
ignoring case, accents and the amount of whitespace between the words of a phrase:
``"facture"`` matches "Votre FACTURÉ", "la facture." but not "factures" nor "préfacture";
``"mot de passe"`` matches "mot  de\\npasse".

``patterns`` are regular expressions (alternatives too; see ``skills.patterns`` for the checks
that keep them cheap and how they match). ``hours`` holds while the business is open (or
closed) at ``Facts.at`` (see ``clocks.hours``); a conversation without a time does not
satisfy it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from clocks import _fields as f
from clocks.hours import BusinessHours
from skills.model import Facts
from skills.patterns import compile_patterns, search_any

_SETS = ("intents", "languages", "channels", "tiers", "emotions")
_KEYS = (*_SETS, "min_intensity", "keywords", "patterns", "hours")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` (casefold, then drop combining marks)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class Conditions:
    intents: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    tiers: frozenset[str] | None = None
    emotions: frozenset[str] | None = None
    min_intensity: float | None = None  # of the detected emotion, in [0, 1]
    keywords: tuple[str, ...] | None = None
    patterns: tuple[str, ...] | None = None  # regular expressions
    hours: BusinessHours | None = None
    # Compiled once from ``keywords``/``patterns``; rules are matched on every inbound message.
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _regexes: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in _SETS:
            if getattr(self, name) == frozenset():
                raise f.error(f"conditions.{name}", "must not be empty (None matches anything)")
        if self.min_intensity is not None and not 0.0 <= self.min_intensity <= 1.0:
            raise f.error("conditions.min_intensity", f"{self.min_intensity} is outside [0, 1]")
        if self.keywords is not None:
            object.__setattr__(self, "_pattern", _keyword_pattern(self.keywords))
        if self.patterns is not None:
            regexes = compile_patterns(self.patterns, "conditions.patterns")
            object.__setattr__(self, "_regexes", regexes)

    @property
    def is_empty(self) -> bool:
        """True when nothing is constrained: such conditions match every conversation."""
        return all(getattr(self, name) is None for name in _KEYS)

    def matches(self, facts: Facts) -> bool:
        """True when every given condition holds for ``facts``."""
        return (
            _among(facts.intent, self.intents)
            and _among(facts.language, self.languages)
            and _among(facts.channel, self.channels)
            and _among(facts.tier, self.tiers)
            and _among(facts.emotion, self.emotions)
            and (self.min_intensity is None or facts.emotion_intensity >= self.min_intensity)
            and (self.hours is None or self.hours.holds(facts.at))
            # Last: the only checks that read the text.
            and self._text_matches(facts.text)
        )

    def _text_matches(self, text: str) -> bool:
        if self._pattern is None and not self._regexes:
            return True
        folded = fold(text)
        return (self._pattern is None or self._pattern.search(folded) is not None) and (
            not self._regexes or search_any(self._regexes, text, folded)
        )

    def to_dict(self) -> dict[str, object]:
        """JSON form with only the given conditions (sets as sorted lists)."""
        out: dict[str, object] = {}
        for name in _SETS:
            values: frozenset[str] | None = getattr(self, name)
            if values is not None:
                out[name] = sorted(values)
        if self.min_intensity is not None:
            out["min_intensity"] = self.min_intensity
        if self.keywords is not None:
            out["keywords"] = list(self.keywords)
        if self.patterns is not None:
            out["patterns"] = list(self.patterns)
        if self.hours is not None:
            out["hours"] = self.hours.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: object) -> Conditions:
        d = f.mapping(data, "conditions")
        f.check_keys(d, _KEYS, "conditions")
        intensity = d.get("min_intensity")
        keywords = d.get("keywords")
        patterns = d.get("patterns")
        hours = d.get("hours")
        return cls(
            intents=f.string_set(d.get("intents"), "conditions.intents"),
            languages=f.string_set(d.get("languages"), "conditions.languages"),
            channels=f.string_set(d.get("channels"), "conditions.channels"),
            tiers=f.string_set(d.get("tiers"), "conditions.tiers"),
            emotions=f.string_set(d.get("emotions"), "conditions.emotions"),
            min_intensity=(
                None if intensity is None else f.number(intensity, "conditions.min_intensity")
            ),
            keywords=None if keywords is None else f.string_list(keywords, "conditions.keywords"),
            patterns=None if patterns is None else _pattern_list(patterns),
            hours=None if hours is None else BusinessHours.from_dict(hours),
        )


def _pattern_list(value: object) -> tuple[str, ...]:
    """Patterns are kept as written: spaces may be meaningful in a regular expression."""
    if not isinstance(value, list | tuple) or not value:
        raise f.error("conditions.patterns", "must be a non-empty list of regular expressions")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise f.error(f"conditions.patterns[{i}]", "must be a non-empty string")
    return tuple(value)


def _among(value: str | None, allowed: frozenset[str] | None) -> bool:
    return allowed is None or (value is not None and value in allowed)


def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    if not keywords:
        raise f.error("conditions.keywords", "must not be empty (None matches anything)")
    return re.compile("|".join(_keyword_regex(keyword) for keyword in keywords))


def _keyword_regex(keyword: str) -> str:
    words = fold(keyword).split()
    if not words:
        raise f.error("conditions.keywords", "a keyword must not be empty")
    body = r"\s+".join(re.escape(word) for word in words)
    # Word boundaries only where the keyword itself starts/ends with a word character, so a
    # keyword such as "c++" or "#promo" still matches next to punctuation.
    head = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    tail = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return f"(?:{head}{body}{tail})"
