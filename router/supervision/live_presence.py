"""Who is looking at a conversation, and who is typing in it: "Camille is viewing".

Kept in memory by each API process (a staff member's socket is in one process; two
advisors on two API processes behind a load balancer do not see each other: run one API
process, or sticky sessions, for this hint). It is a courtesy, never a lock: the claim and
the assignment rules are what keep two advisors from answering the same customer.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

TYPING_SECONDS = 6.0  # a "typing" frame counts this long


class Viewer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def viewer_id(self) -> int: ...


class Presence:
    def __init__(self) -> None:
        self._by_conversation: dict[int, dict[Any, float]] = {}  # viewer -> typing until

    def view(self, viewer: Viewer, conversation_id: int) -> set[int]:
        """``viewer`` looks at this conversation only; the conversations whose list changed."""
        changed = self.leave(viewer, keep=conversation_id)
        people = self._by_conversation.setdefault(conversation_id, {})
        if viewer not in people:
            people[viewer] = 0.0
            changed.add(conversation_id)
        return changed

    def typing(self, viewer: Viewer, conversation_id: int) -> set[int]:
        changed = self.view(viewer, conversation_id)
        self._by_conversation[conversation_id][viewer] = time.monotonic() + TYPING_SECONDS
        return changed | {conversation_id}

    def leave(self, viewer: Viewer, keep: int | None = None) -> set[int]:
        changed = set()
        for conversation_id, people in list(self._by_conversation.items()):
            if conversation_id != keep and people.pop(viewer, None) is not None:
                changed.add(conversation_id)
                if not people:
                    del self._by_conversation[conversation_id]
        return changed

    def viewers(self, conversation_id: int) -> list[Any]:
        return list(self._by_conversation.get(conversation_id, {}))

    def frame(self, conversation_id: int) -> dict[str, Any]:
        now = time.monotonic()
        people = self._by_conversation.get(conversation_id, {})
        return {
            "type": "presence",
            "conversation_id": conversation_id,
            "people": [
                {"id": v.viewer_id, "name": v.name, "typing": until > now}
                for v, until in people.items()
            ],
        }
