"""An advisor's queue: the waiting conversations they are eligible for, in the order they
would take them (router.routing.queue's classes and heads, ranked by ``skills.queue.rank``).

Eligibility here is by what the advisor *is* (channels, languages, team, skills), not by
their load now: a full or away advisor still sees what waits for them, each item saying
whether a take or claim would be refused now and why. Conversations they declined (or let
expire) stay out while they are kept away. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as columns
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from router.models import Conversation, Customer, Message
from router.routing import queue
from router.routing.config import RoutingPolicy
from skills import (
    AdvisorProfile,
    AdvisorStatus,
    Head,
    QueueClass,
    Situation,
    effective_priority,
    exclusion_reason,
    parse_class,
    rank,
)

PREVIEW_CHARS = 160


@dataclass(frozen=True, slots=True)
class Entry:
    """One conversation of the queue, ranked."""

    position: int  # 1-based
    head: Head
    cls: QueueClass


def as_if_free(advisor: AdvisorProfile) -> AdvisorProfile:
    """The advisor judged on what they are, not on their load or care state now."""
    return replace(
        advisor,
        status=AdvisorStatus.AVAILABLE,
        load_total=0,
        load_per_channel={},
        intense_load=0,
        last_intense_ended_at=None,
    )


_MARGIN = timedelta(seconds=1)  # read a little more rather than miss a member to rounding


async def ranked(
    session: AsyncSession, advisor: AdvisorProfile, policy: RoutingPolicy, now: datetime, count: int
) -> list[Entry]:
    """The first ``count`` conversations of ``advisor``'s queue, best first."""
    firsts, avoided = await queue.fitting_keys_and_avoided(
        session, as_if_free(advisor), policy, now
    )
    if not firsts or count <= 0:
        return []
    moment, ageing = now.timestamp(), policy.queue.ageing_per_minute
    heads = await queue.class_heads(session, firsts, avoided)
    # A class's members rank behind its head (a class's members keep their age order in
    # any ranking), so behind the heads ranked before it: a class whose head is j-th among
    # the heads has at most count - j + 1 members among the first ``count`` of the queue.
    leading = rank([h for _k, h in heads], moment, ageing)[:count]
    place = {h.conversation_id: j for j, h in enumerate(leading, start=1)}
    bar = _bar(leading, count, moment, ageing)
    wanted = [
        (
            key,
            count - place[head.conversation_id] + 1 + len(avoided),
            _since_bound(head.queue_priority, bar, now, ageing),
        )
        for key, head in heads
        if head.conversation_id in place
    ]
    members = await queue.class_members(session, wanted)
    by_id = {head.conversation_id: key for key, head in members}
    candidates = [head for _key, head in members if head.conversation_id not in avoided]
    best = rank(candidates, moment, ageing)[:count]
    return [
        Entry(i, head, parse_class(by_id[head.conversation_id]))
        for i, head in enumerate(best, start=1)
    ]


def _bar(leading: Sequence[Head], count: int, moment: float, ageing: float) -> float | None:
    """The effective priority of the ``count``-th head, when there are that many: the
    ``count``-th of the queue ranks no lower (heads are members), so a member below it
    cannot be among the first ``count``."""
    if len(leading) < count:
        return None
    last = leading[-1]
    return effective_priority(last.queue_priority, moment - last.waiting_since, ageing)


def _since_bound(priority: int, bar: float | None, now: datetime, ageing: float) -> datetime:
    """The latest ``waiting_since`` at which a member of a class of this queue priority
    still reaches ``bar`` by ageing (members that waited less rank below it): the members
    read per class are those that can enter the page, not all its bound allows."""
    if bar is None or ageing <= 0 or bar <= priority:
        return now + timedelta(days=1)  # no bound: every member up to the count
    return now - timedelta(minutes=(bar - priority) / ageing) + _MARGIN


def refusal_now(
    advisor: AdvisorProfile, entry: Entry, policy: RoutingPolicy, now: datetime
) -> str | None:
    """Why taking this conversation now would be refused (status, capacity, care), or None."""
    situation = Situation(now=now.timestamp(), intense=entry.cls.intense, care=policy.care)
    return exclusion_reason(advisor, entry.cls.requirements, situation)


def first_takeable(
    entries: Sequence[Entry],
    advisor: AdvisorProfile,
    policy: RoutingPolicy,
    now: datetime,
    count: int,
) -> dict[int, int]:
    """The first ``count`` conversations of the queue the advisor could take now (id ->
    position): what a team's pick limit lets them claim. Those they cannot take now (a
    channel full, a cool-down) do not use up the limit."""
    found: dict[int, int] = {}
    for entry in entries:
        if len(found) == count:
            break
        if refusal_now(advisor, entry, policy, now) is None:
            found[entry.head.conversation_id] = entry.position
    return found


@dataclass(frozen=True, slots=True)
class Details:
    """What the advisor sees of a waiting conversation besides its place."""

    customer_id: int
    customer_name: str | None
    channel: str
    language: str | None
    intent: str | None
    emotion: str | None
    emotion_intensity: float | None
    intense: bool
    waiting_since: datetime
    first_response_due_at: datetime | None
    preview: str


def _latest_inbound() -> Any:
    """The id of the conversation's latest customer message (correlated, one index seek)."""
    other = aliased(Message)
    return (
        columns(func.max(other.id))
        .where(
            col(other.conversation_id) == col(Conversation.id), col(other.direction) == "inbound"
        )
        .correlate(Conversation)
        .scalar_subquery()
    )


async def details(session: AsyncSession, ids: Sequence[int]) -> dict[int, Details]:
    """Customer name, readings, SLA due time and latest customer message of these
    conversations (one statement whatever the page size)."""
    if not ids:
        return {}
    fields: tuple[Any, ...] = (
        Conversation.id,
        Conversation.customer_id,
        Customer.display_name,
        Conversation.channel,
        Conversation.language,
        Conversation.intent,
        Conversation.emotion,
        Conversation.emotion_intensity,
        Conversation.intense,
        Conversation.waiting_since,
        Conversation.created_at,
        Conversation.first_response_due_at,
        Message.subject,
        Message.text,
    )
    rows = await session.execute(
        columns(*fields)
        .join(Customer, col(Customer.id) == col(Conversation.customer_id))
        .outerjoin(Message, col(Message.id) == _latest_inbound())
        .where(col(Conversation.id).in_(list(ids)))
    )
    found: dict[int, Details] = {}
    for row in rows:
        subject, words = row[12], row[13]
        found[int(row[0])] = Details(
            customer_id=row[1],
            customer_name=row[2],
            channel=str(row[3]),
            language=row[4],
            intent=row[5],
            emotion=row[6],
            emotion_intensity=row[7],
            intense=bool(row[8]),
            waiting_since=row[9] or row[10],
            first_response_due_at=row[11],
            preview="" if words is None else shorten(f"{subject} — {words}" if subject else words),
        )
    return found


def shorten(text: str) -> str:
    """One line of at most PREVIEW_CHARS characters, cut at a word when it can be."""
    line = " ".join(text.split())
    if len(line) <= PREVIEW_CHARS:
        return line
    cut = line[: PREVIEW_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > PREVIEW_CHARS // 2 else cut) + "…"
