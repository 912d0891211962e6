"""The pipeline use case on a whole batch at once, without the worker around it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from router.models import Advisor, Assignment, Conversation, Message
from router.models.advisors import AdvisorStatus
from router.pipeline.inbound import process_inbound
from router.settings import Settings
from router.store import Database


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url)
    yield database
    await database.dispose()


async def _store(db: Database, rows: list[tuple[str, str]]) -> list[int]:
    async with db.session() as session:
        messages = [
            Message(channel="chat", external_id=f"{sender}-{i}", sender_address=sender, text=text)
            for i, (sender, text) in enumerate(rows)
        ]
        session.add_all(messages)
        await session.commit()
        return [m.id for m in messages if m.id is not None]


async def test_a_batch_never_exceeds_capacity(db: Database) -> None:
    async with db.session() as session:
        session.add(
            Advisor(
                name="Only",
                email="only@example.com",
                languages=["en"],
                status=AdvisorStatus.AVAILABLE,
                capacity_total=2,
            )
        )
        await session.commit()
    ids = await _store(db, [(f"c{i}", "Hello, I need some help please") for i in range(5)])
    outcome = await process_inbound(db, ids)
    assert outcome.processed == 5 and outcome.assigned == 2
    async with db.session() as session:
        statuses = (await session.scalars(select(Conversation.status))).all()
        live = await session.scalar(select(func.count()).select_from(Assignment))
    assert sorted(statuses) == ["assigned", "assigned", "waiting", "waiting", "waiting"]
    assert live == 2


async def test_one_senders_messages_in_a_batch_share_a_conversation_in_order(
    db: Database,
) -> None:
    ids = await _store(db, [("same", f"message {i}") for i in range(4)] + [("other", "hi")])
    # Delivered in reverse: the database order (arrival) still wins.
    outcome = await process_inbound(db, list(reversed(ids)))
    assert outcome.processed == 5
    again = await process_inbound(db, ids)
    assert again.processed == 0  # redelivery is a no-op
    async with db.session() as session:
        rows = (
            await session.execute(
                select(Message.id, Message.conversation_id)
                .where(col(Message.sender_address) == "same")
                .order_by(col(Message.id))
            )
        ).all()
        conversations = await session.scalar(select(func.count()).select_from(Conversation))
    assert [message_id for message_id, _ in rows] == ids[:4]
    assert len({conversation_id for _, conversation_id in rows}) == 1
    assert conversations == 2


async def test_batch_routing_rechecks_capacity_after_a_race(db: Database) -> None:
    """The snapshot says an advisor is free, another worker fills them before the lock: the
    batch must fall back and then keep counting the fallback's assignments."""
    if db.is_sqlite:
        pytest.skip("SQLite serialises writers (one writer connection): this race cannot occur")
    from router.models import Customer
    from router.models.channels import Channel
    from router.routing.assignment import RoutingContext, assign, route_batch
    from router.routing.profiles import locked_profile
    from skills import Facts

    async with db.session() as session:
        first = Advisor(
            name="A",
            email="a@example.com",
            languages=["en"],
            status=AdvisorStatus.AVAILABLE,
            capacity_total=1,
        )
        second = Advisor(
            name="B",
            email="b@example.com",
            languages=["en"],
            status=AdvisorStatus.AVAILABLE,
            capacity_total=2,
        )
        customers = [Customer() for _ in range(4)]
        session.add_all([first, second, *customers])
        await session.flush()
        conversations = [
            Conversation(customer_id=c.id or 0, channel=Channel.chat) for c in customers
        ]
        session.add_all(conversations)
        await session.commit()
        ids = [c.id for c in conversations]

    async with db.session() as routing:
        context = await RoutingContext.load(routing, returning_customers=[])
        await context.candidates(routing)  # the snapshot: both advisors free
        async with db.session() as other:  # another worker fills A and half of B meanwhile
            for conversation_id, advisor_id in ((ids[2], first.id), (ids[3], second.id)):
                taken = await other.get(Conversation, conversation_id)
                advisor = await locked_profile(other, advisor_id or 0)
                assert taken is not None and advisor is not None
                await assign(other, taken, advisor, mode="push", explanation={})
            await other.commit()
        # Planned on the stale snapshot: the first to A (tie, lower id), the second to B.
        # A is full: the first falls back to B's last slot; the second must then wait.
        items = []
        for conversation_id in ids[:2]:
            conversation = await routing.get(Conversation, conversation_id)
            assert conversation is not None
            items.append(
                (conversation, Facts(channel="chat", language="en", intent=None, text="Hello"))
            )
        decisions = await route_batch(routing, items, context)
        await routing.commit()

    # Both matched the default rule, whose policy depends on what earlier tests left there.
    outcomes = {outcome: count for (outcome, _policy), count in decisions.items()}
    assert outcomes == {"assigned": 1, "waiting": 1}
    assert len({policy for _outcome, policy in decisions}) == 1
    async with db.session() as session:
        loads = dict(
            (
                await session.execute(
                    select(Assignment.advisor_id, func.count()).group_by(col(Assignment.advisor_id))
                )
            ).all()
        )
    assert loads == {first.id: 1, second.id: 2}
