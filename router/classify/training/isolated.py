"""Training as a job for a child process: what crosses the process boundary is the
artifact's own serialised form (``router.classify.artifact``), never a pickle of the
model."""

from __future__ import annotations

from collections.abc import Sequence

from router.classify.artifact import dump
from router.classify.training.dataset import Example
from router.classify.training.train import train


def train_serialized(examples: Sequence[Example], heldout: Sequence[Example]) -> tuple[bytes, str]:
    """The trained artifact's bytes and their SHA-256 (``artifact.load`` checks both)."""
    serialized = dump(train(examples, heldout=heldout))
    return serialized.payload, serialized.sha256
