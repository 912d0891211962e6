"""Who may act on a conversation (reply to it, change its status): one rule."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Advisor, Conversation
from router.models.advisors import Role
from router.security.principal import Principal


async def may_act_on(
    session: AsyncSession, viewer: Principal | None, conversation: Conversation
) -> bool:
    """The owner, their supervisor (N+1 or of their team), admins, API keys and the system;
    a supervisor also for work nobody owns yet in a queue they see."""
    if viewer is None or viewer.sees_everything or conversation.assignee_id == viewer.id:
        return True
    if viewer.role != Role.supervisor:
        return False
    if conversation.assignee_id is None:
        return True
    owner = await session.get(Advisor, conversation.assignee_id)
    return owner is not None and (
        owner.supervisor_id == viewer.id or owner.team_id in viewer.team_ids
    )
