"""Admin use cases for reply templates (validated by the API schema; names are unique)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict, NotFound
from router.models import ReplyTemplate
from router.models.templates import ReplyTemplateCreate, ReplyTemplatePublic, ReplyTemplateUpdate
from router.security.principal import Principal
from router.store import Database
from router.store.types import utcnow
from router.tickets import events


def public(template: ReplyTemplate) -> ReplyTemplatePublic:
    return ReplyTemplatePublic.model_validate(template, from_attributes=True)


async def list_templates(
    db: Database, *, intent: str | None, active: bool | None, after_id: int, limit: int
) -> list[ReplyTemplatePublic]:
    query = select(ReplyTemplate).where(col(ReplyTemplate.id) > after_id)
    if intent is not None:
        query = query.where(col(ReplyTemplate.intent) == intent)
    if active is not None:
        query = query.where(col(ReplyTemplate.active) == active)
    async with db.read_session() as session:
        rows = await session.scalars(query.order_by(col(ReplyTemplate.id)).limit(limit))
        return [public(row) for row in rows]


async def get_template(db: Database, template_id: int) -> ReplyTemplatePublic:
    async with db.read_session() as session:
        return public(await _get(session, template_id))


async def create_template(
    db: Database, data: ReplyTemplateCreate, by: Principal
) -> ReplyTemplatePublic:
    async with db.session() as session:
        template = ReplyTemplate(**data.model_dump(mode="json"))
        session.add(template)
        await _flush_unique(session, data.name)
        events.record(
            session,
            "template.created",
            template_id=template.id,
            name=data.name,
            by=events.actor(by),
        )
        await session.commit()
        return public(template)


async def update_template(
    db: Database, template_id: int, data: ReplyTemplateUpdate, by: Principal
) -> ReplyTemplatePublic:
    async with db.session() as session:
        template = await _get(session, template_id)
        changes = data.model_dump(mode="json", exclude_unset=True)
        for key, value in changes.items():
            if value is None and key in ("name", "active", "variants"):
                continue  # not nullable: null means "unchanged" (intent: null clears it)
            setattr(template, key, value)
        template.updated_at = utcnow()
        await _flush_unique(session, template.name)
        events.record(
            session,
            "template.updated",
            template_id=template_id,
            name=template.name,
            fields=sorted(changes),
            by=events.actor(by),
        )
        await session.commit()
        return public(template)


async def delete_template(db: Database, template_id: int, by: Principal) -> None:
    """Replies sent with it keep its id in their metadata (history is not rewritten)."""
    async with db.session() as session:
        template = await _get(session, template_id)
        await session.delete(template)
        events.record(
            session,
            "template.deleted",
            template_id=template_id,
            name=template.name,
            by=events.actor(by),
        )
        await session.commit()


async def _get(session: AsyncSession, template_id: int) -> ReplyTemplate:
    template = await session.get(ReplyTemplate, template_id)
    if template is None:
        raise NotFound(f"template {template_id} does not exist", field="template_id")
    return template


async def _flush_unique(session: AsyncSession, name: str) -> None:
    """Flush; a name already taken is a 409 (the unique index decides, even under a race)."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"a template named {name!r} already exists", field="name") from None
