"""Admin use cases for SLA policies, validated on write by clocks.sla (hours and targets).

Editing or deleting a policy does not move running tickets: each carries the terms that
applied when it opened (see router.tickets.sla); new tickets get the new terms.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from clocks.sla import check_reachable, sla_hours
from router.errors import Conflict, InvalidRequest, NotFound
from router.models import SlaPolicy
from router.models.sla import SlaPolicyPatch, SlaPolicyPublic, SlaPolicyWrite
from router.security.principal import Principal
from router.store import Database
from router.store.types import utcnow
from router.tickets import events
from skills import RuleError


def public(policy: SlaPolicy) -> SlaPolicyPublic:
    return SlaPolicyPublic.model_validate(policy, from_attributes=True)


async def list_policies(db: Database) -> list[SlaPolicyPublic]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(SlaPolicy).order_by(col(SlaPolicy.position), col(SlaPolicy.id))
        )
        return [public(policy) for policy in rows]


async def get_policy(db: Database, policy_id: int) -> SlaPolicyPublic:
    async with db.read_session() as session:
        return public(await _get(session, policy_id))


async def create_policy(db: Database, data: SlaPolicyWrite, actor: Principal) -> SlaPolicyPublic:
    values = _checked(data)
    async with db.session() as session:
        policy = SlaPolicy(**values)
        session.add(policy)
        await _flush_unique(session, data.name)
        _record(session, "sla_policy.created", policy, actor)
        await session.commit()
        return public(policy)


async def update_policy(
    db: Database, policy_id: int, patch: SlaPolicyPatch, actor: Principal
) -> SlaPolicyPublic:
    async with db.session() as session:
        policy = await _get(session, policy_id)
        current = {name: getattr(policy, name) for name in SlaPolicyWrite.model_fields}
        values = _checked(_merged(current, patch.model_dump(exclude_unset=True)))
        for name, value in values.items():
            setattr(policy, name, value)
        policy.updated_at = utcnow()
        await _flush_unique(session, policy.name)
        _record(
            session, "sla_policy.updated", policy, actor, changed=sorted(patch.model_fields_set)
        )
        await session.commit()
        return public(policy)


async def delete_policy(db: Database, policy_id: int, actor: Principal) -> None:
    """Tickets that had it keep their due times (their sla_policy_id becomes null)."""
    async with db.session() as session:
        policy = await _get(session, policy_id)
        _record(session, "sla_policy.deleted", policy, actor)
        await session.delete(policy)
        await session.commit()


def _merged(current: dict[str, Any], changes: dict[str, Any]) -> SlaPolicyWrite:
    try:
        return SlaPolicyWrite.model_validate({**current, **changes})
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise InvalidRequest(first["msg"], field=field) from None


def _checked(data: SlaPolicyWrite) -> dict[str, Any]:
    """The row's values; business hours in their canonical form."""
    values = data.model_dump(mode="json")
    try:
        hours = None if data.business_hours is None else sla_hours(data.business_hours)
        check_reachable(hours, data.first_response_seconds, data.resolution_seconds)
    except RuleError as error:
        raise InvalidRequest(error.detail, field=error.field) from None
    values["business_hours"] = hours.to_dict() if hours else None
    return values


async def _get(session: AsyncSession, policy_id: int) -> SlaPolicy:
    policy = await session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound(f"SLA policy {policy_id} does not exist", field="policy_id")
    return policy


async def _flush_unique(session: AsyncSession, name: str) -> None:
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"an SLA policy named {name!r} already exists", field="name") from None


def _record(
    session: AsyncSession, kind: str, policy: SlaPolicy, actor: Principal, **data: Any
) -> None:
    events.record(
        session, kind, policy_id=policy.id, name=policy.name, by=events.actor(actor), **data
    )
