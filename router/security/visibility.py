"""Team isolation: which conversations and advisors a caller may see.

Admins and integrators see everything. An advisor sees the conversations assigned to them
and the waiting queue of their team (a conversation whose requirements name no team waits in
every team's queue). A supervisor sees the same for each of their teams, plus every
conversation handled by one of their teams' advisors. Anything else is reported as not
found, so that existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import col, select

from router.errors import NotFound
from router.models.advisors import Advisor, Role
from router.models.conversations import Conversation, ConversationStatus
from router.security.principal import Principal


def conversation_clause(principal: Principal) -> ColumnElement[bool] | None:
    """A WHERE clause restricting conversations to the caller's, or None for no restriction."""
    if principal.sees_everything:
        return None
    teams = sorted(principal.team_ids)
    in_queue = and_(
        col(Conversation.status) == ConversationStatus.waiting,
        or_(col(Conversation.queue_team_id).is_(None), col(Conversation.queue_team_id).in_(teams)),
    )
    if principal.role == Role.supervisor:
        team_advisors = select(Advisor.id).where(col(Advisor.team_id).in_(teams))
        return or_(
            col(Conversation.assignee_id) == principal.id,
            col(Conversation.assignee_id).in_(team_advisors),
            col(Conversation.queue_team_id).in_(teams),
            in_queue,
        )
    if principal.role == Role.advisor:
        return or_(col(Conversation.assignee_id) == principal.id, in_queue)
    return false()


def sees_waiting(principal: Principal, conversation: Conversation) -> bool:
    """True when ``conversation_clause`` certainly lets ``principal`` see this waiting
    conversation, judged on the row alone (False: not plainly; ask the database)."""
    if principal.sees_everything:
        return True
    if principal.role not in (Role.advisor, Role.supervisor):
        return False
    if conversation.status != ConversationStatus.waiting:
        return False
    if conversation.assignee_id == principal.id:
        return True
    team = conversation.queue_team_id
    return team is None or team in principal.team_ids


def advisor_clause(principal: Principal) -> ColumnElement[bool] | None:
    """Advisors and supervisors see their own teams' members and themselves."""
    if principal.sees_everything:
        return None
    return or_(
        col(Advisor.id) == principal.id, col(Advisor.team_id).in_(sorted(principal.team_ids))
    )


def may_manage_advisor(principal: Principal, advisor: Advisor) -> bool:
    """Admins manage anyone; supervisors their teams' advisors (not other supervisors)."""
    if principal.is_admin:
        return True
    return (
        principal.role == Role.supervisor
        and advisor.team_id in principal.team_ids
        and advisor.role == Role.advisor
    )


def hidden(kind: str, ident: int) -> NotFound:
    """The error for something that exists but is not the caller's to see."""
    return NotFound(f"{kind} {ident} does not exist")
