"""Classifying messages with a trained artifact: fast, synchronous, and never failing.

``classify`` is plain CPU work (about a tenth of a millisecond for a chat message), so it is
synchronous; an async caller offloads batches with ``asyncio.to_thread(classify_many, ...)``.
Whatever the input, a ``Classification`` comes back: what could not be read is ``unknown``
with the reason in ``reasons``, and the message still reaches a (generalist) rule.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from router.classify.heads import FloatArray
from router.classify.labels import ANGER, NEUTRAL, UNKNOWN
from router.classify.language import detect_language
from router.classify.model import ClassifierArtifact, Model
from router.classify.surface import cues, emoji_emotion

MAX_CHARS = 4000
"""Longer texts (quoted email threads, signatures) are cut: the request comes first."""

log = logging.getLogger(__name__)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Classification:
    """What routing rules read. ``alternatives``: the three likeliest intents, best first."""

    language: str | None
    intent: str
    intent_confidence: float
    alternatives: tuple[tuple[str, float], ...]
    emotion: str
    emotion_intensity: float
    reasons: tuple[str, ...] = ()


class Classifier:
    """A loaded model, safe to share between threads: its only mutable state is the
    feature space's memo of n-gram columns, made of atomic dict operations."""

    def __init__(self, model: Model, *, version: str = "unversioned") -> None:
        self.model = model
        self.version = version

    @classmethod
    def from_artifact(cls, artifact: ClassifierArtifact) -> Classifier:
        return cls(artifact.model, version=artifact.metadata.version)

    def classify(self, text: str) -> Classification:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """One result per text, in order; a failure degrades every text to ``unknown``."""
        try:
            return self._classify_many(texts)
        except Exception as error:  # the contract is "never raises": degrade and say why
            log.exception("classifier failed on a batch of %d messages", len(texts))
            return [_blank(f"classifier error: {type(error).__name__}")] * len(texts)

    def _classify_many(self, texts: Sequence[str]) -> list[Classification]:
        screened = [_screen(raw) for raw in texts]
        readable = [i for i, (_, _, verdict) in enumerate(screened) if verdict is None]
        read = iter(
            self._read([screened[i][0] for i in readable], [screened[i][1] for i in readable])
        )
        return [verdict or next(read) for _, _, verdict in screened]

    def _read(self, texts: list[str], reasons: list[list[str]]) -> list[Classification]:
        if not texts:
            return []
        model = self.model
        # A lone message skips scipy: its per-call checks cost more than the whole product.
        matrix = (
            model.features.row(texts[0]) if len(texts) == 1 else model.features.transform(texts)
        )
        intents = model.intent.probabilities(matrix)
        languages = model.language.probabilities(matrix) if model.language else None
        emotions = model.emotion.probabilities(matrix) if model.emotion else None
        intensities = None
        if model.intensity and emotions is not None:
            intensities = model.intensity.predict(emotions, np.stack([cues(t) for t in texts]))
        out = []
        for row, text in enumerate(texts):
            language = self._language(text, languages, row, reasons[row])
            emotion, intensity = self._emotion(emotions, intensities, row)
            out.append(self._intent(language, intents[row], emotion, intensity, reasons[row]))
        return out

    def _language(
        self, text: str, languages: FloatArray | None, row: int, reasons: list[str]
    ) -> str | None:
        """Function words first (they also name languages the model never saw), then the
        model's language head when it is confident enough."""
        language = detect_language(text)
        head = self.model.language
        if language is None and head is not None and languages is not None:
            best = int(languages[row].argmax())
            if languages[row][best] >= self.model.language_threshold:
                language = head.classes[best]
        if language is None:
            reasons.append("language not identified")
        elif self.model.languages and language not in self.model.languages:
            reasons.append(f"language {language!r} is not in the training data")
        return language

    def _intent(
        self,
        language: str | None,
        p: FloatArray,
        emotion: str,
        intensity: float,
        reasons: list[str],
    ) -> Classification:
        classes = self.model.intent.classes
        ranked = np.argsort(-p, kind="stable")[:3]
        alternatives = tuple((classes[i], round(float(p[i]), 4)) for i in ranked)
        best, confidence = alternatives[0]
        known = self.model.languages
        threshold = self.model.intent_threshold
        if known and language is not None and language not in known:
            best = UNKNOWN
        elif p[ranked[0]] < threshold:
            reasons.append(f"intent confidence {confidence:.2f} below threshold {threshold:.2f}")
            best = UNKNOWN
        return Classification(
            language, best, confidence, alternatives, emotion, intensity, tuple(reasons)
        )

    def _emotion(
        self, emotions: FloatArray | None, intensities: FloatArray | None, row: int
    ) -> tuple[str, float]:
        intensity = round(float(intensities[row]), 3) if intensities is not None else 0.0
        if emotions is None or self.model.emotion is None:
            return NEUTRAL, intensity
        return decide_emotion(
            emotions[row], self.model.emotion.classes, self.model.anger_threshold
        ), intensity


def decide_emotion(
    probabilities: FloatArray, classes: Sequence[str], anger_threshold: float
) -> str:
    """The likeliest emotion, except that anger needs its own, higher, confidence.

    A false "angry" alerts a supervisor, so doubtful anger falls back to the runner-up
    (usually frustration): anger precision is bought with some anger recall.
    """
    ranked = np.argsort(-probabilities, kind="stable")
    best = classes[int(ranked[0])]
    if best == ANGER and probabilities[ranked[0]] < anger_threshold and len(ranked) > 1:
        best = classes[int(ranked[1])]
    return best


def _screen(raw: object) -> tuple[str, list[str], Classification | None]:
    """Cheap checks before the model: a verdict for texts with nothing to read."""
    if not isinstance(raw, str):
        return "", [], _blank(f"not text: {type(raw).__name__}")
    text = raw.strip()
    if not text:
        return "", [], _blank("empty message")
    reasons = []
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        reasons.append(f"truncated to the first {MAX_CHARS} characters")
    if not _LETTER.search(text):
        found = emoji_emotion(text)
        emotion, intensity = found or (NEUTRAL, 0.0)
        return (
            "",
            [],
            _blank("no words to read (emoji, digits or punctuation only)", emotion, intensity),
        )
    return text, reasons, None


def _blank(reason: str, emotion: str = NEUTRAL, intensity: float = 0.0) -> Classification:
    return Classification(None, UNKNOWN, 0.0, (), emotion, intensity, (reason,))
