"""Admin use cases for routing rules: validated on write by the pure matcher in skills/.

A rule set always has exactly one enabled default rule (created by the first migration): it
can be edited (skills, language, priority, policy) but not deleted, disabled or given
conditions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict, InvalidRequest, NotFound
from router.models import RoutingRule, Skill, Team
from router.models.routing import RuleDocument, RulePublic, RulesDocument, RuleWrite
from router.store import Database
from router.store.types import utcnow
from router.tickets import events
from skills import RuleError, RuleSpec


def public(rule: RoutingRule) -> RulePublic:
    return RulePublic.model_validate(rule, from_attributes=True)


async def list_rules(db: Database) -> list[RulePublic]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(RoutingRule).order_by(col(RoutingRule.position), col(RoutingRule.id))
        )
        return [public(rule) for rule in rows]


async def export_rules(db: Database) -> RulesDocument:
    """Every rule in evaluation order, without ids or dates: what ``import_rules`` reads."""
    dropped = {"id", "created_at", "updated_at"}
    return RulesDocument(
        rules=[
            RuleDocument.model_validate(rule.model_dump(exclude=dropped))
            for rule in await list_rules(db)
        ]
    )


async def get_rule(db: Database, rule_id: int) -> RulePublic:
    async with db.read_session() as session:
        return public(await _get(session, rule_id))


async def create_rule(db: Database, data: RuleWrite) -> RulePublic:
    async with db.session() as session:
        await _validate(session, data, is_default=False)
        rule = RoutingRule(**data.model_dump(mode="json"), is_default=False)
        session.add(rule)
        await _flush_unique(session, data.name)
        events.record(session, "rule.created", rule_id=rule.id, name=rule.name)
        await session.commit()
        return public(rule)


async def replace_rule(db: Database, rule_id: int, data: RuleWrite) -> RulePublic:
    async with db.session() as session:
        rule = await _get(session, rule_id)
        await _validate(session, data, is_default=rule.is_default)
        for key, value in data.model_dump(mode="json").items():
            setattr(rule, key, value)
        rule.updated_at = utcnow()
        await _flush_unique(session, data.name)
        events.record(session, "rule.updated", rule_id=rule_id, name=rule.name)
        await session.commit()
        return public(rule)


async def delete_rule(db: Database, rule_id: int) -> None:
    async with db.session() as session:
        rule = await _get(session, rule_id)
        if rule.is_default:
            raise Conflict("the default rule cannot be deleted; edit it instead", field="rule_id")
        await session.delete(rule)
        events.record(session, "rule.deleted", rule_id=rule_id, name=rule.name)
        await session.commit()


async def import_rules(
    db: Database, documents: Sequence[dict[str, Any]], *, replace: bool
) -> tuple[int, int, int]:
    """Upsert rules by name in one transaction (all or nothing); the entry marked
    ``is_default`` updates the default rule. With ``replace``, other rules are deleted.
    Returns (created, updated, deleted)."""
    parsed = [_parse_document(i, document) for i, document in enumerate(documents)]
    names = [data.name for data, _ in parsed]
    if len(set(names)) != len(names):
        raise InvalidRequest("rule names must be unique in the file", field="name")
    if sum(is_default for _, is_default in parsed) > 1:
        raise InvalidRequest("only one rule can be the default rule", field="is_default")
    created = updated = 0
    async with db.session() as session:
        existing = {r.name: r for r in await session.scalars(select(RoutingRule))}
        default = next(r for r in existing.values() if r.is_default)
        for data, is_default in parsed:
            await _validate(session, data, is_default=is_default)
            target = default if is_default else existing.get(data.name)
            if target is None:
                session.add(RoutingRule(**data.model_dump(mode="json"), is_default=False))
                created += 1
            else:
                for key, value in data.model_dump(mode="json").items():
                    setattr(target, key, value)
                target.updated_at = utcnow()
                updated += 1
        deleted = 0
        if replace:
            keep = set(names)
            for rule in existing.values():
                if not rule.is_default and rule.name not in keep:
                    await session.delete(rule)
                    deleted += 1
        await _flush_unique(session, None)
        events.record(session, "rule.imported", created=created, updated=updated, deleted=deleted)
        await session.commit()
    return created, updated, deleted


def _parse_document(index: int, document: dict[str, Any]) -> tuple[RuleWrite, bool]:
    if not isinstance(document, dict):
        raise InvalidRequest(f"rule #{index + 1} is not an object", field=f"rules[{index}]")
    fields = {
        k: v
        for k, v in document.items()
        if k not in ("id", "is_default", "created_at", "updated_at")
    }
    try:
        return RuleWrite.model_validate(fields), bool(document.get("is_default", False))
    except ValueError as error:
        raise InvalidRequest(f"rule #{index + 1}: {error}", field=f"rules[{index}]") from None


async def _get(session: AsyncSession, rule_id: int) -> RoutingRule:
    rule = await session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(f"rule {rule_id} does not exist", field="rule_id")
    return rule


async def _validate(session: AsyncSession, data: RuleWrite, *, is_default: bool) -> None:
    """The same check the router applies when it loads rules, plus references."""
    known = set((await session.scalars(select(Skill.name))).all())
    try:
        RuleSpec.from_dict(
            {**data.model_dump(mode="json", exclude={"enabled"}), "is_default": is_default},
            known_skills=known,
        )
    except RuleError as error:
        raise InvalidRequest(f"{data.name}: {error.detail}", field=error.field) from None
    if is_default and not data.enabled:
        raise InvalidRequest("the default rule cannot be disabled", field="enabled")
    if data.team_id is not None and await session.get(Team, data.team_id) is None:
        raise InvalidRequest(f"team {data.team_id} does not exist", field="team_id")


async def _flush_unique(session: AsyncSession, name: str | None) -> None:
    try:
        await session.flush()
    except IntegrityError:
        detail = f"a rule named {name!r} already exists" if name else "rule names must be unique"
        raise Conflict(detail, field="name") from None
