"""What a batch of routing decisions shares, read once per batch (never commits)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.models import Assignment, Conversation, RoutingExclusion
from router.routing import config as routing_config
from router.routing import profiles, teams
from router.routing.config import RoutingPolicy
from router.store.types import utcnow
from skills import AdvisorProfile, CandidateIndex, RuleSpec

AFFINITY_WINDOW = timedelta(days=7)


@dataclass
class RoutingContext:
    """What a batch of routing decisions shares, read once: rules, tunables, each returning
    customer's last advisor, the teams' offer settings and an indexed advisor snapshot.
    Decisions are still made safe by locking the chosen advisor and recounting their load;
    the snapshot only proposes candidates."""

    rules: list[RuleSpec]
    last_advisor: dict[int, int]  # customer id -> advisor id, within the affinity window
    policy: RoutingPolicy = routing_config.DEFAULT_POLICY
    offers: dict[int, int] = field(default_factory=dict)  # team id -> offer timeout (s)
    now: datetime = field(default_factory=utcnow)
    index: CandidateIndex | None = None
    # conversation id -> the message that made it routed now (for the decision's log line)
    messages: dict[int, int] = field(default_factory=dict)

    @classmethod
    async def load(
        cls, session: AsyncSession, *, returning_customers: Sequence[int]
    ) -> RoutingContext:
        rules = await profiles.active_rules(session)
        return cls(
            rules,
            await _last_advisors(session, returning_customers),
            policy=await routing_config.current(session),
            offers=await offer_timeouts(session),
        )

    @property
    def day_start(self) -> datetime:
        return self.policy.day_start(self.now)

    async def candidates(self, session: AsyncSession) -> CandidateIndex:
        if self.index is None:
            snapshot = await profiles.available_profiles(session, self.day_start)
            self.index = CandidateIndex(snapshot)
        return self.index

    def remember(self, advisor: AdvisorProfile) -> None:
        """Fresher data about one advisor (after locking it, or after assigning to it)."""
        if self.index is not None:
            self.index.update(advisor)

    def offer_seconds(self, advisor: AdvisorProfile) -> int | None:
        """The offer timeout when the advisor's team works by offers, else None."""
        return None if advisor.team_id is None else self.offers.get(advisor.team_id)


async def offer_timeouts(session: AsyncSession) -> dict[int, int]:
    """Team id -> offer timeout, for the teams working by offers."""
    found = await teams.services(session)
    return {
        team_id: service.offer_seconds
        for team_id, service in found.items()
        if service.offer_timeout is not None
    }


async def _last_advisors(session: AsyncSession, customer_ids: Sequence[int]) -> dict[int, int]:
    """Affinity: each customer's most recent advisor within the window."""
    if not customer_ids:
        return {}
    rows = await session.execute(
        select(Conversation.customer_id, Assignment.advisor_id, Assignment.assigned_at)
        .join(Conversation, col(Conversation.id) == col(Assignment.conversation_id))
        .where(
            col(Conversation.customer_id).in_(list(customer_ids)),
            col(Assignment.assigned_at) >= utcnow() - AFFINITY_WINDOW,
            col(Assignment.accepted_at).is_not(None),
        )
        .order_by(col(Assignment.assigned_at))
    )
    return {customer_id: advisor_id for customer_id, advisor_id, _ in rows}


async def avoided(
    session: AsyncSession, conversation_ids: Sequence[int], now: datetime
) -> dict[int, dict[int, str]]:
    """Per conversation, the advisors kept away from it (declined or let an offer expire)."""
    if not conversation_ids:
        return {}
    rows = await session.execute(
        select(
            RoutingExclusion.conversation_id, RoutingExclusion.advisor_id, RoutingExclusion.reason
        ).where(
            col(RoutingExclusion.conversation_id).in_(list(conversation_ids)),
            col(RoutingExclusion.expires_at) > now,
        )
    )
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for conversation_id, advisor_id, reason in rows:
        found[conversation_id][advisor_id] = reason
    return found
