"""Which ticket status changes a person may make, and the event each one records (pure).

The router's statuses (waiting, offered, assigned) are "open" to a person; pending waits on
the customer; resolved may be reopened; closed is final (the customer's next message opens
a new conversation linked to it). A refusal says why: 409 when the ticket's state forbids
it, 422 when a reason is missing.
"""

from __future__ import annotations

from router.errors import Conflict, InvalidRequest
from router.models.conversations import ConversationStatus, TicketStatus
from router.models.tickets import StatusTarget

OPEN = (ConversationStatus.waiting, ConversationStatus.offered, ConversationStatus.assigned)
CLOSED_IS_FINAL = "closed is final; the customer's next message opens a new conversation"
#: The events of status changes; their ``reason`` is free text (erased with the customer).
STATUS_EVENTS = frozenset(
    {
        "conversation.pending",
        "conversation.resolved",
        "conversation.closed",
        "conversation.reopened",
        "conversation.resumed",  # back in the queue from pending
    }
)


def transition(
    status: ConversationStatus,
    ticket: TicketStatus,
    target: StatusTarget,
    *,
    owned: bool,
    reason: str | None,
    lenient: bool = False,
) -> str:
    """The event type of moving a ticket from ``status`` to ``target``; raises when refused.

    ``ticket`` is the derived helpdesk status (a "new" ticket was never answered nor taken);
    ``owned``: an advisor owns it (assignee); ``lenient``: resolving a new ticket needs no
    reason (the older POST .../resolve route, which takes none).
    """
    if status == ConversationStatus.closed:
        raise Conflict(CLOSED_IS_FINAL, field="status")
    if target == StatusTarget.open:
        return _reopening(status)
    if status == target.value:
        raise Conflict(f"the conversation is already {status}", field="status")
    if target == StatusTarget.pending:
        return _pending(status, owned=owned)
    if target == StatusTarget.resolved:
        if ticket == TicketStatus.new and not reason and not lenient:
            raise InvalidRequest(
                "nobody has answered or taken this ticket yet: resolving it needs a reason",
                field="reason",
            )
        return "conversation.resolved"
    if status != ConversationStatus.resolved and not reason:
        raise InvalidRequest(
            "only a resolved ticket closes without a reason: resolve it first, or give the "
            "reason (e.g. spam)",
            field="reason",
        )
    return "conversation.closed"


def _reopening(status: ConversationStatus) -> str:
    if status == ConversationStatus.pending:
        return "conversation.resumed"
    if status == ConversationStatus.resolved:
        return "conversation.reopened"
    raise Conflict(f"the conversation is already open ({status})", field="status")


def _pending(status: ConversationStatus, *, owned: bool) -> str:
    if status == ConversationStatus.resolved:
        raise Conflict(
            "a resolved conversation cannot wait on the customer: reopen it first", field="status"
        )
    if not owned:
        raise Conflict(
            "nobody owns this conversation: it must be assigned before it waits on the customer",
            field="status",
        )
    return "conversation.pending"
