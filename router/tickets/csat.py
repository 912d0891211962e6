"""Satisfaction surveys: one goes out when a conversation is resolved, the customer answers
once through its link.

The survey is a queued outbound message on the channel the customer last wrote on, to their
address there (as a reply would go), stored in the resolution's transaction: the outbound
scheduler sends it, nothing is published here. It is the service's message, not an
advisor's (no ``advisor_id``, no first response), yet it is linked to the advisor who owned
the conversation and that advisor's team, for team figures. Only the link's token is
random; its SHA-256 alone is stored, so the table cannot be used to answer for someone.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict, DomainError, Gone, InvalidRequest, NotFound
from router.models import Advisor, Conversation, CsatSurvey, Message
from router.models.conversations import MessageStatus
from router.models.csat import CsatAnswer, CsatQuestion
from router.replies import reply as replies
from router.security.tokens import digest
from router.settings import Settings
from router.store import Database
from router.store.types import utcnow
from router.tickets import events
from router.tickets import survey_text as texts

log = logging.getLogger(__name__)
LIFETIME = timedelta(days=30)
#: Channels a survey cannot be sent on (the integrator API has no outbound side).
_UNREACHABLE = frozenset({"api"})


async def survey_after_resolution(
    session: AsyncSession, conversation: Conversation, settings: Settings
) -> CsatSurvey | None:
    """Queue the survey on the conversation's channel (the outbound scheduler sends it).

    None when surveys are off, when no advisor answered (nothing to rate), when one was
    already sent since the last advisor reply (resolved again without a new answer), or
    when the customer cannot be reached.
    """
    if not settings.csat_enabled or conversation.id is None:
        return None
    reply = await _last_advisor_reply(session, conversation.id)
    if reply is None or await _surveyed_since(session, conversation.id, reply.received_at):
        return None
    try:
        channel, target = await replies.customer_target(session, conversation)
    except InvalidRequest:
        channel, target = str(conversation.channel), None
    if target is None or channel in _UNREACHABLE:
        log.debug("no survey for conversation %s: no address on %s", conversation.id, channel)
        return None
    advisor_id = conversation.assignee_id or reply.advisor_id
    advisor = await session.get(Advisor, advisor_id) if advisor_id is not None else None
    language = texts.language_of(conversation.language)
    token = secrets.token_urlsafe(32)
    wording = texts.survey_message(
        channel,
        language,
        f"{settings.public_url.rstrip('/')}/v1/csat/{token}",
        name=target.name,
        conversation_id=conversation.id,
    )
    now = utcnow()
    message = Message(
        channel=channel,
        external_id=f"csat:{uuid.uuid4().hex}",
        direction="outbound",
        sender_address="system:csat",
        subject=wording.subject,
        text=wording.text,
        received_at=now,
        meta={"reply_to": None, "to_name": target.name, "purpose": "csat"},
        status=MessageStatus.queued,
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        recipient_address=target.address,
        next_attempt_at=now,
    )
    session.add(message)
    await session.flush()
    row = CsatSurvey(
        conversation_id=conversation.id,
        advisor_id=advisor.id if advisor else None,
        team_id=advisor.team_id if advisor else None,
        channel=channel,
        language=language,
        token_hash=digest(token),
        message_id=message.id,
        sent_at=now,
    )
    session.add(row)
    await session.flush()
    events.record(
        session,
        "csat.sent",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=row.advisor_id,
        message_id=message.id,
        survey_id=row.id,
        team_id=row.team_id,
        channel=channel,
        language=language,
        by=events.actor(None),
    )
    return row


async def _last_advisor_reply(session: AsyncSession, conversation_id: int) -> Message | None:
    reply: Message | None = await session.scalar(
        select(Message)
        .where(
            col(Message.conversation_id) == conversation_id,
            col(Message.direction) == "outbound",
            col(Message.advisor_id).is_not(None),
        )
        .order_by(col(Message.id).desc())
        .limit(1)
    )
    return reply


async def _surveyed_since(session: AsyncSession, conversation_id: int, moment: datetime) -> bool:
    found = await session.scalar(
        select(CsatSurvey.id)
        .where(
            col(CsatSurvey.conversation_id) == conversation_id,
            col(CsatSurvey.sent_at) >= moment,
        )
        .limit(1)
    )
    return found is not None


# -- the customer's side ----------------------------------------------------------------


async def question(db: Database, token: str, now: datetime | None = None) -> CsatQuestion:
    """What the survey link shows: the question, or that it was answered."""
    async with db.read_session() as session:
        survey = await _by_token(session, token)
    if survey.answered_at is None:
        _check_open(survey, now or utcnow())
    return _question(survey, survey.score)


async def answer(
    db: Database, token: str, data: CsatAnswer, now: datetime | None = None
) -> CsatQuestion:
    """Record the score and comment, once: a second answer is a conflict."""
    now = now or utcnow()
    async with db.session() as session:
        survey = await _by_token(session, token)
        if survey.answered_at is not None:
            raise Conflict("this survey has already been answered", field="token")
        _check_open(survey, now)
        recorded = await session.scalar(
            update(CsatSurvey)
            .where(col(CsatSurvey.id) == survey.id, col(CsatSurvey.answered_at).is_(None))
            .values(score=data.score, comment=data.comment, answered_at=now)
            .returning(col(CsatSurvey.id))
        )
        if recorded is None:  # answered meanwhile, from another tab or device
            raise Conflict("this survey has already been answered", field="token")
        customer_id = await session.scalar(
            select(Conversation.customer_id).where(col(Conversation.id) == survey.conversation_id)
        )
        events.record(
            session,
            "csat.answered",
            customer_id=customer_id,
            conversation_id=survey.conversation_id,
            advisor_id=survey.advisor_id,
            survey_id=survey.id,
            team_id=survey.team_id,
            score=data.score,
            commented=data.comment is not None,
            by={"kind": "customer"},
        )
        await session.commit()
    return _question(survey, data.score)


async def notice_page(db: Database, token: str, error: DomainError) -> str:
    """The page a browser gets when the link cannot be used (unknown, expired, answered),
    in the survey's language: the API's ``detail`` stays English for integrators."""
    async with db.read_session() as session:
        survey = await session.scalar(
            select(CsatSurvey).where(col(CsatSurvey.token_hash) == digest(token))
        )
    if survey is None:
        return texts.notice_page("en", texts.UNKNOWN_LINK)
    language = texts.language_of(survey.language)
    if isinstance(error, Gone):
        ended = (survey.sent_at + LIFETIME).date()
        notice = texts.expired_notice(language, ended, LIFETIME.days)
    elif isinstance(error, Conflict):
        notice = texts.answered_notice(language)
    else:
        notice = error.detail
    return texts.notice_page(language, notice)


async def _by_token(session: AsyncSession, token: str) -> CsatSurvey:
    survey: CsatSurvey | None = await session.scalar(
        select(CsatSurvey).where(col(CsatSurvey.token_hash) == digest(token))
    )
    if survey is None:
        raise NotFound("this survey link is unknown", field="token")
    return survey


def _check_open(survey: CsatSurvey, now: datetime) -> None:
    if now >= survey.sent_at + LIFETIME:
        raise Gone(
            f"this survey expired on {(survey.sent_at + LIFETIME).date().isoformat()} "
            f"(answers are taken for {LIFETIME.days} days)",
            field="token",
        )


def _question(survey: CsatSurvey, score: int | None) -> CsatQuestion:
    language = texts.language_of(survey.language)
    return CsatQuestion(
        language=language,
        question=texts.QUESTION[language],
        scale=texts.labels(language),
        answered=score is not None,
        score=score,
        expires_at=survey.sent_at + LIFETIME,
    )


async def forget_comments(session: AsyncSession, customer_id: int) -> None:
    """Erasure: the customer's survey comments are their words too (scores stay, for the
    team figures). For router.customers.privacy.erase_customer, inside its transaction."""
    theirs = select(Conversation.id).where(col(Conversation.customer_id) == customer_id)
    await session.execute(
        update(CsatSurvey)
        .where(col(CsatSurvey.conversation_id).in_(theirs), col(CsatSurvey.comment).is_not(None))
        .values(comment=None)
    )
