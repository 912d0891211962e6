"""The figures of one simulated day, by group (everyone, each team, each queue) and period
(the day, each interval), with the live reports' definitions (router.supervision.kpi):

- offered: conversations that arrived; answered: reached an advisor (offer accepted);
  abandoned: left before; a conversation counts in the interval it arrived in.
- service_level: answered within the target's seconds / settled (answered, abandoned, or
  never answered: all of them at the end of a simulated day), so abandonment is a miss.
- asa_seconds: mean wait of the answered; p_wait: share of the offered not answered at
  once; abandon_rate: abandoned / offered.
- occupancy: seat-seconds held / seat-seconds offered while available (teams, everyone).
- intense_per_advisor and intense_gini (day only): intense conversations each advisor of
  the group took, their mean and their spread.
- per advisor (group "advisor:<name>", day only): intense_taken and occupancy, the
  distribution the report draws.

A conversation's team is its advisor's, else its rule's, else "no team"; its queue, its
rule's name. Warm-up intervals are played but not reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sim.engine import Advisor, Conversation, Day
from sim.scenario import Scenario
from sim.stats import gini

NO_TEAM = "no team"
ALL = "all"
DAY = "day"
ADVISOR = "advisor:"
Key = tuple[str, str]  # (group, period): ("team:Front office", "day"), ("all", "3")
Figures = dict[Key, dict[str, float | None]]


def figures_of(day: Day, scenario: Scenario) -> Figures:
    """Every figure of one replication."""
    teams = {advisor.id: _team_name(scenario, advisor.profile.team_id) for advisor in day.advisors}
    reported = range(scenario.warmup_intervals, len(scenario.per_interval))
    by_key: dict[Key, list[Conversation]] = defaultdict(list)
    for conversation in day.conversations:
        interval = conversation.arrival.interval
        if interval not in reported:
            continue
        for group in _groups(conversation, teams, scenario):
            by_key[group, DAY].append(conversation)
            by_key[group, str(interval)].append(conversation)
    out: Figures = {}
    groups = {ALL, *(f"team:{name}" for name in teams.values())} | {g for g, _ in by_key}
    for group in sorted(groups):
        for period in (DAY, *map(str, reported)):
            members = [a for a in day.advisors if _in_group(group, teams[a.id])]
            figures = _service(by_key.get((group, period), []), scenario.target.seconds)
            figures["occupancy"] = (
                _occupancy(day, members, period, reported) if members or group == ALL else None
            )
            if period == DAY and (members or group == ALL):
                taken = [float(a.intense_taken) for a in members]
                figures["intense_per_advisor"] = sum(taken) / len(taken) if taken else None
                figures["intense_gini"] = gini(taken) if taken else None
            out[group, period] = figures
    for advisor in day.advisors:
        out[f"{ADVISOR}{advisor.name}", DAY] = {
            "intense_taken": float(advisor.intense_taken),
            "occupancy": _occupancy(day, [advisor], DAY, reported),
        }
    return out


def _groups(conversation: Conversation, teams: dict[int, str], scenario: Scenario) -> list[str]:
    if conversation.advisor is not None:
        team = teams[conversation.advisor]
    else:
        team = _team_name(scenario, conversation.requirements.team_id or conversation.rule.team_id)
    return [ALL, f"team:{team}", f"queue:{conversation.rule.name}"]


def _in_group(group: str, team: str) -> bool:
    return group == ALL or group == f"team:{team}"


def _team_name(scenario: Scenario, team_id: int | None) -> str:
    team = None if team_id is None else scenario.teams.get(team_id)
    return NO_TEAM if team is None else team.name


def _service(conversations: list[Conversation], target: float) -> dict[str, float | None]:
    offered = len(conversations)
    waits = [c.wait for c in conversations if c.wait is not None]
    answered = len(waits)
    abandoned = sum(1 for c in conversations if c.answered_at is None and c.ended_at is not None)
    at_once = sum(1 for w in waits if w <= 0.0)
    return {
        "offered": float(offered),
        "answered": float(answered),
        "abandoned": float(abandoned),
        "service_level": _ratio(sum(1 for w in waits if w <= target), offered),
        "asa_seconds": _ratio(sum(waits), answered),
        "p_wait": _ratio(offered - at_once, offered),
        "abandon_rate": _ratio(abandoned, offered),
    }


def _occupancy(day: Day, advisors: Iterable[Advisor], period: str, reported: range) -> float | None:
    intervals = list(reported) if period == DAY else [int(period)]
    ids = [a.id for a in advisors]
    held = sum(day.held[i, k] for i in ids for k in intervals)
    seats = sum(day.seats[i, k] for i in ids for k in intervals)
    return _ratio(held, seats)


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None
