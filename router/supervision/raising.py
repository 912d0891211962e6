"""Raising a supervisor alert: the ``alert`` row (what GET /v1/alerts lists and the alert
webhook's outbox, see router.supervision.alerts) and its timeline event, written in the
caller's transaction (never commits), so an alert exists exactly when what caused it does.

Addressed like the conversation itself: to its advisor's supervisor and team while an
advisor holds it, else to the team whose queue holds it; with neither, every supervisor
sees it (like the conversation, which waits in every team's queue).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Advisor, Alert, Conversation
from router.store.commit_log import after_commit
from router.tickets import events

log = logging.getLogger(__name__)


async def raise_alert(
    session: AsyncSession,
    conversation: Conversation,
    kind: str,
    reason: str,
    data: dict[str, Any],
    now: datetime,
    *,
    message_id: int | None = None,
    about: Advisor | None = None,
) -> Alert:
    """Write one alert of ``kind`` about ``conversation`` and its event (same name).
    ``about``: the advisor concerned when it is not the one holding it now (one whose
    unanswered conversation was taken back: their supervisor is told)."""
    assert conversation.id is not None
    advisor = about
    if advisor is None and conversation.assignee_id is not None:
        advisor = await session.get(Advisor, conversation.assignee_id)
    team_id = advisor.team_id if advisor is not None else conversation.queue_team_id
    supervisor_id = advisor.supervisor_id if advisor is not None else None
    advisor_id = advisor.id if advisor is not None else None
    alert = Alert(
        type=kind,
        created_at=now,
        conversation_id=conversation.id,
        advisor_id=advisor_id,
        supervisor_id=supervisor_id,
        team_id=team_id,
        reason=reason,
        data=data,
        next_attempt_at=now,
    )
    session.add(alert)
    events.record(
        session,
        kind,
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=advisor_id,
        message_id=message_id,
        supervisor_id=supervisor_id,
        team_id=team_id,
        reason=reason,
        **data,
    )
    if log.isEnabledFor(logging.INFO):
        to = (
            f"supervisor {supervisor_id}"
            if supervisor_id is not None
            else f"team {team_id}"
            if team_id is not None
            else "every supervisor"
        )
        ids = {"conversation_id": conversation.id, "advisor_id": advisor_id}
        if message_id is not None:
            ids["message_id"] = message_id
        # Not the reason: its sentence may name the advisor; the alert row keeps it.
        after_commit(
            session, log, "alert %s about conversation %d for %s", kind, conversation.id, to, **ids
        )
    return alert
