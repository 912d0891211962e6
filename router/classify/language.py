"""Language identification: script first, then function words; fast and dependency-free.

The answer is an ISO 639-1 code (``fr``, ``en``, ``it``, ``zh``...), ``other`` when the text
is clearly in a language the detector cannot name, or None when it says too little ("ok",
"merci", an order number). A language is named only when it clearly wins: a message is never
forced into French or English, so a rule can send Italian to an advisor who speaks it.

Why not a library: the ones that ship their model in the wheel were measured on this
project's short messages (``bench/classify.py``): lingua takes 2.5 ms a message and over a
gigabyte with all its languages, CLD3 0.37 ms and mistakes "Bonjour, je n'ai toujours pas
reçu ma commande." for Hawaiian; both name a language for "ok" or "merci". This detector
costs a few microseconds, within the classifier's 0.5 ms budget.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from router.classify.language_words import LETTERS, WORDS
from router.classify.scripts import script_language
from skills.model import OTHER_LANGUAGE

SERVED: Final = frozenset({"fr", "en"})
"""The shipped data's languages. A tie that includes one of them names no language (the
model's head may then decide); a tie among the others is ``other``: surely not fr/en."""


def _index() -> dict[str, tuple[str, ...]]:
    """Each function word with the languages it belongs to: one look-up per word."""
    languages_of: dict[str, tuple[str, ...]] = {}
    for lang, words in WORDS.items():
        for word in words:
            languages_of[word] = (*languages_of.get(word, ()), lang)
    return languages_of


_LANGUAGES_OF: Final = _index()
_WORD: Final = re.compile(r"[^\W\d_]+", re.UNICODE)
_LETTERS: Final = re.compile("[" + "".join(LETTERS) + "]")
_FOREIGN_WORDS: Final = 8
"""Words of a Latin-script text without a single French or English function word before it
is called ``other``: fewer could be a terse "Password reset needed urgently"."""


def detect_language(text: str, *, minimum_hits: int = 2) -> str | None:
    """ISO 639-1 code of the dominant language, ``other``, or None (see the module doc)."""
    text = unicodedata.normalize("NFC", text[:5000])
    by_script = script_language(text)
    if by_script is not None:
        return by_script
    text = text.lower()
    words = _WORD.findall(text)
    if not words:
        return None
    scores = _scores(words, text)
    best_score = max(scores.values(), default=0)
    if best_score < minimum_hits:
        return _unnamed(words, scores)
    tied = [lang for lang, score in scores.items() if score == best_score]
    if len(tied) == 1:
        return tied[0]
    return None if SERVED.intersection(tied) else OTHER_LANGUAGE


def _scores(words: list[str], text: str) -> dict[str, int]:
    """Points per language: one per function word, one per distinct telltale letter."""
    scores: dict[str, int] = {}
    get = _LANGUAGES_OF.get
    for languages in filter(None, map(get, words)):
        for lang in languages:
            scores[lang] = scores.get(lang, 0) + 1
    for letter in set(_LETTERS.findall(text)):
        for lang in LETTERS[letter]:
            scores[lang] = scores.get(lang, 0) + 1
    return scores


def _unnamed(words: list[str], scores: dict[str, int]) -> str | None:
    """``other`` for a long text that shows no sign of French or English, else None."""
    if len(words) >= _FOREIGN_WORDS and not any(lang in scores for lang in SERVED):
        return OTHER_LANGUAGE
    return None
