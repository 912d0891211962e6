"""Reply templates at work: suggested for a conversation, rendered for a reply.

What placeholders are filled from is read in a bounded number of indexed queries: the
customer, the sender's team, the conversation's latest subject, and its latest
``RECENT_MESSAGES`` customer messages (texts cut to ``MAX_SCAN`` in SQL), which give the
language (latest classification), the facts (latest wins) and the message to rank against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.customers.facts import MAX_SCAN, extract_facts_each
from router.errors import InvalidRequest
from router.models import Advisor, Conversation, Customer, Message, ReplyTemplate, Team
from router.models.conversations import MessageStatus
from router.models.template_syntax import DEFAULT_LANGUAGE, PLACEHOLDERS, placeholders
from router.models.templates import TemplateSuggestion
from router.replies.render import Context, Rendered, latest_facts, render
from router.replies.schemas import ReplyCreate
from router.replies.suggest import Candidate, rank
from router.security.principal import Principal
from router.store import Database
from router.tickets import conversations

RECENT_MESSAGES = 50
FACT_CHARS = 60_000  # text read for facts, newest messages first
MAX_TEMPLATES = 500  # active templates considered for suggestions


@dataclass(frozen=True)
class _Said:
    channel: str
    text: str
    classification: dict[str, Any] | None
    at: datetime  # when it was received: the year of a date written without one


async def _said(session: AsyncSession, conversation_id: int) -> list[_Said]:
    """The conversation's latest customer messages, newest first."""
    rows = await session.execute(
        select(
            col(Message.channel),
            func.substr(col(Message.text), 1, MAX_SCAN),
            col(Message.classification),
            col(Message.received_at),
        )
        .where(
            col(Message.conversation_id) == conversation_id,
            col(Message.direction) == "inbound",
            col(Message.status) != MessageStatus.held,
        )
        .order_by(col(Message.id).desc())
        .limit(RECENT_MESSAGES)
    )
    return [_Said(channel, text or "", read, at) for channel, text, read, at in rows.all()]


def _language(conversation: Conversation, said: Sequence[_Said]) -> str:
    for message in said:
        language = (message.classification or {}).get("language")
        if isinstance(language, str) and language:
            return language
    return conversation.language or DEFAULT_LANGUAGE


async def _subject(session: AsyncSession, conversation_id: int) -> str | None:
    subject: str | None = await session.scalar(
        select(Message.subject)
        .where(col(Message.conversation_id) == conversation_id, col(Message.subject).is_not(None))
        .order_by(col(Message.id).desc())
        .limit(1)
    )
    return subject


async def _context(
    session: AsyncSession,
    conversation: Conversation,
    sender: Advisor | None,
    said: Sequence[_Said],
    channel: str,
) -> Context:
    assert conversation.id is not None
    customer = await session.get(Customer, conversation.customer_id)
    team = await session.get(Team, sender.team_id) if sender and sender.team_id else None
    found = extract_facts_each(
        [m.text for m in said], budget=FACT_CHARS, sent=[m.at.date() for m in said]
    )
    return Context(
        channel=channel,
        language=_language(conversation, said),
        conversation_id=conversation.id,
        customer_name=customer.display_name if customer else None,
        advisor_name=sender.name if sender else None,
        team_name=team.name if team else None,
        subject=await _subject(session, conversation.id),
        facts=latest_facts(reversed(found)),
    )


async def complete_reply(
    session: AsyncSession,
    conversation: Conversation,
    sender: Advisor | None,
    channel: str,
    target_subject: str | None,
    data: ReplyCreate,
) -> ReplyCreate:
    """A reply naming a template, with its text: the advisor's own (which must not hold a
    placeholder still to fill), else the template rendered for ``channel``; the template's
    email subject is used only for a reply that starts a thread."""
    assert data.template_id is not None
    template = await _usable(session, data.template_id)
    if data.text is not None:
        left = [name for name in placeholders(data.text) if name in PLACEHOLDERS]
        if left:
            raise InvalidRequest(
                f"the text still holds placeholders: {', '.join(left)}", field="text"
            )
        return data
    rendered = await _render(session, conversation, sender, channel, template)
    unfilled = rendered.missing + rendered.withheld
    if unfilled:
        raise InvalidRequest(
            f"template {data.template_id} has placeholders that cannot be filled for this "
            f"conversation: {', '.join(unfilled)}; send your own text instead",
            field="template_id",
        )
    subject = data.subject or (None if target_subject else rendered.subject)
    return data.model_copy(update={"text": rendered.text, "subject": subject})


async def _usable(session: AsyncSession, template_id: int) -> ReplyTemplate:
    """The template of a reply; unknown or inactive is a 422 (the id comes in the body)."""
    template = await session.get(ReplyTemplate, template_id)
    if template is None or not template.active:
        state = "does not exist" if template is None else "is inactive"
        raise InvalidRequest(f"template {template_id} {state}", field="template_id")
    return template


async def _render(
    session: AsyncSession,
    conversation: Conversation,
    sender: Advisor | None,
    channel: str,
    template: ReplyTemplate,
) -> Rendered:
    assert conversation.id is not None
    context = await _context(
        session, conversation, sender, await _said(session, conversation.id), channel
    )
    rendered = render(template.variants, context)
    if rendered is None:
        raise InvalidRequest(
            f"template {template.id} has no variant for this channel and language, nor in English",
            field="template_id",
        )
    return rendered


async def suggestions(
    db: Database, conversation_id: int, viewer: Principal, limit: int
) -> list[TemplateSuggestion]:
    """Active templates for the conversation's latest customer message, best first."""
    async with db.read_session() as session:
        conversation = await conversations.visible(session, conversation_id, viewer)
        said = await _said(session, conversation_id)
        sender = await session.get(Advisor, viewer.id)
        channel = said[0].channel if said else str(conversation.channel)
        context = await _context(session, conversation, sender, said, channel)
        templates = (
            await session.scalars(
                select(ReplyTemplate)
                .where(col(ReplyTemplate.active).is_(True))
                .order_by(col(ReplyTemplate.id))
                .limit(MAX_TEMPLATES)
            )
        ).all()
    rendered = {t.id: (t, r) for t in templates if (r := render(t.variants, context)) is not None}
    message = said[0] if said else None
    intent = (message.classification or {}).get("intent") if message else None
    candidates = [
        Candidate(id=i, intent=t.intent, text=f"{t.name}\n{r.body}")
        for i, (t, r) in rendered.items()
        if i is not None
    ]
    ranked = rank(message.text if message else "", intent or conversation.intent, candidates, limit)
    return [_suggestion(*rendered[r.id], r.score, r.similarity, r.reasons) for r in ranked]


def _suggestion(
    template: ReplyTemplate,
    rendered: Rendered,
    score: float,
    similarity: float,
    reasons: list[str],
) -> TemplateSuggestion:
    return TemplateSuggestion(
        template_id=template.id or 0,
        name=template.name,
        intent=template.intent,
        score=score,
        similarity=similarity,
        reasons=reasons,
        channel_kind=rendered.channel_kind,
        language=rendered.language,
        variant_kind=rendered.variant_kind,
        fallback=rendered.fallback,
        subject=rendered.subject,
        text=rendered.text,
        missing=rendered.missing,
        withheld=rendered.withheld,
        sendable=rendered.sendable,
    )
