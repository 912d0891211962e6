"""The discrete-event simulation of one day: events on a heap, decisions by ``skills``.

What the live router does, and where the simulator does the same through the same function:

- a conversation arrives: ``match_rule`` -> ``requirements_for`` -> ``CarePolicy.is_intense``
  -> pushed by ``CandidateIndex.choose`` (eligibility, the rule's policy, care, the team's
  push limit) as router.routing.assignment does, else filed in the ``WaitingQueue`` under its
  ``QueueClass`` (priority, intense boost, ageing);
- an advisor gets room (a conversation ends, a shift or break starts or ends, a cool-down
  is over): they take ``WaitingQueue.best_for`` them, as a pull or a push on capacity does;
- an escalation step is reached (or a blended team's push-after delay): requirements are
  recomputed with ``requirements_for(..., waited_seconds)``, refiled and pushed again (the
  live waiting-room round runs every few seconds; here, at the exact moment);
- offer teams: the advisor holds the offer (and the capacity) until they accept after the
  team's ``accept`` delay; the wait ends then. Declines and timeouts are not modelled.
- a customer whose patience runs out while waiting (or offered) leaves: abandoned.

Not modelled: affinity (every customer is new), reply-window urgency, transfers, returns,
handling slowed by concurrency (each conversation holds one seat for its handling time).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from enum import IntEnum

from sim.scenario import AdvisorSpec, Scenario, TeamSpec
from sim.workload import Arrival, stream
from skills import (
    AdvisorProfile,
    AdvisorStatus,
    CandidateIndex,
    QueueClass,
    Requirements,
    RoutingMode,
    RuleSpec,
    WaitingQueue,
    match_rule,
    requirements_for,
)


class Kind(IntEnum):
    """Event kinds; at one instant, lower first (free seats before new arrivals)."""

    STATUS = 0
    END = 1
    ACCEPT = 2
    COOLDOWN = 3
    ABANDON = 4
    ARRIVAL = 5
    RETRY = 6


class State(IntEnum):
    WAITING = 0
    OFFERED = 1
    SERVING = 2
    DONE = 3
    ABANDONED = 4


@dataclass(slots=True)
class Conversation:
    arrival: Arrival
    rule: RuleSpec
    requirements: Requirements
    intense: bool
    state: State = State.WAITING
    advisor: int | None = None
    answered_at: float | None = None
    ended_at: float | None = None

    @property
    def wait(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.arrival.at


@dataclass(slots=True)
class Advisor:
    id: int
    name: str
    team: TeamSpec | None
    profile: AdvisorProfile
    since: float = 0.0  # last time occupancy was accrued
    intense_taken: int = 0


@dataclass
class Day:
    """One replication's record: every conversation, and seats held and offered by advisor
    and interval (seconds, while available)."""

    conversations: list[Conversation]
    advisors: list[Advisor]
    held: defaultdict[tuple[int, int], float] = field(default_factory=lambda: defaultdict(float))
    seats: defaultdict[tuple[int, int], float] = field(default_factory=lambda: defaultdict(float))


class Simulation:
    def __init__(self, scenario: Scenario, seed: int, replication: int) -> None:
        self.scenario = scenario
        self.now = 0.0
        self._heap: list[tuple[float, int, int, int]] = []
        self._seq = itertools.count()
        self._offers = stream(seed, replication, "offers")
        self.queue = WaitingQueue(scenario.queue)
        self.conversations: dict[int, Conversation] = {}
        self.advisors = {i: self._advisor(i, spec) for i, spec in enumerate(scenario.advisors, 1)}
        self.index = CandidateIndex(a.profile for a in self.advisors.values())
        self.day = Day([], list(self.advisors.values()))
        self._arrivals: dict[int, Arrival] = {}
        for advisor_id, spec in enumerate(scenario.advisors, 1):
            for at, status in spec.timetable:
                self._at(at, Kind.STATUS, advisor_id, int(list(AdvisorStatus).index(status)))

    def _advisor(self, advisor_id: int, spec: AdvisorSpec) -> Advisor:
        team = None if spec.team_id is None else self.scenario.teams[spec.team_id]
        limit, after = (None, None) if team is None else team.push_bounds
        profile = AdvisorProfile(
            id=advisor_id,
            name=spec.name,
            team_id=spec.team_id,
            status=AdvisorStatus.OFFLINE,
            languages=spec.languages,
            skills=spec.skills,
            capacity_total=spec.capacity,
            capacity_per_channel=spec.capacity_per_channel,
            load_total=0,
            load_per_channel={},
            last_assigned_at=None,
            push_limit=limit,
            push_after_seconds=after,
        )
        return Advisor(advisor_id, spec.name, team, profile)

    # -- the loop ---------------------------------------------------------------------------

    def run(self, arrivals: list[Arrival]) -> Day:
        for arrival in arrivals:
            self._arrivals[arrival.id] = arrival
            self._at(arrival.at, Kind.ARRIVAL, arrival.id)
        while self._heap:
            at, kind, ref, extra = self._pop()
            self.now = at
            self._handle(Kind(kind), ref, extra)
        self.now = max(self.now, self.scenario.horizon)
        for advisor in self.advisors.values():
            self._accrue(advisor)
        self.day.conversations = list(self.conversations.values())
        return self.day

    def _at(self, at: float, kind: Kind, ref: int, extra: int = 0) -> None:
        heapq.heappush(self._heap, (at, int(kind), next(self._seq), ref * 16 + extra))

    def _pop(self) -> tuple[float, int, int, int]:
        at, kind, _, packed = heapq.heappop(self._heap)
        return at, kind, packed // 16, packed % 16

    def _handle(self, kind: Kind, ref: int, extra: int) -> None:
        if kind == Kind.ARRIVAL:
            self._arrive(self._arrivals.pop(ref))
        elif kind == Kind.STATUS:
            self._status(self.advisors[ref], list(AdvisorStatus)[extra])
        elif kind == Kind.END:
            self._end(self.conversations[ref])
        elif kind == Kind.ACCEPT:
            self._accept(self.conversations[ref])
        elif kind == Kind.ABANDON:
            self._abandon(self.conversations[ref])
        elif kind == Kind.RETRY:
            self._retry(self.conversations[ref])
        else:  # COOLDOWN: an advisor may take intense work again
            self._refill(self.advisors[ref])

    # -- conversations ----------------------------------------------------------------------

    def _arrive(self, arrival: Arrival) -> None:
        facts = arrival.facts
        rule = match_rule(self.scenario.rules, facts)
        intense = self.scenario.care.is_intense(facts.emotion, facts.emotion_intensity)
        conversation = Conversation(arrival, rule, requirements_for(rule, facts), intense)
        self.conversations[arrival.id] = conversation
        if math.isfinite(arrival.patience):
            self._at(arrival.at + arrival.patience, Kind.ABANDON, arrival.id)
        for delay in self._retry_delays(rule):
            self._at(arrival.at + delay, Kind.RETRY, arrival.id)
        if not self._push(conversation):
            self._file(conversation)

    def _retry_delays(self, rule: RuleSpec) -> list[float]:
        """When a waiting conversation's chances change: its rule's escalation steps, and
        the blended teams' push-after delays."""
        delays = {float(step.after_seconds) for step in rule.escalation}
        for team in self.scenario.teams.values():
            if team.mode == RoutingMode.BLENDED and team.push_after_seconds is not None:
                delays.add(team.push_after_seconds)
        return sorted(delays)

    def _push(self, conversation: Conversation) -> bool:
        """The router's push (router.routing.assignment: the candidate index's winner,
        without the explanation nobody reads here)."""
        winner = self.index.winner(
            conversation.requirements,
            conversation.rule.policy,
            now=self.now,
            intense=conversation.intense,
            care=self.scenario.care,
            waited_seconds=self.now - conversation.arrival.at,
        )
        if winner is None:
            return False
        self._give(conversation, self.advisors[winner.id])
        return True

    def _file(self, conversation: Conversation) -> None:
        priority = self.scenario.queue.queue_priority(
            conversation.rule.priority, 0, conversation.intense
        )
        cls = QueueClass(conversation.requirements, conversation.intense, priority)
        self.queue.add(conversation.arrival.id, cls, conversation.arrival.at)

    def _retry(self, conversation: Conversation) -> None:
        """An escalation step (or a push-after delay) reached: relax, refile, push again."""
        if conversation.state != State.WAITING:
            return
        waited = self.now - conversation.arrival.at
        conversation.requirements = requirements_for(
            conversation.rule, conversation.arrival.facts, waited
        )
        self.queue.remove(conversation.arrival.id)
        if not self._push(conversation):
            self._file(conversation)

    def _give(self, conversation: Conversation, advisor: Advisor) -> None:
        self.queue.remove(conversation.arrival.id)
        conversation.advisor = advisor.id
        self._load(advisor, conversation, +1)
        advisor.intense_taken += conversation.intense
        team = advisor.team
        if team is not None and team.mode == RoutingMode.OFFER:
            conversation.state = State.OFFERED
            self._at(
                self.now + team.accept.sample(self._offers), Kind.ACCEPT, conversation.arrival.id
            )
        else:
            self._accept(conversation)

    def _accept(self, conversation: Conversation) -> None:
        if conversation.state not in (State.WAITING, State.OFFERED):
            return  # the customer left while it was offered
        conversation.state = State.SERVING
        conversation.answered_at = self.now
        self._at(self.now + conversation.arrival.handling, Kind.END, conversation.arrival.id)

    def _end(self, conversation: Conversation) -> None:
        conversation.state = State.DONE
        conversation.ended_at = self.now
        advisor = self.advisors[conversation.advisor or 0]
        self._load(advisor, conversation, -1)
        if conversation.intense and self.scenario.care.cooldown_seconds > 0:
            self._at(self.now + self.scenario.care.cooldown_seconds, Kind.COOLDOWN, advisor.id)
        self._refill(advisor)

    def _abandon(self, conversation: Conversation) -> None:
        if conversation.state == State.WAITING:
            self.queue.remove(conversation.arrival.id)
        elif conversation.state == State.OFFERED:  # the offer is withdrawn, no cool-down
            advisor = self.advisors[conversation.advisor or 0]
            conversation.advisor = None
            self._load(advisor, conversation, -1, ended=False)
            advisor.intense_taken -= conversation.intense
            self._refill(advisor)
        else:
            return
        conversation.state = State.ABANDONED
        conversation.ended_at = self.now

    # -- advisors ---------------------------------------------------------------------------

    def _status(self, advisor: Advisor, status: AdvisorStatus) -> None:
        self._accrue(advisor)
        self._update(advisor, status=status)
        self._refill(advisor)

    def _refill(self, advisor: Advisor) -> None:
        """An advisor with room takes the best waiting conversation they fit, until full
        (a pull, or the router's push on capacity: router.routing.assignment.claim_for_advisor)."""
        while True:
            profile = advisor.profile
            if profile.status != AdvisorStatus.AVAILABLE:
                return
            if profile.load_total >= profile.capacity_total:
                return
            head = self.queue.best_for(profile, now=self.now, care=self.scenario.care)
            if head is None:
                return
            self._give(self.conversations[head.conversation_id], advisor)

    def _load(
        self, advisor: Advisor, conversation: Conversation, delta: int, *, ended: bool = True
    ) -> None:
        self._accrue(advisor)
        profile = advisor.profile
        channel = conversation.arrival.facts.channel
        per_channel = dict(profile.load_per_channel)
        per_channel[channel] = per_channel.get(channel, 0) + delta
        intense = int(conversation.intense)
        changes: dict[str, object] = {
            "load_total": profile.load_total + delta,
            "load_per_channel": per_channel,
            "intense_load": profile.intense_load + delta * intense,
        }
        if delta > 0:
            changes["last_assigned_at"] = self.now
            changes["intense_today"] = profile.intense_today + intense
        elif intense and ended:
            changes["last_intense_ended_at"] = self.now
        elif intense:
            changes["intense_today"] = profile.intense_today - 1
        self._update(advisor, **changes)

    def _update(self, advisor: Advisor, **changes: object) -> None:
        advisor.profile = replace(advisor.profile, **changes)  # type: ignore[arg-type]
        self.index.update(advisor.profile)

    def _accrue(self, advisor: Advisor) -> None:
        """Seats held and offered since the last change, by interval (while available)."""
        start, end = advisor.since, min(self.now, self.scenario.horizon)
        advisor.since = self.now
        profile = advisor.profile
        if profile.status != AdvisorStatus.AVAILABLE or end <= start:
            return
        length = self.scenario.interval_seconds
        while start < end:
            interval = int(start // length)
            stop = min(end, (interval + 1) * length)
            self.day.held[advisor.id, interval] += profile.load_total * (stop - start)
            self.day.seats[advisor.id, interval] += profile.capacity_total * (stop - start)
            start = stop


def play(scenario: Scenario, arrivals: list[Arrival], seed: int, replication: int) -> Day:
    """One replication of ``scenario`` on these ``arrivals``."""
    return Simulation(scenario, seed, replication).run(arrivals)
