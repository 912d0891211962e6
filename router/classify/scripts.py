"""The writing system of a text, and the language it names when it names one.

Most non-Latin scripts are written by one dominant language (Hangul: Korean, Greek: Greek),
so counting letters per script tells the language of a message of any length, even "你好".
A few letters settle the scripts shared by several languages (kana: Japanese rather than
Chinese; і ї є ґ: Ukrainian rather than Russian; پ چ ژ گ: Persian rather than Arabic).
"""

from __future__ import annotations

import re
from typing import Final

from skills.model import OTHER_LANGUAGE

_SCRIPTS: Final = (
    # (language, letters of its script, weight): a Han character is a word, a letter is not.
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), 3),
    ("ja", re.compile(r"[\u3040-\u30ff]"), 3),
    ("ko", re.compile(r"[\u1100-\u11ff\uac00-\ud7af]"), 2),
    ("ar", re.compile(r"[\u0620-\u064a\u066e-\u06d3\u0750-\u077f]"), 1),
    ("ru", re.compile(r"[\u0400-\u04ff]"), 1),
    ("el", re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]"), 1),
    ("he", re.compile(r"[\u05d0-\u05ea]"), 1),
    ("th", re.compile(r"[\u0e01-\u0e4e]"), 1),
    ("hi", re.compile(r"[\u0900-\u097f]"), 1),
    ("hy", re.compile(r"[\u0531-\u0587]"), 1),
    ("ka", re.compile(r"[\u10a0-\u10ff]"), 1),
)
# Languages told apart inside a shared script by letters only they use.
_REFINE: Final = (
    ("zh", re.compile(r"[\u3040-\u30ff]"), "ja"),
    ("ru", re.compile(r"[іїєґІЇЄҐ]"), "uk"),
    ("ru", re.compile(r"[ўЎ]"), "be"),
    ("ar", re.compile(r"[پچژگ]"), "fa"),
)
_LATIN: Final = re.compile(r"[A-Za-z\u00c0-\u024f]")
_NOT_LATIN: Final = re.compile(r"[^\W\d_A-Za-z\u00aa-\u024f]")


def script_language(text: str) -> str | None:
    """The language a non-Latin script names, ``OTHER_LANGUAGE`` for a non-Latin script not
    listed, or None when Latin letters dominate (or there are no letters at all)."""
    foreign = len(_NOT_LATIN.findall(text))
    if not foreign:
        return None  # the common case (French, English...) costs one scan
    counts = [(len(pattern.findall(text)), weight, lang) for lang, pattern, weight in _SCRIPTS]
    weighted = sum(count * weight for count, weight, _ in counts)
    if max(weighted, foreign) <= len(_LATIN.findall(text)):
        return None
    best_count, _, best = max(counts, key=lambda item: item[0] * item[1])
    if best_count * 2 < foreign:  # mostly letters of a script not listed
        return OTHER_LANGUAGE
    for lang, pattern, refined in _REFINE:
        if best == lang and pattern.search(text):
            return refined
    return best
