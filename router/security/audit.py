"""The audit log: admin and supervisor actions, with ids and paths but no personal data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from router.models.security import AuditEntry, AuditPublic
from router.store import Database


async def record(
    db: Database,
    *,
    actor_kind: str,
    action: str,
    target: str,
    actor_id: int | None = None,
    actor_role: str | None = None,
    status_code: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    async with db.session() as session:
        session.add(
            AuditEntry(
                actor_kind=actor_kind,
                actor_id=actor_id,
                actor_role=actor_role,
                action=action,
                target=target,
                status_code=status_code,
                detail=detail or {},
            )
        )
        await session.commit()


async def list_entries(
    db: Database, *, after_id: int, limit: int, actor_id: int | None = None
) -> list[AuditPublic]:
    query = select(AuditEntry).where(col(AuditEntry.id) > after_id)
    if actor_id is not None:
        query = query.where(col(AuditEntry.actor_id) == actor_id)
    async with db.read_session() as session:
        rows = await session.scalars(query.order_by(col(AuditEntry.id)).limit(limit))
        return [AuditPublic.model_validate(row, from_attributes=True) for row in rows]
