"""Advisors who went offline: what they hold unanswered goes back to the queue after a grace.

Going offline is often a dropped connection or a closed laptop rather than a decision, so
an advisor back online within ``offline_grace`` (router.routing.config) keeps their work.
Past it, their unanswered assignments and pending offers go back to the queue the way the
return timer sends them (router.routing.returns): at their place, routed again, recorded on
the timeline. The advisor is not kept away from them (they refused nothing) and no alert is
raised (going offline is normal). Answered conversations stay with their owner: the customer
has had an answer.

The signal is the advisor row: offline, and unchanged (``updated_at``) for the grace. Every
status change stamps ``updated_at``, so the grace is never cut short; any other change to
an offline advisor (an admin editing their skills) only starts it again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Advisor, Assignment
from router.models.advisors import AdvisorStatus
from router.routing import config as routing_config
from router.routing import returns
from router.routing.context import RoutingContext
from router.store import Database
from router.store.types import utcnow

log = logging.getLogger(__name__)

ADVISOR_OFFLINE = "advisor offline"


async def return_from_offline(db: Database) -> int:
    """One batch of the unanswered work of advisors offline for longer than the grace."""
    async with db.session() as session:
        now = utcnow()
        grace = (await routing_config.current(session)).offline_grace
        cutoff = now - grace
        due = (
            await session.execute(
                select(Assignment.id, Assignment.conversation_id)
                .join(Advisor, col(Advisor.id) == col(Assignment.advisor_id))
                .where(
                    col(Assignment.answered_at).is_(None),
                    col(Assignment.ended_at).is_(None),
                    col(Advisor.status) == AdvisorStatus.OFFLINE,
                    col(Advisor.updated_at) <= cutoff,
                )
                .order_by(col(Assignment.id))
                .limit(returns.BATCH)
            )
        ).all()
        if not due:
            return 0
        context = await RoutingContext.load(session, returning_customers=[])
        why = returns.Why(
            ADVISOR_OFFLINE,
            f"advisor offline for more than {grace.total_seconds():g} s",
            keep_away=False,
        )
        returned = 0
        for assignment_id, conversation_id in due:
            held = await returns.lock_held(session, assignment_id, conversation_id)
            if held is None or not await _still_away(session, held.assignment, cutoff):
                continue
            await returns.give_back(session, held, why, context, now)
            returned += 1
        await session.commit()
    if returned:
        log.info("%d conversation(s) of offline advisors went back to the queue", returned)
    return returned


async def _still_away(session: AsyncSession, row: Assignment, cutoff: datetime) -> bool:
    """Read afresh: the advisor may have come back since the batch was read."""
    advisor = await session.get(Advisor, row.advisor_id, populate_existing=True)
    return (
        advisor is not None
        and advisor.status == AdvisorStatus.OFFLINE
        and advisor.updated_at <= cutoff
    )
