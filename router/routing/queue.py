"""The waiting room in SQL: conversations filed by class, the best one for an advisor found
with index seeks, and urgency kept current. Never commits.

The plan follows ``skills.queue`` (read it first): an advisor fits every class of a fit key
or none, and the oldest conversation of a class is its best. A pull therefore reads the fit
keys waiting now in the key ranges of the languages the advisor speaks (a loose index scan
on ``ix_conversation_class``: one seek per range and per fit key, jumping over its classes,
written as a recursive CTE that SQLite and PostgreSQL both run; the ranges rely on keys
sorting bytewise), keeps those the advisor fits (pure), reads their classes and the head of
each (one seek per class, two per head, in one statement), ranks the heads by effective
priority (pure) and locks the best with ``SKIP LOCKED``. The cost grows with the number of
fit keys and of the classes the advisor fits, not with the number of waiting conversations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, column, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict
from router.models import Conversation, RoutingExclusion
from router.models.channels import Channel
from router.models.conversations import ConversationStatus
from router.routing.config import RoutingPolicy
from router.store.types import UTCDateTime
from router.tickets import tags
from skills import (
    AdvisorProfile,
    Head,
    QueueClass,
    Requirements,
    class_range,
    fit_ranges,
    parse_class,
    push_refusal,
    rank,
)

_SEEDS_PER_QUERY = 100
_CHANNELS = tuple(channel.value for channel in Channel)
_REFRESH_BATCH = 500

# The first class of every fit key: one seek per fit key, skipping the rest of its range
# (class keys end with four digits of queue priority, see skills.queue.class_range).
_FIT_KEYS = text(
    """
    WITH RECURSIVE firsts(k) AS (
        SELECT MIN(queue_class) FROM conversation WHERE status = 'waiting'
        UNION ALL
        SELECT (SELECT MIN(c.queue_class) FROM conversation c
                WHERE c.status = 'waiting'
                  AND c.queue_class > substr(firsts.k, 1, length(firsts.k) - 4) || '9999')
        FROM firsts WHERE firsts.k IS NOT NULL
    )
    SELECT k FROM firsts WHERE k IS NOT NULL
    """
)


def _fit_keys_sql(count: int) -> str:
    """The first class of every fit key within ``count`` key ranges [:lI, :hI): the same
    loose index scan as _FIT_KEYS, bounded by each range (skills.queue.fit_ranges)."""
    seeds = ", ".join(f"(CAST(:l{i} AS VARCHAR), CAST(:h{i} AS VARCHAR))" for i in range(count))
    return f"""
        WITH RECURSIVE ranges(low, high) AS (VALUES {seeds}),
        firsts(k, high) AS (
            SELECT (SELECT MIN(c.queue_class) FROM conversation c
                    WHERE c.status = 'waiting'
                      AND c.queue_class >= ranges.low AND c.queue_class < ranges.high),
                   ranges.high
            FROM ranges
            UNION ALL
            SELECT (SELECT MIN(c.queue_class) FROM conversation c
                    WHERE c.status = 'waiting'
                      AND c.queue_class > substr(firsts.k, 1, length(firsts.k) - 4) || '9999'
                      AND c.queue_class < firsts.high),
                   firsts.high
            FROM firsts WHERE firsts.k IS NOT NULL
        )
        """


@lru_cache(maxsize=16)
def _fit_keys_and_avoided_in(count: int) -> Any:
    """The fit keys' first classes within ``count`` key ranges (k) and, in the same round
    trip, the conversations advisor :advisor is kept away from at :now (avoided)."""
    return (
        text(
            _fit_keys_sql(count)
            + """SELECT k, CAST(NULL AS INTEGER) AS avoided FROM firsts WHERE k IS NOT NULL
            UNION ALL
            SELECT NULL, x.conversation_id FROM routing_exclusion x
            WHERE x.advisor_id = :advisor AND x.expires_at > :now"""
        )
        .bindparams(bindparam("now", type_=UTCDateTime))
        .columns(column("k", String), column("avoided", Integer))
    )


# The oldest member of a class not skipped: the head's id and its waiting time are read by
# two seeks of this one index range (index only), each evaluated once per class.
_HEAD = """(SELECT h.{column} FROM conversation h
        WHERE h.status = 'waiting' AND h.queue_class = levels.k AND h.id NOT IN :skip
        ORDER BY h.waiting_since, h.id LIMIT 1)"""


@lru_cache(maxsize=_SEEDS_PER_QUERY)
def _heads_of(count: int) -> Any:
    """The head (oldest member not skipped) of every class of ``count`` fit keys, each given
    as its (first class, last possible class) range: one seek per class, two per head. A
    class whose members are all skipped comes back with no head."""
    seeds = ", ".join(f"(CAST(:k{i} AS VARCHAR), CAST(:s{i} AS VARCHAR))" for i in range(count))
    return (
        text(
            f"""
            WITH RECURSIVE levels(k, stop) AS (
                VALUES {seeds}
                UNION ALL
                SELECT (SELECT MIN(c.queue_class) FROM conversation c
                        WHERE c.status = 'waiting'
                          AND c.queue_class > levels.k AND c.queue_class <= levels.stop),
                       levels.stop
                FROM levels WHERE levels.k IS NOT NULL
            )
            SELECT {_HEAD.format(column="id")}, levels.k, {_HEAD.format(column="waiting_since")}
            FROM levels WHERE levels.k IS NOT NULL
            """
        )
        .bindparams(bindparam("skip", expanding=True))
        .columns(
            column("head", Integer),
            column("k", String),
            column("waiting_since", UTCDateTime),
        )
    )


def refile(conversation: Conversation, policy: RoutingPolicy, now: datetime) -> None:
    """File a conversation under the class its requirements, intensity and queue priority
    give now, and note when its urgency rises next. Call after any of them changed."""
    if not conversation.requirements:
        return  # not routed yet: routing files it
    since_message = (now - conversation.last_message_at).total_seconds()
    channel = str(conversation.channel)
    urgency = policy.queue.urgency(channel, since_message)
    rise = policy.queue.next_rise(channel, since_message)
    conversation.urgency_points = urgency
    conversation.urgency_due_at = None if rise is None else now + timedelta(seconds=rise)
    requirements = Requirements.from_dict(conversation.requirements)
    intense = conversation.intense
    priority = policy.queue.queue_priority(conversation.priority, urgency, intense)
    cls = QueueClass(requirements, intense, priority)
    conversation.queue_class = cls.key


def _range_params(advisor: AdvisorProfile) -> dict[str, Any]:
    ranges = fit_ranges(_CHANNELS, advisor.languages)
    params: dict[str, Any] = {}
    for i, (low, high) in enumerate(ranges):
        params[f"l{i}"], params[f"h{i}"] = low, high
    return params


def _fitting(
    firsts: Sequence[str], advisor: AdvisorProfile, policy: RoutingPolicy, now: datetime
) -> list[str]:
    moment = now.timestamp()
    return [key for key in firsts if parse_class(key).fits(advisor, moment, policy.care)]


async def fitting_keys_and_avoided(
    session: AsyncSession, advisor: AdvisorProfile, policy: RoutingPolicy, now: datetime
) -> tuple[list[str], set[int]]:
    """The first class of each fit key waiting now that ``advisor`` fits (read only in the
    key ranges of the languages they speak), and the conversations they are kept away from
    (declined or let expire) until later: one statement."""
    params = _range_params(advisor)
    statement = _fit_keys_and_avoided_in(len(params) // 2)
    rows = await session.execute(statement, {**params, "advisor": advisor.id, "now": now})
    firsts: list[str] = []
    avoided: set[int] = set()
    for key, conversation_id in rows:
        if key is not None:
            firsts.append(key)
        else:
            avoided.add(int(conversation_id))
    return _fitting(firsts, advisor, policy, now), avoided


async def heads(session: AsyncSession, firsts: Sequence[str], skip: set[int]) -> list[Head]:
    """The heads of every class of these fit keys (given by their first class), ``skip``
    aside."""
    return [head for _key, head in await class_heads(session, firsts, skip)]


@lru_cache(maxsize=4096)
def _last_class(first: str) -> str:
    """The highest class key the fit key of this class can have."""
    return class_range(parse_class(first).fit_key)[1]


async def class_heads(
    session: AsyncSession, firsts: Sequence[str], skip: set[int]
) -> list[tuple[str, Head]]:
    """Every class of these fit keys with its head (``skip`` aside), by class key."""
    found: list[tuple[str, Head]] = []
    for start in range(0, len(firsts), _SEEDS_PER_QUERY):
        chunk = firsts[start : start + _SEEDS_PER_QUERY]
        params: dict[str, Any] = {"skip": sorted(skip) or [0]}  # ids start at 1
        for i, key in enumerate(chunk):
            params[f"k{i}"] = key
            params[f"s{i}"] = _last_class(key)
        for conversation_id, key, since in await session.execute(_heads_of(len(chunk)), params):
            if conversation_id is not None:
                head = Head(conversation_id, parse_class(key).queue_priority, since.timestamp())
                found.append((key, head))
    return found


@lru_cache(maxsize=_SEEDS_PER_QUERY)
def _firsts_of(count: int) -> Any:
    """The first ``:nI`` members of each of ``count`` classes ``:cI`` that waited since
    ``:wI`` or before, oldest first in each: one index range read per class."""
    parts = " UNION ALL ".join(
        f"SELECT * FROM (SELECT id, queue_class, waiting_since FROM conversation "
        f"WHERE status = 'waiting' AND queue_class = :c{i} AND waiting_since <= :w{i} "
        f"ORDER BY waiting_since, id LIMIT :n{i}) AS t{i}"
        for i in range(count)
    )
    since = [bindparam(f"w{i}", type_=UTCDateTime) for i in range(count)]
    return (
        text(parts)
        .bindparams(*since)
        .columns(
            column("id", Integer),
            column("queue_class", String),
            column("waiting_since", UTCDateTime),
        )
    )


async def class_members(
    session: AsyncSession, wanted: Sequence[tuple[str, int, datetime]]
) -> list[tuple[str, Head]]:
    """The oldest members of each class, as many as asked for it, among those waiting
    since the given moment or before: (class key, how many, since)."""
    found: list[tuple[str, Head]] = []
    for start in range(0, len(wanted), _SEEDS_PER_QUERY):
        chunk = wanted[start : start + _SEEDS_PER_QUERY]
        params: dict[str, Any] = {}
        for i, (key, count, since) in enumerate(chunk):
            params[f"c{i}"], params[f"n{i}"], params[f"w{i}"] = key, count, since
        for conversation_id, key, since in await session.execute(_firsts_of(len(chunk)), params):
            head = Head(conversation_id, parse_class(key).queue_priority, since.timestamp())
            found.append((key, head))
    return found


async def claim(
    session: AsyncSession,
    advisor: AdvisorProfile,
    policy: RoutingPolicy,
    now: datetime,
    *,
    pushed: bool = False,
    explain_contention: bool = False,
) -> Conversation | None:
    """The best waiting conversation ``advisor`` fits, locked (``SKIP LOCKED``), or None.

    The caller assigns or offers it. A conversation changed or taken since its class was
    read is skipped and the search goes on. ``pushed``: the router gives it (the advisor
    did not ask), so their team's mode applies (a blended team's wait threshold).
    ``explain_contention``: the advisor asked (take next); when every fitting conversation
    was held by another transaction, say so (409, try again) rather than "nothing fits".
    """
    firsts, skip = await fitting_keys_and_avoided(session, advisor, policy, now)
    contended = False
    while firsts:
        moment = now.timestamp()
        found = await heads(session, firsts, skip)
        if pushed:  # a head is its class's oldest: if it waited too little, all its class did
            found = [h for h in found if push_refusal(advisor, moment - h.waiting_since) is None]
        if not found:
            break
        for head in rank(found, moment, policy.queue.ageing_per_minute):
            conversation = await lock_waiting(session, head.conversation_id)
            skip.add(head.conversation_id)
            if conversation is None:
                contended = True  # held by another transaction (or taken meanwhile)
            elif _still_fits(conversation, advisor, policy, now):
                return conversation
    # Only a person asking (take next) hears of it, and only where rows are locked: on
    # SQLite the whole database is this transaction's, so a head gone is simply taken.
    if contended and explain_contention and session.get_bind().dialect.name != "sqlite":
        raise Conflict(
            "the waiting conversations this advisor fits are being routed at this moment; "
            "try again",
            field="advisor_id",
        )
    return None


def requirements_of(conversation: Conversation) -> Requirements:
    """What a filed conversation asks of an advisor (its class names the same)."""
    return Requirements.from_dict(conversation.requirements)


def _still_fits(
    conversation: Conversation, advisor: AdvisorProfile, policy: RoutingPolicy, now: datetime
) -> bool:
    """The locked row is the truth: its class may have changed since it was read."""
    if conversation.queue_class is None:
        return False
    return parse_class(conversation.queue_class).fits(advisor, now.timestamp(), policy.care)


async def lock_waiting(session: AsyncSession, conversation_id: int) -> Conversation | None:
    result: Conversation | None = await session.scalar(
        select(Conversation)
        .where(
            col(Conversation.id) == conversation_id,
            col(Conversation.status) == ConversationStatus.waiting,
        )
        .with_for_update(skip_locked=True, key_share=True)
        .execution_options(populate_existing=True)
    )
    return result


def _avoided_clause(conversation_id: Any, advisor_id: Any, now: Any) -> Any:
    return (
        select(RoutingExclusion.conversation_id)
        .where(
            col(RoutingExclusion.conversation_id) == conversation_id,
            col(RoutingExclusion.advisor_id) == advisor_id,
            col(RoutingExclusion.expires_at) > now,
        )
        .exists()
        .label("avoided")
    )


@lru_cache(maxsize=1)
def _lock_waiting_avoided() -> Any:
    """lock_waiting's statement, also telling whether the advisor is kept away from it
    (what fitting_keys_and_avoided would say of it) and the conversation's tags. Built
    once."""
    conversation_id: Any = bindparam("conversation_id")
    return (
        select(
            Conversation,
            _avoided_clause(col(Conversation.id), bindparam("advisor_id"), bindparam("now")),
            tags.joined_column().label("tags"),
        )
        .where(
            col(Conversation.id) == conversation_id,
            col(Conversation.status) == ConversationStatus.waiting,
        )
        .with_for_update(skip_locked=True, key_share=True)
        .execution_options(populate_existing=True)
    )


@dataclass(frozen=True, slots=True)
class Locked:
    """A waiting conversation locked for a claim, with what the claim needs besides."""

    conversation: Conversation
    avoided: bool  # the advisor is kept away from it now
    tags: list[str]  # read with the lock: changing tags locks the conversation first


async def lock_waiting_avoided(
    session: AsyncSession, conversation_id: int, advisor_id: int, now: datetime
) -> Locked | None:
    """The waiting conversation locked as lock_waiting locks it (None likewise), with
    whether ``advisor_id`` is kept away from it now and its tags, in one statement."""
    row = (
        await session.execute(
            _lock_waiting_avoided(),
            {"conversation_id": conversation_id, "advisor_id": advisor_id, "now": now},
        )
    ).first()
    if row is None:
        return None
    return Locked(row[0], bool(row[1]), tags.split_joined(row[2]))


async def refresh_due(session: AsyncSession, policy: RoutingPolicy, now: datetime) -> int:
    """Refile waiting conversations whose urgency rose, or that have no class yet (written
    before classes existed). Claimed with SKIP LOCKED: schedulers share the work."""
    rows = (
        await session.scalars(
            select(Conversation)
            .where(
                col(Conversation.status) == ConversationStatus.waiting,
                (col(Conversation.urgency_due_at) <= now) | col(Conversation.queue_class).is_(None),
            )
            .limit(_REFRESH_BATCH)
            .with_for_update(skip_locked=True, key_share=True)
        )
    ).all()
    for conversation in rows:
        refile(conversation, policy, now)
    return len(rows)
