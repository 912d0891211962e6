"""The pure rule of what a conversation keeps of its messages' intents."""

from __future__ import annotations

import pytest

from router.routing.readings import kept_intent


@pytest.mark.parametrize(
    ("known", "read", "kept"),
    [
        ("billing", None, "billing"),  # an unknown follow-up says nothing new
        ("billing", "order_delivery", "order_delivery"),  # a confident reading wins
        (None, None, None),
        (None, "billing", "billing"),
    ],
)
def test_kept_intent(known: str | None, read: str | None, kept: str | None) -> None:
    assert kept_intent(known, read) == kept
