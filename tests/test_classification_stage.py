"""The classification stage reads messages before the routing transaction takes its locks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest
from sqlmodel import col, select

from router.models import Message
from router.pipeline import classification
from router.pipeline.classifier import ModelHolder
from router.pipeline.inbound import process_inbound
from router.settings import Settings
from router.store import Database


class RecordingHolder(ModelHolder):
    """The real classifier, remembering each batch of texts it was asked to read."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.calls: list[list[str]] = []

    async def classify_many(self, texts: Sequence[str]) -> list[dict[str, object]]:
        self.calls.append(list(texts))
        return await super().classify_many(texts)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url)
    yield database
    await database.dispose()


async def _store(db: Database, sender: str, texts: list[str]) -> list[int]:
    async with db.session() as session:
        messages = [
            Message(channel="chat", external_id=f"{sender}-{t}", sender_address=sender, text=t)
            for t in texts
        ]
        session.add_all(messages)
        await session.commit()
        return [m.id for m in messages if m.id is not None]


async def test_a_batch_is_classified_once_before_the_locks(db: Database) -> None:
    holder = RecordingHolder(db)
    await holder.start()
    texts = ["Where is my parcel? It is late", "I want a refund now!!!"]
    ids = await _store(db, "anna", texts)
    outcome = await process_inbound(db, ids, holder)
    assert outcome.processed == 2
    assert holder.calls == [texts]  # one read ahead; nothing read under the locks
    async with db.session() as session:
        stored = (await session.scalars(select(Message).where(col(Message.id).in_(ids)))).all()
    assert all(isinstance(m.classification, dict) and "intent" in m.classification for m in stored)


async def test_a_message_arriving_after_the_read_ahead_is_still_read(db: Database) -> None:
    holder = RecordingHolder(db)
    await holder.start()
    first = await _store(db, "ben", ["My invoice is wrong"])
    async with db.read_session() as session:
        texts = await classification.unread(session, [("chat", "ben")])
    ahead = await classification.read_ahead(holder, texts)
    assert set(ahead) == set(first)
    late = await _store(db, "ben", ["Also, cancel my subscription"])
    async with db.session() as session:
        query = select(Message).where(col(Message.sender_address) == "ben")
        backlog = (await session.scalars(query.order_by(col(Message.id)))).all()
        readings = await classification.apply(holder, backlog, ahead)
        assert [m.classification is not None for m in backlog] == [True, True]
    assert holder.calls[-1] == ["Also, cancel my subscription"]  # only the late one
    assert set(readings) <= set(first + late)
