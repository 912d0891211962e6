"""The advisor's context card: who the customer is and what they already said, in one call.

Bounded work whatever the customer's history: a fixed number of queries, each on an index
(conversation (customer_id, id), message (conversation_id, id), event (customer_id, id)),
reading at most the latest ``RECENT`` conversations, the latest ``CURRENT_MESSAGES`` customer
messages of this conversation (plus its first few, which state the problem) and the latest
``OTHER_MESSAGES`` of each other recent conversation, texts cut to ``MAX_SCAN`` in SQL.

Access is that of the conversation (404 when the caller may not see it). The card then
shows the customer's recent conversations and the facts they gave in them even when another
team handled them: metadata and extracted facts only, never other conversations' texts or
notes (those are on the timeline, which checks each conversation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, not_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from router.customers.facts import MAX_SCAN, extract_facts_each
from router.customers.identities import list_identities
from router.customers.schemas import (
    CardAdvisor,
    CardConversation,
    CardCustomer,
    CardFact,
    CardIdentity,
    CardReading,
    ContextCard,
)
from router.customers.summary import summarize
from router.errors import NotFound
from router.models import Advisor, Conversation, CsatSurvey, Customer, Event, Message
from router.models.conversations import MessageStatus, ticket_status
from router.models.tickets import ConversationTag
from router.security.principal import Principal
from router.store import Database
from router.tickets import conversations

RECENT = 10
CURRENT_MESSAGES, FIRST_MESSAGES, OTHER_MESSAGES = 200, 3, 10
MAX_FACTS = 20
FACT_CHARS = 60_000  # total text read for facts: a few pages of what the customer wrote
FACT_BATCH = 8  # messages read in one pass; reading stops once MAX_FACTS are found


@dataclass(frozen=True, slots=True)
class _Said:
    """A customer message as read for the card (its text already cut to MAX_SCAN)."""

    id: int
    conversation_id: int
    text: str
    at: datetime
    classification: dict[str, Any] | None

    @classmethod
    def of(cls, row: Row[Any]) -> _Said:
        return cls(row.id, row.conversation_id, row.text or "", row.received_at, row.classification)


def _customer_messages(conversation_id: int, *, newest: bool, limit: int) -> Any:
    order = col(Message.id).desc() if newest else col(Message.id)
    return (
        select(
            col(Message.id),
            col(Message.conversation_id),
            func.substr(col(Message.text), 1, MAX_SCAN).label("text"),
            col(Message.received_at),
            col(Message.classification),
        )
        .where(
            col(Message.conversation_id) == conversation_id,
            col(Message.direction) == "inbound",
            col(Message.status) != MessageStatus.held,
        )
        .order_by(order)
        .limit(limit)
        .subquery()
    )


async def _messages(session: AsyncSession, current: int, others: Sequence[int]) -> list[_Said]:
    """One query: the bounded slices of every conversation's customer messages, newest first."""
    parts = [
        _customer_messages(current, newest=True, limit=CURRENT_MESSAGES),
        _customer_messages(current, newest=False, limit=FIRST_MESSAGES),
        *(_customer_messages(i, newest=True, limit=OTHER_MESSAGES) for i in others),
    ]
    rows = (await session.execute(union_all(*(select(p) for p in parts)))).all()
    unique = {row.id: _Said.of(row) for row in rows}
    return sorted(unique.values(), key=lambda m: m.id, reverse=True)


async def _csat(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    rows = await session.execute(
        select(col(CsatSurvey.conversation_id), col(CsatSurvey.score))
        .where(col(CsatSurvey.conversation_id).in_(ids), col(CsatSurvey.score).is_not(None))
        .order_by(col(CsatSurvey.id))
    )
    return {cid: score for cid, score in rows.all() if score is not None}  # the latest wins


async def _last_advisor(session: AsyncSession, conversation: Conversation) -> CardAdvisor | None:
    """The latest assignment of the customer, other than this conversation's current one."""
    query = (
        select(
            col(Event.advisor_id),
            col(Event.created_at),
            col(Event.conversation_id),
            col(Advisor.name),
        )
        .join(Advisor, col(Advisor.id) == col(Event.advisor_id))
        .where(
            col(Event.customer_id) == conversation.customer_id,
            col(Event.type) == "conversation.assigned",
        )
        .order_by(col(Event.id).desc())
        .limit(1)
    )
    if conversation.assignee_id is not None:
        query = query.where(
            not_(
                and_(
                    col(Event.conversation_id) == conversation.id,
                    col(Event.advisor_id) == conversation.assignee_id,
                )
            )
        )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    advisor_id, at, conversation_id, name = row
    return CardAdvisor(id=advisor_id, name=name, at=at, conversation_id=conversation_id)


def _recent(
    rows: Sequence[Conversation], current: int, scores: dict[int, int]
) -> list[CardConversation]:
    return [
        CardConversation(
            id=c.id or 0,
            current=c.id == current,
            status=c.status,
            ticket_status=ticket_status(c.status, c.first_response_at),
            channel=c.channel,
            intent=c.intent,
            created_at=c.created_at,
            resolved_at=c.resolved_at,
            closed_at=c.closed_at,
            outcome=c.status_reason,
            csat_score=scores.get(c.id or 0),
        )
        for c in rows
    ]


def _facts(messages: Sequence[_Said]) -> list[CardFact]:
    """In the order given (this conversation's messages, then the others', newest first),
    each fact once (its latest mention), at most MAX_FACTS."""
    facts: list[CardFact] = []
    seen: set[tuple[str, str]] = set()
    budget = FACT_CHARS
    for start in range(0, len(messages), FACT_BATCH):
        if budget <= 0 or len(facts) == MAX_FACTS:
            break
        batch = messages[start : start + FACT_BATCH]
        found = extract_facts_each(
            [m.text for m in batch], budget=budget, sent=[m.at.date() for m in batch]
        )
        budget -= sum(len(m.text) for m in batch)
        for message, message_facts in zip(batch, found, strict=True):
            for fact in message_facts:
                if (fact.kind, fact.value) in seen or len(facts) == MAX_FACTS:
                    continue
                seen.add((fact.kind, fact.value))
                facts.append(
                    CardFact(
                        kind=fact.kind,
                        value=fact.value,
                        raw=fact.raw,
                        conversation_id=message.conversation_id,
                        message_id=message.id,
                        at=message.at,
                    )
                )
    return facts


def _reading(conversation: Conversation, mine: Sequence[_Said]) -> CardReading:
    for message in mine:  # newest first
        read = message.classification
        if read and read.get("intent"):
            return CardReading(
                intent=read.get("intent"),
                intent_confidence=read.get("intent_confidence"),
                emotion=read.get("emotion"),
                emotion_intensity=read.get("emotion_intensity"),
                language=read.get("language"),
                message_id=message.id,
            )
    return CardReading(
        intent=conversation.intent,
        emotion=conversation.emotion,
        emotion_intensity=conversation.emotion_intensity,
        language=conversation.language,
    )


def _customer(customer: Customer) -> CardCustomer:
    return CardCustomer(
        id=customer.id or 0,
        name=customer.display_name,
        tier=customer.tier,
        email=customer.email,
        phone=customer.phone,
    )


async def _recent_conversations(session: AsyncSession, customer_id: int) -> Sequence[Conversation]:
    query = (
        select(Conversation)
        .where(col(Conversation.customer_id) == customer_id)
        .order_by(col(Conversation.id).desc())
        .limit(RECENT)
    )
    return (await session.scalars(query)).all()


async def _tags(session: AsyncSession, conversation_id: int) -> list[str]:
    query = (
        select(col(ConversationTag.tag))
        .where(col(ConversationTag.conversation_id) == conversation_id)
        .order_by(col(ConversationTag.tag))
    )
    return list(await session.scalars(query))


async def context_card(db: Database, conversation_id: int, viewer: Principal) -> ContextCard:
    """Everything the advisor reads before answering (404 if the caller may not see it)."""
    async with db.read_session() as session:
        conversation = await conversations.visible(session, conversation_id, viewer)
        customer = await session.get(Customer, conversation.customer_id)
        if customer is None:  # a foreign key: cannot happen; a clear error if it ever does
            raise NotFound(f"customer {conversation.customer_id} does not exist")
        identities = await list_identities(session, conversation.customer_id)
        recent = await _recent_conversations(session, conversation.customer_id)
        ids = [c.id for c in recent if c.id is not None]
        said = await _messages(session, conversation_id, [i for i in ids if i != conversation_id])
        scores = await _csat(session, ids)
        last_advisor = await _last_advisor(session, conversation)
        tags = await _tags(session, conversation_id)
    mine = [m for m in said if m.conversation_id == conversation_id]
    theirs = [m for m in said if m.conversation_id != conversation_id]
    return ContextCard(
        conversation_id=conversation_id,
        customer=_customer(customer),
        identities=[
            CardIdentity(channel=i.channel, address=i.address, display_name=i.display_name)
            for i in identities
        ],
        conversations=_recent(recent, conversation_id, scores),
        last_advisor=last_advisor,
        facts=_facts([*mine, *theirs]),
        summary=summarize([m.text for m in reversed(mine)]),
        reading=_reading(conversation, mine),
        tags=tags,
    )
