"""Fill a database with a backlog of waiting conversations, as an imported mailbox leaves it.

Used by ``bench/ingest.py --backlog N`` (before the services start) to check that the cost
of routing a new message does not grow with the number of conversations already waiting.
Each waiting conversation has its customer, their e-mail identity and one processed
message; they wait in the default queue, oldest first. Rows are written with multi-row
inserts through the service's own table definitions, so the column types and defaults
are the real ones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select, text

from router.models import ChannelIdentity, Conversation, Customer, Message
from router.store import Database
from skills import QueueClass, Requirements

_CHUNK = 5_000
_TABLES: list[Table] = [
    Customer.__table__,  # type: ignore[attr-defined]
    ChannelIdentity.__table__,  # type: ignore[attr-defined]
    Conversation.__table__,  # type: ignore[attr-defined]
    Message.__table__,  # type: ignore[attr-defined]
]


def async_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{'sqlite+aiosqlite' if scheme.startswith('sqlite') else 'postgresql+asyncpg'}://{rest}"


def _rows(number: int, now: datetime) -> dict[str, dict[str, Any]]:
    """The four rows of one waiting conversation (ids filled in by the caller)."""
    address = f"backlog-{number}@example.org"
    since = now - timedelta(seconds=number % 86_400)
    # Filed as routing files a conversation (requirements and queue class), so that the
    # service sees an ordinary queue, not rows to repair.
    needs = Requirements(channel="email", skills={}, language="fr" if number % 2 else "en")
    return {
        "customer": {
            "display_name": f"Backlog {number}",
            "email": address,
            "tier": "standard",
            "created_at": since,
        },
        "channel_identity": {"channel": "email", "address": address, "created_at": since},
        "conversation": {
            "status": "waiting",
            "channel": "email",
            "language": needs.language,
            "priority": 0,
            "requirements": needs.to_dict(),
            "queue_class": QueueClass(needs, intense=False, queue_priority=0).key,
            "waiting_since": since,
            "created_at": since,
            "updated_at": since,
            "last_message_at": since,
            "intense": False,
            "urgency_points": 0,
            "emotion_trail": [],
        },
        "message": {
            "channel": "email",
            "external_id": f"backlog-{number}",
            "direction": "inbound",
            "sender_address": address,
            "subject": "Facture / invoice",
            "text": "Bonjour, ma facture du mois dernier est fausse, merci de vérifier.",
            "received_at": since,
            "processed_at": since,
            "published_at": since,
            "metadata": {},
            "status": "processed",
            "classification": {"intent": "billing", "language": "fr"},
        },
    }


async def fill(database_url: str, count: int) -> None:
    """Add ``count`` waiting conversations (explicit ids above the current ones)."""
    db = Database(async_url(database_url))
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            start = {t.name: (await session.scalar(select(func.max(t.c.id)))) or 0 for t in _TABLES}
        for first in range(0, count, _CHUNK):
            batch = [_rows(n, now) for n in range(first, min(first + _CHUNK, count))]
            for offset, rows in enumerate(batch, start=first + 1):
                rows["customer"]["id"] = customer = start["customer"] + offset
                rows["channel_identity"].update(id=start["channel_identity"] + offset)
                rows["channel_identity"]["customer_id"] = customer
                conversation = start["conversation"] + offset
                rows["conversation"].update(id=conversation, customer_id=customer)
                rows["message"].update(
                    id=start["message"] + offset,
                    customer_id=customer,
                    conversation_id=conversation,
                )
            async with db.session() as session:
                for table in _TABLES:
                    await session.execute(table.insert(), [rows[table.name] for rows in batch])
                await session.commit()
        if not db.is_sqlite:  # explicit ids: move the sequences past them
            async with db.session() as session:
                for table in _TABLES:
                    await session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )
                await session.commit()
    finally:
        await db.dispose()
