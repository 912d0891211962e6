"""Which reply templates fit a customer's message: pure ranking, no I/O.

Templates of the message's intent come first; within each group, TF-IDF cosine similarity
between the message and the template's text (character n-grams within words, accents
folded, so that "rembourser" meets "remboursement" and typos still match). The vectoriser is
fitted on the message and the candidates alone: the template set is small (tens to a few
hundreds), so a ranking costs a few milliseconds and needs no stored model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from router.models.template_syntax import without_placeholders

SAME_INTENT = "same intent"
SIMILAR_WORDING = "similar wording"
#: Cosine similarity from which the wording is called similar (tuned on the demo templates:
#: unrelated French/English texts of a few sentences score below 0.1 on these n-grams).
SIMILAR = 0.15
#: Characters of the message read: its opening states the request.
MAX_MESSAGE = 5000


@dataclass(frozen=True)
class Candidate:
    id: int
    intent: str | None
    text: str  # what is compared with the message: the template's name and variant text


@dataclass(frozen=True)
class Ranked:
    id: int
    score: float  # 1 for the same intent, plus the similarity (0..1)
    similarity: float
    reasons: list[str]


def similarities(message: str, texts: Sequence[str]) -> list[float]:
    """Cosine similarity of each text with the message (0 when either has no words)."""
    # Imported on first use: sklearn costs a serving process about 65 MB.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    documents = [message[:MAX_MESSAGE], *(without_placeholders(t) for t in texts)]
    if not texts or not any(any(ch.isalnum() for ch in d) for d in documents):
        return [0.0] * len(texts)
    vectoriser = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), strip_accents="unicode", sublinear_tf=True
    )
    try:
        matrix = vectoriser.fit_transform(documents)
    except ValueError:  # no n-gram at all (texts of one or two characters)
        return [0.0] * len(texts)
    return [float(s) for s in cosine_similarity(matrix[0], matrix[1:])[0]]


def rank(
    message: str, intent: str | None, candidates: Sequence[Candidate], limit: int
) -> list[Ranked]:
    """The best ``limit`` candidates: same intent first, then by similarity, then by id."""
    scored = []
    for candidate, similarity in zip(
        candidates, similarities(message, [c.text for c in candidates]), strict=True
    ):
        same = intent is not None and candidate.intent == intent
        reasons = [SAME_INTENT] if same else []
        if similarity >= SIMILAR:
            reasons.append(SIMILAR_WORDING)
        score = round((1.0 if same else 0.0) + similarity, 4)
        scored.append(Ranked(candidate.id, score, round(similarity, 4), reasons))
    scored.sort(key=lambda r: (-r.score, r.id))
    return scored[:limit]
