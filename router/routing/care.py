"""Care for advisors, on the service side: the customer's emotion as their messages arrive,
intense conversations, cool-downs, and supervisor alerts when anger rises or a first
message is already very angry. Never commits.

Where a message's emotion comes from: ``readings`` passed by the caller (the classifier,
when the pipeline runs one), else the integrator's metadata hints ``emotion`` and
``emotion_intensity``; a message with neither is read as calm (no emotion, intensity 0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from router.models import Advisor, Assignment, Conversation, Message
from router.models.conversations import ConversationStatus
from router.routing import config as routing_config
from router.routing import queue
from router.routing.config import RoutingPolicy
from router.store.types import utcnow
from router.supervision.raising import raise_alert
from skills import Reading, anger_alert, angry_first_message

ALERT_ANGER_RISING = "alert.anger_rising"
ALERT_ANGRY_FIRST_MESSAGE = "alert.angry_first_message"
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


@dataclass(frozen=True, slots=True)
class FirstMessageAlert:
    """A first customer message already very angry, to alert about once the conversation is
    routed: only then is the queue (or the advisor) that holds it known."""

    conversation: Conversation
    message: Message
    reading: Reading
    reason: str


async def observe(
    session: AsyncSession,
    messages: Sequence[Message],
    conversations: Mapping[int, Conversation],
    readings: Mapping[int, Reading] | None = None,
) -> list[FirstMessageAlert]:
    """Read the emotion of each customer message (in order) into its conversation: latest
    emotion and intensity, intense or not, the trail of recent readings; refile waiting
    ones, mark live assignments intense, and alert when anger starts rising. Returns the
    first messages already very angry, for ``alert_angry_first`` after routing.
    ``conversations`` maps customer id -> their open conversation."""
    if not messages:
        return []
    policy = await routing_config.current(session)
    now = utcnow()
    angry_first: list[FirstMessageAlert] = []
    for message in messages:
        if message.direction != "inbound":
            continue
        conversation = conversations.get(message.customer_id or 0)
        if conversation is None or conversation.id is None:
            continue
        reading = (readings or {}).get(message.id or 0) or hinted_reading(message) or (None, 0.0)
        was_intense = conversation.intense
        _note(conversation, reading, policy)
        if conversation.intense and not was_intense:
            await _mark_intense(session, conversation.id)
        if conversation.status == ConversationStatus.waiting:
            queue.refile(conversation, policy, now)  # a new message also resets urgency
        trail = _readings(conversation)
        rising = anger_alert(trail, policy.anger)
        if rising is not None:
            await _alert_rising(session, conversation, rising, message, now)
        first = angry_first_message(trail, policy.care, policy.first_message_alert_threshold)
        if first is not None:
            angry_first.append(FirstMessageAlert(conversation, message, reading, first))
    return angry_first


async def alert_angry_first(session: AsyncSession, pending: Sequence[FirstMessageAlert]) -> None:
    """Alert the supervisors of the team now holding each conversation (its advisor's, when
    routing gave it to one at once) that its very first message is already very angry."""
    now = utcnow()
    for item in pending:
        emotion, intensity = item.reading
        data = {
            "emotion": emotion,
            "intensity": round(intensity, 3),
            "conversation_status": str(item.conversation.status),
        }
        await raise_alert(
            session,
            item.conversation,
            ALERT_ANGRY_FIRST_MESSAGE,
            item.reason,
            data,
            now,
            message_id=item.message.id,
        )


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


async def _alert_rising(
    session: AsyncSession, conversation: Conversation, reason: str, message: Message, now: datetime
) -> None:
    data = {
        "intensities": [round(i, 3) for _, i in _readings(conversation)[-5:]],
        "emotion": conversation.emotion,
        "conversation_status": str(conversation.status),
    }
    await raise_alert(
        session, conversation, ALERT_ANGER_RISING, reason, data, now, message_id=message.id
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
