"""What a conversation keeps of its messages' readings as they arrive (pure rules).

A conversation is routed on the reading of the message that (re)opens it. A follow-up the
classifier could not read confidently (``unknown``, or no reading: ``None`` here) says
nothing new about what the customer wants, so it must not erase what an earlier message
established: the context card and the rules keep the last known intent.
"""

from __future__ import annotations


def kept_intent(known: str | None, read: str | None) -> str | None:
    """The conversation's intent after a message read as ``read`` (None: not confident)."""
    return read if read is not None else known
