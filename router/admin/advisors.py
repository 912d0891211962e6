"""Advisor management use cases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict, Forbidden, InvalidRequest, NotFound
from router.models import Advisor, AdvisorSkill, Conversation, Skill, Team
from router.models.advisors import (
    AdvisorCreate,
    AdvisorPublic,
    AdvisorStatus,
    AdvisorUpdate,
    advisor_public,
)
from router.routing import assignment, profiles, pull
from router.routing import config as routing_config
from router.security.principal import Principal, PrincipalKind
from router.security.visibility import advisor_clause, may_manage_advisor
from router.store import Database
from router.store.types import utcnow
from router.tickets import events

# What an advisor may change on their own record, and a supervisor on their teams' advisors.
SELF_SERVICE_FIELDS = frozenset({"status"})
SUPERVISOR_FIELDS = frozenset({"status", "capacity_total", "capacity_per_channel", "languages"})
INTEGRATOR_FIELDS = frozenset({"status", "capacity_total", "capacity_per_channel"})


async def _public(session: AsyncSession, advisors: Sequence[Advisor]) -> list[AdvisorPublic]:
    ids = [a.id for a in advisors if a.id is not None]
    skills = await profiles.advisor_skills(session, ids)
    loads = await profiles.live_loads(session, ids)
    return [
        advisor_public(a, skills.get(a.id or 0, {}), loads.get(a.id or 0, {})) for a in advisors
    ]


async def list_advisors(
    db: Database, viewer: Principal | None, team_id: int | None = None
) -> list[AdvisorPublic]:
    async with db.read_session() as session:
        query = select(Advisor).order_by(col(Advisor.id))
        if team_id is not None:
            query = query.where(col(Advisor.team_id) == team_id)
        clause = advisor_clause(viewer) if viewer is not None else None
        if clause is not None:
            query = query.where(clause)
        return await _public(session, (await session.scalars(query)).all())


async def _visible(
    session: AsyncSession, advisor_id: int, viewer: Principal | None, *, lock: bool = False
) -> Advisor:
    return await pull.visible_advisor(session, advisor_id, viewer, lock=lock)


async def get_advisor(db: Database, advisor_id: int, viewer: Principal | None) -> AdvisorPublic:
    async with db.read_session() as session:
        advisor = await _visible(session, advisor_id, viewer)
        return (await _public(session, [advisor]))[0]


def _check_rights(viewer: Principal | None, advisor: Advisor, fields: set[str]) -> None:
    """Admins change anything; supervisors their advisors' availability; advisors their status;
    an integrator's key (workforce tools) availability only, never teams, skills or roles."""
    if viewer is None or viewer.is_admin:
        return
    if viewer.kind == PrincipalKind.api_key:
        allowed = INTEGRATOR_FIELDS
    elif viewer.id == advisor.id:
        allowed = SELF_SERVICE_FIELDS
    elif may_manage_advisor(viewer, advisor):
        allowed = SUPERVISOR_FIELDS
    else:
        raise Forbidden(f"you may not change advisor {advisor.id}")
    refused = sorted(fields - allowed)
    if refused:
        raise Forbidden(
            f"you may not change {', '.join(refused)} of advisor {advisor.id} "
            f"(allowed: {', '.join(sorted(allowed))})",
            field=refused[0],
        )


async def _check_references(
    session: AsyncSession, team_id: int | None, supervisor_id: int | None
) -> None:
    if team_id is not None and await session.get(Team, team_id) is None:
        raise InvalidRequest(f"team {team_id} does not exist", field="team_id")
    if supervisor_id is not None and await session.get(Advisor, supervisor_id) is None:
        raise InvalidRequest(f"supervisor {supervisor_id} does not exist", field="supervisor_id")


async def _set_skills(session: AsyncSession, advisor_id: int, levels: dict[str, int]) -> None:
    known = {s.name: s.id for s in (await session.scalars(select(Skill))).all()}
    unknown = sorted(set(levels) - set(known))
    if unknown:
        raise InvalidRequest(
            f"unknown skill(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            field="skills",
        )
    await session.execute(delete(AdvisorSkill).where(col(AdvisorSkill.advisor_id) == advisor_id))
    for name, level in levels.items():
        skill_id = known[name]
        assert skill_id is not None
        session.add(AdvisorSkill(advisor_id=advisor_id, skill_id=skill_id, level=level))


async def create_advisor(db: Database, data: AdvisorCreate) -> AdvisorPublic:
    async with db.session() as session:
        await _check_references(session, data.team_id, data.supervisor_id)
        advisor = Advisor.model_validate(data.model_dump(mode="json", exclude={"skills"}))
        session.add(advisor)
        try:
            await session.flush()
        except IntegrityError:
            raise Conflict(
                f"an advisor with email {data.email} already exists", field="email"
            ) from None
        assert advisor.id is not None
        await _set_skills(session, advisor.id, data.skills)
        events.record(session, "advisor.created", advisor_id=advisor.id)
        if advisor.status == AdvisorStatus.AVAILABLE:
            await session.flush()
            await assignment.fill_advisor(session, advisor.id)
        await session.commit()
        return (await _public(session, [advisor]))[0]


async def update_advisor(
    db: Database, advisor_id: int, data: AdvisorUpdate, viewer: Principal | None
) -> AdvisorPublic:
    """Apply a partial update; becoming available or gaining capacity pulls in waiting work."""
    changes = data.model_dump(mode="json", exclude_unset=True)
    async with db.session() as session:
        advisor = await _visible(session, advisor_id, viewer, lock=True)
        _check_rights(viewer, advisor, set(changes))
        await _check_references(session, changes.get("team_id"), changes.get("supervisor_id"))
        skills = changes.pop("skills", None)
        previous_status = advisor.status
        for key, value in changes.items():
            setattr(advisor, key, value)
        advisor.updated_at = utcnow()
        if skills is not None:
            await _set_skills(session, advisor_id, skills)
        if "status" in changes and changes["status"] != previous_status:
            events.record(
                session,
                "advisor.status_changed",
                advisor_id=advisor_id,
                previous=previous_status,
                current=changes["status"],
            )
        await session.flush()
        if advisor.status == AdvisorStatus.AVAILABLE:
            await assignment.fill_advisor(session, advisor_id)
        await session.commit()
        return (await _public(session, [advisor]))[0]


async def claim_next(
    db: Database, advisor_id: int, viewer: Principal | None
) -> Conversation | None:
    """Pull: the best waiting conversation this advisor fits, claimed atomically.

    Advisors pull for themselves; supervisors may pull for their teams' advisors.
    """
    async with db.session() as session:
        await pull.acting_for(session, advisor_id, viewer)
        policy = await routing_config.current(session)
        advisor = await profiles.locked_profile(
            session, advisor_id, day_start=policy.day_start(utcnow())
        )
        if advisor is None:
            raise NotFound(f"advisor {advisor_id} does not exist", field="advisor_id")
        if advisor.status != AdvisorStatus.AVAILABLE:
            raise Conflict(
                f"advisor {advisor_id} is {advisor.status.value}, not available", field="status"
            )
        if advisor.load_total >= advisor.capacity_total:
            raise Conflict(
                f"advisor {advisor_id} is at capacity "
                f"({advisor.load_total}/{advisor.capacity_total})",
                field="capacity_total",
            )
        conversation = await assignment.claim_for_advisor(
            session, advisor, mode="pull", policy=policy
        )
        await session.commit()
        return conversation
