"""How each team's queue is served (its routing mode and limits), read once per transaction.

Rules and escalation steps decide *which* queue a conversation waits in; the team's mode
decides *how* it reaches an advisor: pushed at once, offered, pulled, or blended. The mode
reaches the pure domain as each advisor's push limit (``AdvisorProfile.push_limit``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select as columns
from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Team
from router.store.memo import once_per_transaction, remember
from skills import RoutingMode

_SESSION_KEY = "aiguillage.team_service"


@dataclass(frozen=True, slots=True)
class TeamService:
    mode: RoutingMode
    offer_seconds: int
    push_limit: int
    push_after_seconds: int | None
    pick_limit: int | None
    return_after_seconds: int | None

    @property
    def offer_timeout(self) -> int | None:
        """Seconds an offer stands when the team works by offers, else None."""
        return self.offer_seconds if self.mode == RoutingMode.OFFER else None

    @property
    def push_bounds(self) -> tuple[int | None, float | None]:
        """(push limit, push after seconds) for the team's advisors' routing profiles."""
        if self.mode == RoutingMode.PULL:
            return 0, None
        if self.mode == RoutingMode.BLENDED:
            after = self.push_after_seconds
            return self.push_limit, None if after is None else float(after)
        return None, None


def pushes_more(now: TeamService, before: TeamService) -> bool:
    """Whether the router may now push an advisor work it could not push before."""
    limit, after = now.push_bounds
    old_limit, old_after = before.push_bounds
    if limit is None:
        return old_limit is not None
    if old_limit is None:
        return False
    return limit > old_limit or (after is not None and (old_after is None or after < old_after))


PUSHED = TeamService(RoutingMode.PUSH, 30, 1, None, None, None)  # advisors without a team


def service_of(team: Team) -> TeamService:
    return TeamService(
        mode=RoutingMode(team.routing_mode),
        offer_seconds=team.offer_timeout_seconds,
        push_limit=team.push_limit,
        push_after_seconds=team.push_after_seconds,
        pick_limit=team.pick_limit,
        return_after_seconds=team.return_after_seconds,
    )


async def services(session: AsyncSession) -> dict[int, TeamService]:
    """Every team's service, read once per transaction (teams are few)."""
    return await once_per_transaction(session, _SESSION_KEY, _read)


async def service(session: AsyncSession, team_id: int | None) -> TeamService:
    if team_id is None:
        return PUSHED
    return (await services(session)).get(team_id, PUSHED)


_COLUMNS: tuple[Any, ...] = (
    Team.id,
    Team.routing_mode,
    Team.offer_timeout_seconds,
    Team.push_limit,
    Team.push_after_seconds,
    Team.pick_limit,
    Team.return_after_seconds,
)


COLUMNS = _COLUMNS  # what services reads, for a statement reading them with others


async def _read(session: AsyncSession) -> dict[int, TeamService]:
    """The columns only (no Team instances to track): the rows as committed or flushed."""
    with session.no_autoflush:
        rows = await session.execute(columns(*_COLUMNS))
    return from_rows(rows)


def from_rows(rows: Iterable[Sequence[Any]]) -> dict[int, TeamService]:
    """Team services from rows of COLUMNS."""
    return {
        team_id: TeamService(
            mode=RoutingMode(mode),
            offer_seconds=offer_seconds,
            push_limit=push_limit,
            push_after_seconds=push_after_seconds,
            pick_limit=pick_limit,
            return_after_seconds=return_after_seconds,
        )
        for (
            team_id,
            mode,
            offer_seconds,
            push_limit,
            push_after_seconds,
            pick_limit,
            return_after_seconds,
        ) in rows
        if team_id is not None
    }


def read_along(session: AsyncSession, services_now: dict[int, TeamService]) -> None:
    """Keep team services read by another statement of this transaction (the routing
    config's read): services() then answers without a statement of its own."""
    remember(session, _SESSION_KEY, services_now)
