"""Loading what the pure routing domain (skills/) needs from the database; never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, case, func, literal_column, null, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Advisor, AdvisorSkill, Assignment, Customer, RoutingRule, Skill
from router.routing import config as routing_config
from router.routing import teams
from router.routing.teams import TeamService
from router.store.types import utcnow
from skills import AdvisorProfile, AdvisorStatus, Policy, RuleSpec


async def live_loads(
    session: AsyncSession, advisor_ids: Iterable[int] | None = None
) -> dict[int, dict[str, int]]:
    """Open assignments per advisor and channel."""
    query = (
        select(Assignment.advisor_id, Assignment.channel, func.count())
        .where(col(Assignment.ended_at).is_(None))
        .group_by(col(Assignment.advisor_id), col(Assignment.channel))
    )
    if advisor_ids is not None:
        query = query.where(col(Assignment.advisor_id).in_(list(advisor_ids)))
    loads: dict[int, dict[str, int]] = defaultdict(dict)
    for advisor_id, channel, count in await session.execute(query):
        loads[advisor_id][channel] = count
    return loads


async def advisor_skills(
    session: AsyncSession, advisor_ids: Iterable[int] | None = None
) -> dict[int, dict[str, int]]:
    query = select(AdvisorSkill.advisor_id, Skill.name, AdvisorSkill.level).join(
        Skill, col(Skill.id) == AdvisorSkill.skill_id
    )
    if advisor_ids is not None:
        query = query.where(col(AdvisorSkill.advisor_id).in_(list(advisor_ids)))
    skills: dict[int, dict[str, int]] = defaultdict(dict)
    for advisor_id, name, level in await session.execute(query):
        skills[advisor_id][name] = level
    return skills


def _epoch(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


async def intense_counts(
    session: AsyncSession, advisor_ids: Sequence[int] | None, day_start: datetime
) -> tuple[dict[int, int], dict[int, int]]:
    """Intense conversations per advisor: held now (offers included), and taken (accepted)
    since ``day_start``."""
    live = (
        select(Assignment.advisor_id, func.count())
        .where(col(Assignment.ended_at).is_(None), col(Assignment.intense).is_(True))
        .group_by(col(Assignment.advisor_id))
    )
    today = (
        select(Assignment.advisor_id, func.count())
        .where(
            col(Assignment.intense).is_(True),
            col(Assignment.assigned_at) >= day_start,
            col(Assignment.accepted_at).is_not(None),
        )
        .group_by(col(Assignment.advisor_id))
    )
    if advisor_ids is not None:
        live = live.where(col(Assignment.advisor_id).in_(list(advisor_ids)))
        today = today.where(col(Assignment.advisor_id).in_(list(advisor_ids)))
    held = {int(advisor_id): int(count) for advisor_id, count in await session.execute(live)}
    taken = {int(advisor_id): int(count) for advisor_id, count in await session.execute(today)}
    return held, taken


@dataclass(frozen=True)
class _Counts:
    skills: dict[int, dict[str, int]]
    loads: dict[int, dict[str, int]]
    intense_held: dict[int, int]
    intense_today: dict[int, int]
    teams: dict[int, TeamService]


def to_profile(
    advisor: Advisor,
    skills: dict[str, int],
    load: dict[str, int],
    intense_held: int = 0,
    intense_today: int = 0,
    push_bounds: tuple[int | None, float | None] = (None, None),
) -> AdvisorProfile:
    assert advisor.id is not None
    return AdvisorProfile(
        id=advisor.id,
        name=advisor.name,
        team_id=advisor.team_id,
        status=AdvisorStatus(advisor.status),
        languages=frozenset(advisor.languages),
        skills=skills,
        capacity_total=advisor.capacity_total,
        capacity_per_channel=advisor.capacity_per_channel,
        load_total=sum(load.values()),
        load_per_channel=load,
        last_assigned_at=_epoch(advisor.last_assigned_at),
        intense_load=intense_held,
        intense_today=intense_today,
        last_intense_ended_at=_epoch(advisor.last_intense_ended_at),
        push_limit=push_bounds[0],
        push_after_seconds=push_bounds[1],
    )


async def profiles(
    session: AsyncSession, advisors: Sequence[Advisor], day_start: datetime | None = None
) -> list[AdvisorProfile]:
    """Routing profiles; ``day_start`` (default: today in the routing config's zone) bounds
    the intense conversations counted as taken today."""
    ids = [a.id for a in advisors if a.id is not None]
    if day_start is None:
        day_start = (await routing_config.current(session)).day_start(utcnow())
    if not advisors:
        return []
    counts = await _counts(session, ids, day_start)
    return [_profile(a, counts) for a in advisors]


_SKILL, _LOAD, _TODAY = 0, 1, 2


@lru_cache(maxsize=1)
def _counts_query() -> Any:
    """What advisor_skills, live_loads and intense_counts read, in one round trip: a UNION
    ALL of their three queries (each keeps its own plan), the intense conversations held
    counted beside the live loads (both read the open assignments). Built once."""
    wanted: Any = bindparam("ids", expanding=True)
    day_start: Any = bindparam("day_start")  # typed by the column it is compared with
    skills_part = (
        select(  # type: ignore[call-overload]
            literal_column(str(_SKILL), Integer).label("kind"),
            col(AdvisorSkill.advisor_id).label("advisor_id"),
            col(Skill.name).label("name"),
            col(AdvisorSkill.level).label("n"),
            literal_column("0", Integer).label("m"),
        )
        .join(Skill, col(Skill.id) == AdvisorSkill.skill_id)
        .where(col(AdvisorSkill.advisor_id).in_(wanted))
    )
    loads_part = (
        select(  # type: ignore[call-overload]
            literal_column(str(_LOAD), Integer),
            col(Assignment.advisor_id),
            col(Assignment.channel),
            func.count(),
            func.sum(case((col(Assignment.intense).is_(True), 1), else_=0)),
        )
        .where(col(Assignment.ended_at).is_(None), col(Assignment.advisor_id).in_(wanted))
        .group_by(col(Assignment.advisor_id), col(Assignment.channel))
    )
    today_part = (
        select(  # type: ignore[call-overload]
            literal_column(str(_TODAY), Integer),
            col(Assignment.advisor_id),
            null().cast(String),
            func.count(),
            literal_column("0", Integer),
        )
        .where(
            col(Assignment.intense).is_(True),
            col(Assignment.assigned_at) >= day_start,
            col(Assignment.accepted_at).is_not(None),
            col(Assignment.advisor_id).in_(wanted),
        )
        .group_by(col(Assignment.advisor_id))
    )
    return union_all(skills_part, loads_part, today_part)


async def _counts(session: AsyncSession, ids: Sequence[int], day_start: datetime) -> _Counts:
    skills: dict[int, dict[str, int]] = defaultdict(dict)
    loads: dict[int, dict[str, int]] = defaultdict(dict)
    held: dict[int, int] = defaultdict(int)
    today: dict[int, int] = {}
    rows = await session.execute(_counts_query(), {"ids": list(ids), "day_start": day_start})
    for kind, advisor_id, name, n, m in rows:
        if kind == _SKILL:
            skills[advisor_id][name] = n
        elif kind == _LOAD:
            loads[advisor_id][name] = int(n)
            if m:
                held[int(advisor_id)] += int(m)
        else:
            today[int(advisor_id)] = int(n)
    return _Counts(skills, loads, dict(held), today, await teams.services(session))


def _profile(advisor: Advisor, counts: _Counts) -> AdvisorProfile:
    key = advisor.id or 0
    return to_profile(
        advisor,
        counts.skills.get(key, {}),
        counts.loads.get(key, {}),
        counts.intense_held.get(key, 0),
        counts.intense_today.get(key, 0),
        counts.teams.get(advisor.team_id or 0, teams.PUSHED).push_bounds,
    )


async def available_profiles(
    session: AsyncSession, day_start: datetime | None = None
) -> list[AdvisorProfile]:
    """Every advisor who could take work now; the others are excluded by status anyway."""
    advisors = (
        await session.scalars(select(Advisor).where(col(Advisor.status) == AdvisorStatus.AVAILABLE))
    ).all()
    return await profiles(session, advisors, day_start)


async def locked_profiles(
    session: AsyncSession,
    advisor_ids: Sequence[int],
    *,
    skip_locked: bool = False,
    day_start: datetime | None = None,
) -> dict[int, AdvisorProfile]:
    """These advisors' rows locked in id order, their load counted after the lock.

    ``FOR NO KEY UPDATE`` (key_share): foreign-key checks from other rows, which take KEY SHARE
    locks, do not wait for it, which rules out a class of deadlocks.
    """
    advisors = (
        await session.scalars(
            select(Advisor)
            .where(col(Advisor.id).in_(sorted(advisor_ids)))
            .order_by(col(Advisor.id))
            .with_for_update(key_share=True, skip_locked=skip_locked)
            # The row as locked, not as an earlier read in this session left it: a status
            # or capacity changed meanwhile must be seen by the recheck.
            .execution_options(populate_existing=True)
        )
    ).all()
    return {p.id: p for p in await profiles(session, advisors, day_start)}


async def locked_profile(
    session: AsyncSession, advisor_id: int, *, day_start: datetime | None = None
) -> AdvisorProfile | None:
    return (await locked_profiles(session, [advisor_id], day_start=day_start)).get(advisor_id)


def rule_spec(rule: RoutingRule) -> RuleSpec:
    return RuleSpec.from_dict(
        {
            "id": rule.id,
            "name": rule.name,
            "position": rule.position,
            "conditions": rule.conditions,
            "required_skills": rule.required_skills,
            "require_language": rule.require_language,
            "team_id": rule.team_id,
            "priority": rule.priority,
            "policy": Policy(rule.policy).value,
            "is_default": rule.is_default,
            "escalation": rule.escalation,
        }
    )


_rules_cache: dict[str, tuple[tuple[object, ...], list[RuleSpec]]] = {}


async def active_rules(session: AsyncSession) -> list[RuleSpec]:
    """Enabled rules in order, parsed (keyword patterns compiled) only when they changed.

    One cheap aggregate query tells whether the rule table changed since the last parse, so
    the routing path never queries rule by rule and an admin's edit applies at once.
    """
    fingerprint = tuple(
        (
            await session.execute(
                select(
                    func.count(col(RoutingRule.id)),
                    func.max(col(RoutingRule.id)),
                    func.max(col(RoutingRule.updated_at)),
                )
            )
        ).one()
    )
    key = str(session.get_bind().engine.url)
    cached = _rules_cache.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    parsed = await _load_rules(session)
    _rules_cache[key] = (fingerprint, parsed)
    return parsed


async def _load_rules(session: AsyncSession) -> list[RuleSpec]:
    rules = await session.scalars(
        select(RoutingRule)
        .where(col(RoutingRule.enabled).is_(True))
        .order_by(col(RoutingRule.position))
    )
    return [rule_spec(rule) for rule in rules]


async def customer_tiers(session: AsyncSession, customer_ids: Iterable[int]) -> dict[int, str]:
    ids = list(customer_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(Customer.id, Customer.tier).where(col(Customer.id).in_(ids))
    )
    return {customer_id: tier for customer_id, tier in rows if customer_id is not None}
