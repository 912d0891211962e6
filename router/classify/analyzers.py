"""How a message becomes n-grams: words, word pairs and in-word character n-grams.

Three views complement each other on short, misspelt customer messages: word n-grams carry
phrasing, unordered word pairs carry topic combinations a linear model cannot form on its
own ("card" with "arrive" but not "card" with "decline"), and character n-grams survive
typos, inflections and missing accents. Accents are folded because customers often omit
them ("prelevement" for "prélèvement").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations

_TOKEN = re.compile(r"\w\w+")
MAX_PAIR_TOKENS = 32
_SUFFIXES = ("ing", "ed", "es", "s", "e", "ly")
"""Pairs grow quadratically: only the first distinct words of a long email form pairs."""

_FOLD = str.maketrans(
    "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ",
    "aaaaaaceeeeiiiinooooouuuuyyœæ",
)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A message normalised once and shared by every block."""

    words: list[str]
    chunks: list[str]


def prepare(text: str) -> Prepared:
    """Lower-case, fold accents (a table for the common ones, then NFKD for the rest)."""
    lowered = text.lower().translate(_FOLD)
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return Prepared(words=_TOKEN.findall(lowered), chunks=lowered.split())


def word_unigrams(prepared: Prepared) -> list[str]:
    """Word tokens alone: the plain bag of words of the baseline every model must beat."""
    return prepared.words


def word_ngrams(prepared: Prepared) -> list[str]:
    """Unigrams and bigrams of word tokens."""
    words = prepared.words
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def word_pairs(prepared: Prepared) -> list[str]:
    """Unordered pairs of distinct word stems, sorted so ``a|b`` and ``b|a`` are one feature.

    Stems make "card arrived" and "arriving cards" one pair; the word block keeps the exact
    forms, so nothing is lost when the inflection matters.
    """
    first = list(dict.fromkeys(prepared.words))[:MAX_PAIR_TOKENS]
    distinct = sorted({stem(word) for word in first})
    return [f"{a}|{b}" for a, b in combinations(distinct, 2)]


def stem(word: str) -> str:
    """Strip one common English/French inflection, keeping at least three letters."""
    if not word.endswith(_SUFFIXES):  # most words: one C-level check
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def char_ngrams(prepared: Prepared) -> list[str]:
    """Character n-grams inside space-padded chunks (punctuation kept: "?" and "!" speak)."""
    grams: list[str] = []
    for chunk in prepared.chunks:
        grams += chunk_ngrams(chunk)
    return grams


def chunk_ngrams(chunk: str, low: int = 2, high: int = 5) -> list[str]:
    """The n-grams of one chunk depend on that chunk only, which makes them cacheable."""
    padded = f" {chunk} "
    size = len(padded)
    grams: list[str] = []
    for n in range(low, min(high, size) + 1):
        grams += [padded[i : i + n] for i in range(size - n + 1)]
    return grams
