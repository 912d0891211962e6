"""A scenario built from what the database recorded on one day: replay yesterday.

The day runs from midnight to midnight in the routing config's ``day_timezone``, cut into
intervals. The scope is one team (its conversations and advisors as the KPIs define them,
router.supervision.kpi) or everyone. Read from the rows:

- **arrivals**: conversations opened (``created_at``) per interval, as Poisson means, and
  their mix by channel, language, intent, emotion (mean intensity) and customer tier;
- **handling**: ``accepted_at`` to ``ended_at`` of the accepted assignments that ended that
  day (the KPIs' handling time), empirical per intent and channel (router.simulation.fitting);
- **patience**: exponential per channel, from the abandoned conversations' waits, the
  answered ones' waits counting as censored (fitting.patience states the estimator);
- **advisors**: their available spans from the status history (as the interval report
  reads it, router.supervision.occupancy) become shifts; skills, languages and capacities
  are today's (changes to them are not recorded);
- **teams, rules, care and waiting order**: the ones in force now (what a what-if compares).

Messages' text is not copied: keyword conditions of the rules do not match replayed
conversations (their intent, emotion, language, channel and tier conditions do).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as select_many
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import NotFound
from router.models import Advisor, AdvisorSkill, Assignment, Conversation, Customer, Skill, Team
from router.routing import config
from router.routing.config import RoutingPolicy
from router.routing.rules import export_rules
from router.simulation import fitting
from router.store import Database
from router.store.types import utcnow
from router.supervision.occupancy import available_spans, status_changes
from sim import ScenarioError


async def day_scenario(
    db: Database, day: date, *, team_id: int | None = None, interval_minutes: int = 30
) -> dict[str, Any]:
    """The scenario mapping of ``day`` (rules inline): ready for ``sim.parse`` or a file."""
    rules = [rule.model_dump(mode="json") for rule in (await export_rules(db)).rules]
    async with db.read_session() as session:
        policy = await config.current(session)
        start = datetime.combine(day, time(), policy.day_zone)
        end = datetime.combine(day + timedelta(days=1), time(), policy.day_zone)
        teams = await _teams(session, team_id)
        advisors = await _advisors(session, team_id)
        ids = [a.id for a in advisors if a.id is not None]
        scope = _scope(team_id, ids)
        arrivals, waits = await _arrivals(session, scope, start, end)
        samples, accept = await _handled(session, None if team_id is None else ids, start, end)
        people = await _people(session, advisors, start, end)
    step = interval_minutes * 60.0
    count = max(1, round((end - start).total_seconds() / step))
    if not people:
        raise ScenarioError("advisors", f"nobody was available on {day}: nothing to replay")
    handling = fitting.handling(samples)
    if not handling:
        raise ScenarioError("handling", f"no conversation was handled on {day}: no handling time")
    return {
        "name": f"history {day.isoformat()}" + (f" team {team_id}" if team_id else ""),
        "start": start.isoformat(),
        "interval_minutes": interval_minutes,
        "service_level": _target(teams),
        "arrivals": {
            "per_interval": fitting.per_interval(arrivals, step, count),
            "mix": fitting.mix(arrivals) or [{"channel": "chat"}],
        },
        "handling": handling,
        "patience": fitting.patience(waits) or None,
        "care": _care(policy),
        "queue": {
            "ageing_per_minute": policy.queue.ageing_per_minute,
            "intense_boost": policy.queue.intense_boost,
        },
        "teams": [_team(team, accept.get(team.id or 0)) for team in teams],
        "advisors": people,
        "rules": rules,
        "notes": "built by --from-history: see router/simulation/history.py for each estimate",
    }


def _scope(team_id: int | None, advisor_ids: list[int]) -> Any:
    if team_id is None:
        return True
    return or_(
        col(Conversation.queue_team_id) == team_id, col(Conversation.assignee_id).in_(advisor_ids)
    )


async def _teams(session: AsyncSession, team_id: int | None) -> list[Team]:
    query = select(Team).order_by(col(Team.id))
    if team_id is not None:
        query = query.where(col(Team.id) == team_id)
    teams = list((await session.scalars(query)).all())
    if team_id is not None and not teams:
        raise NotFound(f"team {team_id} does not exist", field="team_id")
    return teams


async def _advisors(session: AsyncSession, team_id: int | None) -> list[Advisor]:
    query = select(Advisor).order_by(col(Advisor.id))
    if team_id is not None:
        query = query.where(col(Advisor.team_id) == team_id)
    return list((await session.scalars(query)).all())


async def _arrivals(
    session: AsyncSession, scope: Any, start: datetime, end: datetime
) -> tuple[list[fitting.Arrival], list[fitting.Wait]]:
    first_accepted = (
        select(func.min(Assignment.accepted_at))
        .where(col(Assignment.conversation_id) == col(Conversation.id))
        .scalar_subquery()
    )
    rows = await session.execute(
        select_many(  # sqlmodel's select types at most four columns
            col(Conversation.created_at),
            col(Conversation.channel),
            col(Conversation.language),
            col(Conversation.intent),
            col(Conversation.emotion),
            col(Conversation.emotion_intensity),
            col(Customer.tier),
            col(Conversation.abandoned_at),
            first_accepted,
        )
        .join(Customer, col(Customer.id) == col(Conversation.customer_id))
        .where(scope, col(Conversation.created_at) >= start, col(Conversation.created_at) < end)
    )
    t0, cut = start.timestamp(), min(end, utcnow())
    arrivals, waits = [], []
    for created, channel, language, intent, emotion, intensity, tier, left, accepted in rows:
        arrivals.append(
            fitting.Arrival(
                created.timestamp() - t0, str(channel), language, intent, emotion, intensity, tier
            )
        )
        abandoned = accepted is None and left is not None
        until = accepted if accepted is not None else (left if left is not None else cut)
        waits.append(fitting.Wait(str(channel), (until - created).total_seconds(), abandoned))
    return arrivals, waits


async def _handled(
    session: AsyncSession, advisor_ids: list[int] | None, start: datetime, end: datetime
) -> tuple[dict[tuple[str | None, str], list[float]], dict[int, float]]:
    """Handling times by (intent, channel), and each team's mean delay to accept (offers)."""
    query = (
        select_many(  # sqlmodel's select types at most four columns
            col(Conversation.intent),
            col(Assignment.channel),
            col(Assignment.assigned_at),
            col(Assignment.accepted_at),
            col(Assignment.ended_at),
            col(Advisor.team_id),
        )
        .join(Conversation, col(Conversation.id) == col(Assignment.conversation_id))
        .join(Advisor, col(Advisor.id) == col(Assignment.advisor_id))
        .where(
            col(Assignment.accepted_at).is_not(None),
            col(Assignment.ended_at) >= start,
            col(Assignment.ended_at) < end,
        )
    )
    if advisor_ids is not None:
        query = query.where(col(Assignment.advisor_id).in_(advisor_ids))
    samples: dict[tuple[str | None, str], list[float]] = defaultdict(list)
    delays: dict[int, list[float]] = defaultdict(list)
    for intent, channel, assigned, accepted, ended, team in await session.execute(query):
        assert accepted is not None and ended is not None  # the query's conditions
        samples[intent, str(channel)].append((ended - accepted).total_seconds())
        if team is not None and accepted > assigned:
            delays[team].append((accepted - assigned).total_seconds())
    return samples, {team: sum(v) / len(v) for team, v in delays.items()}


async def _people(
    session: AsyncSession, advisors: list[Advisor], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The advisors available at some point of the day, their spans as shifts."""
    ids = [a.id for a in advisors if a.id is not None]
    changes = await status_changes(session, ids, start, end)
    skills: dict[int, dict[str, int]] = defaultdict(dict)
    for advisor_id, name, level in await session.execute(
        select(AdvisorSkill.advisor_id, Skill.name, AdvisorSkill.level)
        .join(Skill, col(Skill.id) == col(AdvisorSkill.skill_id))
        .where(col(AdvisorSkill.advisor_id).in_(ids))
    ):
        skills[advisor_id][name] = level
    t0, t1 = start.timestamp(), min(end, utcnow()).timestamp()
    people = []
    for advisor in advisors:
        assert advisor.id is not None
        created = advisor.created_at.replace(tzinfo=advisor.created_at.tzinfo or UTC).timestamp()
        spans = available_spans(
            changes.get(advisor.id, []), str(advisor.status), max(t0, created), t1
        )
        shifts = fitting.shifts(spans, t0)
        if not shifts:
            continue
        person: dict[str, Any] = {
            "name": advisor.name,
            "team": advisor.team_id,
            "languages": sorted(advisor.languages),
            "skills": skills.get(advisor.id, {}),
            "capacity": advisor.capacity_total,
            "shifts": shifts,
        }
        if advisor.capacity_per_channel:
            person["capacity_per_channel"] = dict(advisor.capacity_per_channel)
        people.append(person)
    return people


def _team(team: Team, accept_mean: float | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": team.id, "name": team.name, "mode": str(team.routing_mode)}
    if team.routing_mode == "blended":
        entry["push_limit"] = team.push_limit
        if team.push_after_seconds is not None:
            entry["push_after_seconds"] = team.push_after_seconds
    if team.routing_mode == "offer" and accept_mean:
        entry["accept"] = {"exponential": round(accept_mean, 1)}
    return entry


def _target(teams: list[Team]) -> str:
    """The first team's service-level target (the scenario has one)."""
    if not teams:
        return "80/60"
    percent = min(99.9, teams[0].service_level_percent)  # sim needs 0 < X < 100
    return f"{percent:g}/{teams[0].service_level_seconds}"


def _care(policy: RoutingPolicy) -> dict[str, Any]:
    care = policy.care
    return {
        "intense_emotions": sorted(care.intense_emotions),
        "intense_threshold": care.intense_threshold,
        "cooldown_seconds": care.cooldown_seconds,
        "max_intense": care.max_intense,
    }
