"""Stage 3 of the pipeline: reading intent, emotion and language of customer messages.

The classifier is CPU-bound, so it runs *before* the routing transaction takes its locks
(``unread`` then ``read_ahead``: a plain read of the senders' unread messages, classified
off the event loop). Inside the locked transaction ``apply`` only copies those readings onto
the rows; a message that arrived in between is read there, the one case where the
classifier runs under the locks (a few messages, never a whole batch).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Message
from router.models.conversations import MessageStatus
from router.pipeline.classifier import ModelHolder
from router.routing import care
from router.store.pairs import pairs_in
from skills import Reading

SenderKey = tuple[str, str]  # (channel, sender address)
Readings = dict[int, dict[str, object]]  # message id -> classification
Unread = list[tuple[int, str]]  # message id, text to read


def text_of(message: Message) -> str:
    """What the classifier reads: the subject (e-mail) and the text."""
    return _readable(message.subject, message.text)


def _readable(subject: str | None, text: str) -> str:
    return f"{subject}\n{text}" if subject else text


def _unread(messages: Iterable[Message]) -> list[Message]:
    return [m for m in messages if m.direction == "inbound" and m.classification is None]


async def unread(session: AsyncSession, senders: Iterable[SenderKey]) -> Unread:
    """The senders' unprocessed, unread customer messages: (id, text), read in the
    pipeline's first, lock-free session."""
    rows = await session.execute(
        select(Message.id, Message.subject, Message.text, Message.classification).where(
            pairs_in(col(Message.channel), col(Message.sender_address), list(senders)),
            col(Message.status) == MessageStatus.received,
            col(Message.direction) == "inbound",
        )
    )  # columns, not Message objects: the rows are only read
    return [
        (id_, _readable(subject, text))
        for id_, subject, text, read in rows
        if read is None and id_ is not None
    ]


async def read_ahead(classifier: ModelHolder | None, texts: Unread) -> Readings:
    """Classify those messages, holding no lock and no transaction."""
    if classifier is None or not texts:
        return {}
    results = await classifier.classify_many([text for _, text in texts])
    return {message_id: r for (message_id, _), r in zip(texts, results, strict=False)}


async def apply(
    classifier: ModelHolder | None, backlog: Sequence[Message], ahead: Readings
) -> dict[int, Reading]:
    """Put the readings on the locked backlog (reading what arrived since ``read_ahead``);
    returns the emotion readings that feed care and anger alerts. Hints given by the
    integrator still win over the classifier (they are not readings here)."""
    late: list[Message] = []
    for message in _unread(backlog):
        found = ahead.get(message.id) if message.id is not None else None
        if found is None:
            late.append(message)
        else:
            message.classification = found
    if late and classifier is not None:
        results = await classifier.classify_many([text_of(m) for m in late])
        for message, result in zip(late, results, strict=False):
            message.classification = result
    readings: dict[int, Reading] = {}
    for message in backlog:
        read = message.classification or {}
        hinted = care.hinted_reading(message) is not None
        if message.id is not None and not hinted and isinstance(read.get("emotion"), str):
            readings[message.id] = (str(read["emotion"]), float(read["emotion_intensity"]))
    return readings
