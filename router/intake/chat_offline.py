"""When the web-chat widget offers to leave a message to be answered by e-mail.

Nobody takes the chat soon enough: outside the business hours of the conversation's SLA
policy, or once it has waited longer than its team's service-level time (the team's own
promise of how fast a conversation is taken). The visitor may still keep waiting; a message
they leave carries ``reply_by: "email"`` and their address (router.replies.reply answers it
there; router.intake.chat_presence does not take them for gone).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Conversation, SlaPolicy, Team
from router.tickets import sla

Reason = Literal["outside_hours", "long_wait"]
#: A conversation waiting for no team: the teams' default service-level time.
NO_TEAM_LIMIT = timedelta(seconds=60)


async def leave_message_offer(
    session: AsyncSession, conversation: Conversation, now: datetime
) -> Reason | None:
    """Why to offer leaving a message now, or None (keep waiting)."""
    if not await _open(session, conversation, now):
        return "outside_hours"
    since = conversation.waiting_since or conversation.created_at
    if now - since >= await _limit(session, conversation):
        return "long_wait"
    return None


async def _open(session: AsyncSession, conversation: Conversation, now: datetime) -> bool:
    if conversation.sla_policy_id is None:
        return True
    policy = await session.get(SlaPolicy, conversation.sla_policy_id)
    terms = None if policy is None else sla.terms_of(policy)
    return terms is None or terms.hours is None or terms.hours.is_open(now)


async def _limit(session: AsyncSession, conversation: Conversation) -> timedelta:
    if conversation.queue_team_id is None:
        return NO_TEAM_LIMIT
    team = await session.get(Team, conversation.queue_team_id)
    return NO_TEAM_LIMIT if team is None else timedelta(seconds=team.service_level_seconds)
