"""The label ids shared by the training data, the models and the routing rules.

Rules match these strings, so they are part of the public contract: renaming one is a
data migration, not a refactor.
"""

from __future__ import annotations

from typing import Final

UNKNOWN: Final = "unknown"
"""Intent given when the classifier cannot tell; a generalist rule is expected to catch it."""

INTENTS: Final[tuple[str, ...]] = (
    "billing",
    "order_delivery",
    "technical",
    "account_access",
    "cancellation",
    "refund_return",
    "complaint",
    "product_info",
    "appointment_callback",
    "other",
)

EMOTIONS: Final[tuple[str, ...]] = ("anger", "frustration", "anxiety", "neutral", "satisfaction")

ANGER: Final = "anger"
NEUTRAL: Final = "neutral"

ESCALATING_EMOTIONS: Final = frozenset({"anger", "frustration"})
"""Emotions whose rise over a conversation warns a supervisor."""

LANGUAGES: Final[tuple[str, ...]] = ("fr", "en")
"""Languages the shipped training data covers."""
