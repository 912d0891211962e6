"""Abandonment: a conversation that leaves the queue before any advisor took it.

A conversation still in the queue (waiting, or offered and not accepted yet) that is resolved
or closed was never served: its customer gave up, or their question settled itself, or a web
chat visitor left for good (router.intake.chat_presence). Whoever resolves it, the
conversation records when (``abandoned_at``) and the timeline says how long its customer
had waited, so that abandonment can be counted apart from work advisors resolved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Conversation
from router.models.conversations import ConversationStatus
from router.tickets import events

#: Statuses in which nobody has taken the conversation yet.
IN_QUEUE = frozenset({ConversationStatus.waiting, ConversationStatus.offered})
#: Statuses that take a conversation out of the queue for good (until reopened).
ENDING = frozenset({ConversationStatus.resolved, ConversationStatus.closed})


def note(
    session: AsyncSession, conversation: Conversation, target: ConversationStatus, now: datetime
) -> bool:
    """Record the abandonment when ``conversation``, about to move to ``target``, leaves the
    queue unserved; call before its status changes. Returns whether it was abandoned."""
    if conversation.status not in IN_QUEUE or target not in ENDING:
        return False
    since = conversation.waiting_since or conversation.created_at
    conversation.abandoned_at = now
    events.record(
        session,
        "conversation.abandoned",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        status=str(conversation.status),
        channel=str(conversation.channel),
        waited_seconds=round((now - since).total_seconds()),
    )
    return True
