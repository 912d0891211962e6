"""Internal notes: staff write them on a conversation for each other; they are never sent to
the customer (no message row, no outbound), and appear in the customer timeline as notes.

Anyone who may see the conversation may read and add notes (router.security.visibility);
API keys may do neither (the routes are staff only).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Advisor, Assignment
from router.models.tickets import AssignmentRecord, Note, NoteCreate, NotePublic
from router.security.principal import Principal
from router.store import Database
from router.store.types import utcnow
from router.tickets import conversations, events


async def add_note(
    db: Database, conversation_id: int, data: NoteCreate, author: Principal
) -> NotePublic:
    async with db.session() as session:
        conversation = await conversations.lock_visible(session, conversation_id, author)
        note = Note(
            conversation_id=conversation_id,
            author_id=author.id,
            text=data.text,
            created_at=utcnow(),
        )
        session.add(note)
        await session.flush()
        events.record(
            session,
            "note.added",
            customer_id=conversation.customer_id,
            conversation_id=conversation_id,
            advisor_id=author.id,
            note_id=note.id,
            by=events.actor(author),
        )
        name = await session.scalar(select(Advisor.name).where(col(Advisor.id) == author.id))
        await session.commit()
        return _public(note, name)


async def list_notes(
    db: Database, conversation_id: int, viewer: Principal, *, after_id: int, limit: int
) -> list[NotePublic]:
    """Oldest first."""
    async with db.read_session() as session:
        await conversations.visible(session, conversation_id, viewer)
        rows = await session.execute(
            select(Note, Advisor.name)
            .outerjoin(Advisor, col(Advisor.id) == col(Note.author_id))
            .where(col(Note.conversation_id) == conversation_id, col(Note.id) > after_id)
            .order_by(col(Note.id))
            .limit(limit)
        )
        return [_public(note, name) for note, name in rows]


def _public(note: Note, author_name: str | None) -> NotePublic:
    return NotePublic(
        id=note.id or 0,
        conversation_id=note.conversation_id,
        author_id=note.author_id,
        author_name=author_name,
        text=note.text,
        created_at=note.created_at,
    )


async def assignee_history(
    db: Database, conversation_id: int, viewer: Principal | None, *, after_id: int, limit: int
) -> list[AssignmentRecord]:
    """Who had the conversation (offers included), oldest first."""
    async with db.read_session() as session:
        await conversations.visible(session, conversation_id, viewer)
        return await _assignments(session, conversation_id, after_id, limit)


async def _assignments(
    session: AsyncSession, conversation_id: int, after_id: int, limit: int
) -> list[AssignmentRecord]:
    rows: Sequence[tuple[Assignment, str | None]] = (
        await session.execute(
            select(Assignment, Advisor.name)
            .outerjoin(Advisor, col(Advisor.id) == col(Assignment.advisor_id))
            .where(
                col(Assignment.conversation_id) == conversation_id,
                col(Assignment.id) > after_id,
            )
            .order_by(col(Assignment.id))
            .limit(limit)
        )
    ).all()
    return [
        AssignmentRecord(
            id=row.id or 0,
            advisor_id=row.advisor_id,
            advisor_name=name,
            mode=row.mode,
            channel=row.channel,
            assigned_at=row.assigned_at,
            accepted_at=row.accepted_at,
            ended_at=row.ended_at,
            end_reason=row.end_reason,
        )
        for row, name in rows
    ]
