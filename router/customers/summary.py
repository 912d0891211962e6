"""A short extractive summary of what a customer said, so the advisor does not ask again.

``summarize`` keeps the customer's own sentences (2 to 4, at most ``MAX_CHARS``: the third
and fourth only if they score over half the best), in the order they were written. Quoted
mail, signatures, courtesy formulas and pleasantries ("Hope you're well", "Je reste
disponible") are dropped; the remaining sentences are scored by how central their words are
(shared with other sentences, weighted by rarity), by the facts they carry (an order number,
an amount, a date), most by request cues ("can you", "je voudrais", "?"), then complaint
cues ("broken", "débité deux fois"), and by coming first: the first message usually states
the problem, the latest one what the customer wants now.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from router.customers.facts import extract_facts_each
from router.customers.own_text import courtesy_stripped, customer_text, words

MAX_CHARS = 400
MIN_SENTENCES, MAX_SENTENCES = 2, 4
KEEP_SHARE = 0.5
"""Past the first two, a sentence is kept only if it scores over this share of the best."""
#: Bounded work: the first messages and the latest ones, each read up to a length.
FIRST_MESSAGES, LAST_MESSAGES, MESSAGE_CHARS = 3, 27, 4_000
SENTENCE_CHARS = 240  # a longer sentence is cut; the best one always fits in MAX_CHARS

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
# "order no. A-123", "réf. CMD/2026/118", "M. Dupont": a period that ends no sentence.
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:no|nr|num|n°|r[ée]f|ref|art|mr|mrs|ms|dr|st|vs|etc|m|mme|mlle)\.$",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"\?|\b(?:please|can you|could you|would you|i want|i would like|i'd like|i need|"
    r"need|refund|cancel|still|not received|never received|"
    r"s'il vous pla[iî]t|svp|pouvez-vous|pourriez-vous|je voudrais|je souhaite|"
    r"j'aimerais|besoin|rembours\w*|annul\w*|toujours pas|jamais re[çc]u|pas re[çc]u|"
    r"je (?:vous )?demande|merci de (?:me|nous|bien)|je veux|je souhaiterais|i expect)\b",
    re.IGNORECASE,
)
# What went wrong: the complaint an advisor must read even when no question is asked.
_COMPLAINT = re.compile(
    r"\b(?:broken|damaged|wrong|faulty|unacceptable|no longer|doesn't work|does not work|"
    r"charged twice|cass[ée]e?s?|ab[îi]m[ée]e?s?|fissur[ée]e?s?|erreur|erron[ée]e?|"
    r"inadmissible|ne fonctionne (?:plus|pas)|d[ée]bit[ée]e? deux fois|jamais)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Sentence:
    text: str
    message: int  # position of its message among those read
    order: int  # position in the whole text


def _sentences(messages: Sequence[str]) -> list[_Sentence]:
    picked = list(messages[:FIRST_MESSAGES])
    picked += list(messages[FIRST_MESSAGES:][-LAST_MESSAGES:])
    found: list[_Sentence] = []
    seen: set[str] = set()
    for index, message in enumerate(picked):
        for piece in _pieces(customer_text(message[:MESSAGE_CHARS])):
            sentence = courtesy_stripped(" ".join(piece.split()))
            key = sentence.casefold()
            if len(sentence.split()) < 3 or key in seen:
                continue
            seen.add(key)
            if len(sentence) > SENTENCE_CHARS:
                sentence = sentence[: SENTENCE_CHARS - 1].rstrip() + "…"
            found.append(_Sentence(sentence, index, len(found)))
    return found


def _pieces(text: str) -> list[str]:
    """Sentences of ``text``, a split after an abbreviation ("order no.") mended."""
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if pieces and _ABBREVIATION.search(pieces[-1]) and piece.strip():
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return pieces


def _scores(sentences: list[_Sentence]) -> list[float]:
    bags = [set(words(s.text)) for s in sentences]
    frequency = Counter(word for bag in bags for word in bag)
    total, last = len(sentences), sentences[-1].message
    facts = extract_facts_each([s.text for s in sentences], budget=len(sentences) * SENTENCE_CHARS)
    scores = []
    for sentence, bag, found in zip(sentences, bags, facts, strict=True):
        # Centrality: words this sentence shares with the others, rarer words weigh more.
        shared = sum(
            (frequency[w] - 1) * math.log(1 + total / frequency[w]) for w in bag if frequency[w] > 1
        )
        score = shared / math.sqrt(len(bag) or 1)
        score += 1.5 * min(len(found), 2)
        # The ask and the complaint are what the advisor must not make the customer repeat.
        score += 2.0 if _REQUEST.search(sentence.text) else 0.0
        score += 1.0 if _COMPLAINT.search(sentence.text) else 0.0
        score += 1.0 if sentence.message in (0, last) else 0.0  # the problem, the latest ask
        score += 0.5 if sentence.order == 0 else 0.0
        scores.append(score)
    return scores


def summarize(messages: Sequence[str]) -> str:
    """2-4 of the customer's sentences (oldest message first in ``messages``), or ""."""
    sentences = _sentences(messages)
    if not sentences:
        return ""
    scores = _scores(sentences)
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    length = 0
    floor = KEEP_SHARE * scores[ranked[0]]
    for index in ranked:
        if len(chosen) >= MIN_SENTENCES and scores[index] <= floor:
            break  # backstory and small talk: room left is no reason to copy them
        size = len(sentences[index].text) + (1 if chosen else 0)
        if length + size > MAX_CHARS:
            continue
        chosen.append(index)
        length += size
        if len(chosen) == MAX_SENTENCES:
            break
    return " ".join(sentences[i].text for i in sorted(chosen))
