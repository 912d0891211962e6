"""Care for advisors, on the service side: the customer's emotion as their messages arrive,
intense conversations, cool-downs, and supervisor alerts when anger rises. Never commits.

Where a message's emotion comes from: ``readings`` passed by the caller (the classifier,
when the pipeline runs one), else the integrator's metadata hints ``emotion`` and
``emotion_intensity``; a message with neither is read as calm (no emotion, intensity 0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from router.models import Advisor, Alert, Assignment, Conversation, Message
from router.models.conversations import ConversationStatus
from router.routing import config as routing_config
from router.routing import queue
from router.routing.config import RoutingPolicy
from router.store.types import utcnow
from router.tickets import events
from skills import Reading, anger_alert

ALERT_ANGER_RISING = "alert.anger_rising"
TRAIL_LENGTH = 20  # readings kept per conversation (the trend needs at most 20)
_EMOTION = re.compile(r"^[a-z_]{1,20}$")


def hinted_reading(message: Message) -> Reading | None:
    """The emotion an integrator passed in metadata, when well-formed."""
    emotion = message.meta.get("emotion")
    intensity = message.meta.get("emotion_intensity", 0.5)
    if not isinstance(emotion, str) or not _EMOTION.match(emotion.strip().lower()):
        return None
    if not isinstance(intensity, int | float) or isinstance(intensity, bool):
        return None
    if not math.isfinite(intensity):
        return None
    return emotion.strip().lower(), min(1.0, max(0.0, float(intensity)))


async def observe(
    session: AsyncSession,
    messages: Sequence[Message],
    conversations: Mapping[int, Conversation],
    readings: Mapping[int, Reading] | None = None,
) -> int:
    """Read the emotion of each customer message (in order) into its conversation: latest
    emotion and intensity, intense or not, the trail of recent readings; refile waiting
    ones, mark live assignments intense, and alert when anger starts rising. Returns the
    number of alerts. ``conversations`` maps customer id -> their open conversation."""
    if not messages:
        return 0
    policy = await routing_config.current(session)
    now = utcnow()
    alerts = 0
    for message in messages:
        if message.direction != "inbound":
            continue
        conversation = conversations.get(message.customer_id or 0)
        if conversation is None or conversation.id is None:
            continue
        reading = (readings or {}).get(message.id or 0) or hinted_reading(message)
        was_intense = conversation.intense
        _note(conversation, reading or (None, 0.0), policy)
        if conversation.intense and not was_intense:
            await _mark_intense(session, conversation.id)
        if conversation.status == ConversationStatus.waiting:
            queue.refile(conversation, policy, now)  # a new message also resets urgency
        reason = anger_alert(_readings(conversation), policy.anger)
        if reason is not None:
            await _alert(session, conversation, reason, message)
            alerts += 1
    return alerts


def _note(conversation: Conversation, reading: Reading, policy: RoutingPolicy) -> None:
    emotion, intensity = reading
    conversation.emotion = emotion
    conversation.emotion_intensity = intensity
    conversation.intense = policy.care.is_intense(emotion, intensity)
    conversation.emotion_trail = [*conversation.emotion_trail, [emotion, intensity]][-TRAIL_LENGTH:]


def _readings(conversation: Conversation) -> list[Reading]:
    return [(str(e) if e is not None else None, float(i)) for e, i in conversation.emotion_trail]


async def _mark_intense(session: AsyncSession, conversation_id: int) -> None:
    """The conversation became intense while with an advisor: it counts for their care."""
    await session.execute(
        update(Assignment)
        .where(
            col(Assignment.conversation_id) == conversation_id,
            col(Assignment.ended_at).is_(None),
        )
        .values(intense=True)
    )


async def _alert(
    session: AsyncSession, conversation: Conversation, reason: str, message: Message
) -> None:
    """Record the alert for the advisor's supervisor (or the queue team's supervisors)."""
    advisor = (
        await session.get(Advisor, conversation.assignee_id)
        if conversation.assignee_id is not None
        else None
    )
    team_id = advisor.team_id if advisor is not None else conversation.queue_team_id
    supervisor_id = advisor.supervisor_id if advisor is not None else None
    data = {
        "intensities": [round(i, 3) for _, i in _readings(conversation)[-5:]],
        "emotion": conversation.emotion,
        "conversation_status": str(conversation.status),
    }
    assert conversation.id is not None
    now = utcnow()
    session.add(
        Alert(
            type=ALERT_ANGER_RISING,
            created_at=now,
            conversation_id=conversation.id,
            advisor_id=conversation.assignee_id,
            supervisor_id=supervisor_id,
            team_id=team_id,
            reason=reason,
            data=data,
            next_attempt_at=now,
        )
    )
    events.record(
        session,
        ALERT_ANGER_RISING,
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=conversation.assignee_id,
        message_id=message.id,
        supervisor_id=supervisor_id,
        team_id=team_id,
        reason=reason,
    )


async def end_live_assignment(
    session: AsyncSession, conversation_id: int, reason: str, now: datetime
) -> list[int]:
    """End the conversation's live assignment or offer; returns the advisors released. An
    accepted intense one starts that advisor's cool-down now."""
    rows = (
        await session.execute(
            update(Assignment)
            .where(
                col(Assignment.conversation_id) == conversation_id,
                col(Assignment.ended_at).is_(None),
            )
            .values(ended_at=now, end_reason=reason)
            .returning(
                col(Assignment.advisor_id), col(Assignment.intense), col(Assignment.accepted_at)
            )
        )
    ).all()
    for advisor_id, intense, accepted_at in rows:
        if intense and accepted_at is not None:
            await session.execute(
                update(Advisor)
                .where(col(Advisor.id) == advisor_id)
                .values(last_intense_ended_at=now)
            )
    return [advisor_id for advisor_id, _, _ in rows]
