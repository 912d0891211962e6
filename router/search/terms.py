"""What a person typed into the search box, made safe for any full-text engine.

The user's text never reaches a query parser as syntax: it is cut into words (letters and
digits only), and each engine gets them back as quoted phrases (router.search.engine), so
quotes, parentheses, ``NEAR``, ``*``, ``OR`` or stray unicode can never be a syntax error.
Understood: ``"several words"`` (a phrase, also when the closing quote is missing) and a
leading ``-`` (leave out what contains this word or phrase). A token holding punctuation
(``l'échéance``, ``e-mail``) is a phrase of its words, as both engines read it themselves.
Highlighting: engines mark matches with two private-use characters; ``highlight`` turns them
into ``<mark>`` around HTML-escaped text, balanced whatever the marks' nesting.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

#: Marks the engines put around matched words (private use: never meaningful text).
START, STOP = "\ue000", "\ue001"
MAX_TERMS = 16
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(f"([{START}{STOP}])")
_SPACE = re.compile(r"\s+")

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Terms:
    """Phrases a hit must contain (a word is a one-word phrase), and phrases it must not."""

    include: tuple[Phrase, ...]
    exclude: tuple[Phrase, ...]


def parse(text: str) -> Terms:
    """The phrases of ``text``, in order, without duplicates, at most ``MAX_TERMS``."""
    include: dict[Phrase, None] = {}
    exclude: dict[Phrase, None] = {}
    for match in _CHUNK.finditer(text):
        negated = bool(match.group(1) or match.group(3))
        words = tuple(_WORD.findall(match.group(2) or match.group(4) or ""))
        if not words:
            continue
        (exclude if negated else include).setdefault(words, None)
    kept = list(include)[:MAX_TERMS]
    return Terms(tuple(kept), tuple(list(exclude)[: MAX_TERMS - len(kept)]))


def highlight(marked: str) -> str:
    """HTML of an engine's marked excerpt: escaped text, matches in ``<mark>``."""
    out: list[str] = []
    depth = 0
    for piece in _MARKS.split(marked):
        if piece == START:
            if depth == 0:
                out.append("<mark>")
            depth += 1
        elif piece == STOP:
            if depth == 1:
                out.append("</mark>")
            depth = max(0, depth - 1)
        else:
            out.append(html.escape(_SPACE.sub(" ", piece)))
    if depth:
        out.append("</mark>")
    return "".join(out).strip()
