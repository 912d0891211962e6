"""Surface cues of emotional intensity that word n-grams miss: shouting, "!!!", emoji.

They feed the intensity regression and let an emoji-only message still carry an emotion.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import NDArray

EMOJI_EMOTIONS: dict[str, str] = {
    **dict.fromkeys("😠😡🤬👿💢👎", "anger"),
    **dict.fromkeys("😤😒🙄😩😫😑😞😔", "frustration"),
    **dict.fromkeys("😟😰😨😥😧😬🥺😱", "anxiety"),
    **dict.fromkeys("🙂😊😀😃😄😁👍🙏😍🥰🎉💯✅", "satisfaction"),
}
CUE_NAMES = ("capitals", "exclamations", "questions", "elongation", "angry_emoji", "happy_emoji")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")


def cues(text: str) -> NDArray[np.float32]:
    """Each cue scaled to [0, 1] so the regression weights are comparable."""
    letters = [c for c in text if c.isalpha()]
    capitals = sum(1 for c in letters if c.isupper()) / len(letters) if len(letters) >= 8 else 0.0
    emotions = [EMOJI_EMOTIONS[c] for c in text if c in EMOJI_EMOTIONS]
    return np.array(
        [
            capitals,
            min(text.count("!"), 5) / 5.0,
            min(text.count("?"), 5) / 5.0,
            1.0 if _ELONGATED.search(text) else 0.0,
            min(sum(e in ("anger", "frustration") for e in emotions), 3) / 3.0,
            min(sum(e == "satisfaction" for e in emotions), 3) / 3.0,
        ],
        dtype=np.float32,
    )


def emoji_emotion(text: str) -> tuple[str, float] | None:
    """The most frequent emoji emotion and an intensity growing with repetition, if any."""
    emotions = [EMOJI_EMOTIONS[c] for c in text if c in EMOJI_EMOTIONS]
    if not emotions:
        return None
    best = max(set(emotions), key=lambda e: (emotions.count(e), e))
    return best, min(1.0, 0.4 + 0.15 * emotions.count(best))
