"""The idempotency key of an inbound message, and what a repeat of it means.

The key is (channel, external id). Every intake path (``POST /v1/messages``, the web chat,
provider webhooks, SMTP, the raw-email endpoint, the importer) builds the one
``router.intake.record.InboundRecord``, which normalises the external id the same way: the
adapters' ``stable_id``: surrounding whitespace stripped, case kept (provider ids such as
Meta's ``m_...`` or e-mail Message-IDs are case-sensitive: folding case could merge two
messages), an id longer than the column replaced by its SHA-256.

A repeat of a stored key is a duplicate when it carries the same content (a retry: the
stored message's id, nothing written) and a *mismatch* when it does not, like a payment
API's idempotency key reused for another payment: the integrator API answers 409 with the
stored message's id; provider webhooks still get their 2xx (a provider cannot fix anything
and would retry forever), and the mismatch is counted and logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from router.intake.record import Key
from router.models import Message
from router.models.conversations import MessageAccepted
from router.store.pairs import pairs_in

#: What a message says and who says it: what a retry repeats. Not the status, the review
#: reason or the arrival time, which are ours.
CONTENT = (
    "sender_address",
    "sender_name",
    "sender_email",
    "sender_phone",
    "subject",
    "text",
    "sent_at",
)


class Mismatch(MessageAccepted):
    """A repeated key whose content differs from the stored message ``id`` (which is kept
    as it was). A duplicate to callers that only count, a 409 to the integrator API."""


async def stored(connection: AsyncConnection, keys: list[Key]) -> dict[Key, dict[str, Any]]:
    """Id and content of the stored messages of ``keys``."""
    if not keys:
        return {}
    columns = [col(getattr(Message, name)) for name in CONTENT]
    rows = await connection.execute(
        select(col(Message.channel), col(Message.external_id), col(Message.id), col(Message.meta))
        .add_columns(*columns)
        .where(pairs_in(col(Message.channel), col(Message.external_id), keys))
    )
    found: dict[Key, dict[str, Any]] = {}
    for channel, external_id, message_id, meta, *values in rows:
        found[(channel, external_id)] = {
            "id": message_id,
            "metadata": meta,
            **dict(zip(CONTENT, values, strict=True)),
        }
    return found


def repeat(
    message_id: int, stored_row: Mapping[str, Any], row: Mapping[str, Any]
) -> MessageAccepted:
    """The answer to a repeat of the key of ``stored_row`` (the stored message ``message_id``)."""
    same = all(_same(stored_row.get(name), row.get(name)) for name in (*CONTENT, "metadata"))
    return (
        MessageAccepted(id=message_id, duplicate=True)
        if same
        else Mismatch(id=message_id, duplicate=True)
    )


def _same(stored_value: Any, value: Any) -> bool:
    """Equal once through the database: JSON numbers by value (PostgreSQL's jsonb gives
    ``1e16`` back as an integer), lists and tuples alike, datetimes as instants."""
    if isinstance(stored_value, Mapping) and isinstance(value, Mapping):
        return stored_value.keys() == value.keys() and all(
            _same(stored_value[k], value[k]) for k in stored_value
        )
    if isinstance(stored_value, list | tuple) and isinstance(value, list | tuple):
        return len(stored_value) == len(value) and all(
            _same(a, b) for a, b in zip(stored_value, value, strict=True)
        )
    if isinstance(stored_value, bool) or isinstance(value, bool):
        return stored_value is value
    return bool(stored_value == value)
