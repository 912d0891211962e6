"""Who may see a live event: the same rules as router.security.visibility, on one event.

Pure: the facts about the event's conversation and advisor are read by the feed, once per
batch (router.supervision.live_feed). Three answers: the whole event, only that a queue the
user works from changed (a conversation of their queue was taken by a colleague: their
"my queue" list is stale, the conversation itself is none of their business), or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from router.models.advisors import Role
from router.security.principal import Principal


class Sight(Enum):
    none = 0
    queue = 1  # only "this queue changed"
    full = 2


@dataclass(frozen=True)
class ConversationFacts:
    """A conversation as it is now (after the event): holder and queue."""

    assignee_id: int | None
    queue_team_id: int | None
    waiting: bool


@dataclass(frozen=True)
class LiveEvent:
    """One committed timeline event and the facts around it."""

    id: int
    type: str
    created_at: str
    conversation_id: int | None
    advisor_id: int | None
    customer_id: int | None
    message_id: int | None
    data: dict[str, Any]
    conversation: ConversationFacts | None
    advisor_team_id: int | None  # the team of the event's advisor
    assignee_team_id: int | None  # the team of the conversation's holder

    def frame(self, sight: Sight) -> dict[str, Any]:
        if sight is Sight.queue:
            team = self.conversation.queue_team_id if self.conversation else None
            return {"type": "queue.changed", "id": self.id, "team_id": team}
        return {
            "type": self.type,
            "id": self.id,
            "at": self.created_at,
            "conversation_id": self.conversation_id,
            "advisor_id": self.advisor_id,
            "customer_id": self.customer_id,
            "message_id": self.message_id,
            "data": self.data,
        }


#: Events that change what a queue holds (someone's "my queue" list is then stale).
QUEUE_MOVES = frozenset(
    {
        "conversation.waiting",
        "conversation.assigned",
        "conversation.offered",
        "conversation.resolved",
        "conversation.abandoned",
        "conversation.transferred",
        "conversation.returned",
        "conversation.escalated",
    }
)


def _in_queue(principal: Principal, facts: ConversationFacts) -> bool:
    return facts.queue_team_id is None or facts.queue_team_id in principal.team_ids


def _alert_sight(principal: Principal, event: LiveEvent) -> Sight:
    """Alerts go to their supervisor, their team's supervisors (or every supervisor when
    addressed to nobody), as router.supervision.raising addresses them."""
    if principal.role != Role.supervisor:
        return Sight.none
    supervisor = event.data.get("supervisor_id")
    team = event.data.get("team_id")
    mine = supervisor == principal.id or team in principal.team_ids
    return Sight.full if mine or (supervisor is None and team is None) else Sight.none


def sight(principal: Principal, event: LiveEvent) -> Sight:
    """How much of ``event`` the user ``principal`` may see."""
    if principal.sees_everything:
        return Sight.full
    if event.type.startswith("alert."):
        return _alert_sight(principal, event)
    if event.advisor_id == principal.id:
        return Sight.full
    supervisor = principal.role == Role.supervisor
    if supervisor and event.advisor_team_id in principal.team_ids:
        return Sight.full
    facts = event.conversation
    if facts is None:
        return Sight.none
    if facts.assignee_id == principal.id or (facts.waiting and _in_queue(principal, facts)):
        return Sight.full
    if supervisor and (
        event.assignee_team_id in principal.team_ids or facts.queue_team_id in principal.team_ids
    ):
        return Sight.full
    if event.type in QUEUE_MOVES and _in_queue(principal, facts):
        return Sight.queue
    return Sight.none
