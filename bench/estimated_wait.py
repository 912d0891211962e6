"""The estimated wait (issue 15) against the realised wait, on a replayed (simulated) day.

router.routing.standing tells a waiting customer their place and the wait to expect:
``ceil(position / rate)``, where *position* is 1 + the conversations of the same queue
(channel, team) the waiting order serves first, and *rate* the larger of the queue's
throughput (conversations an advisor took in the last ``SERVICE_WINDOW``, 30 min) and its
seats (conversations held now over their mean handling time): ``standing.Service``. This
replays a scenario through the simulator (sim/) and, for every conversation that had to
wait, computes that same estimate at its arrival from the simulated record (who waited in
its queue then, with their effective priority and age; who was taken in the 30 minutes
before, who was being served and how long the ones ended lately took), then compares it
with the wait it got. Customers who left are censored (their wait is unknown) and left
out; so are arrivals whose queue gives no reading yet (no estimate is given).

``--throughput-only`` computes the former estimate (throughput alone) for comparison.

The issue's figure is "within 20 % of the realised wait": printed per conversation (the
share whose estimate is within ±20 %, the median relative error) and per interval (the mean
estimate over the mean realised wait of the interval's waiting customers).

    .venv/bin/python -m bench.estimated_wait [SCENARIO.yaml] [--replications 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import defaultdict
from pathlib import Path

from router.cli.scenario_file import load_scenario
from router.routing.standing import SERVICE_WINDOW, Service
from sim.engine import Conversation, play
from sim.scenario import Scenario
from sim.workload import workload
from skills import requirements_for

WINDOW = SERVICE_WINDOW.total_seconds()
DEFAULT = Path(__file__).resolve().parents[1] / "examples" / "simulation" / "demo-day.yaml"

Queue = tuple[str, int | None]


def queue_of(conversation: Conversation) -> Queue:
    """The queue the router counts it in at arrival: its channel and its rule's team."""
    facts = conversation.arrival.facts
    return facts.channel, requirements_for(conversation.rule, facts).team_id


def service_at(
    members: list[Conversation], team: list[Conversation], t: float, *, seats: bool
) -> Service:
    """The queue's service reading at ``t``, as router.routing.standing reads it: taken
    from the queue's ``members``, seats from its ``team``'s conversations on any channel."""
    taken = sum(
        1 for c in members if c.answered_at is not None and t - WINDOW <= c.answered_at <= t
    )
    if not seats:
        return Service(taken, 0, None)
    busy = 0
    handled: list[float] = []
    for c in team:
        if c.answered_at is None or c.answered_at > t:
            continue
        if c.ended_at is None or c.ended_at > t:
            busy += 1
        elif c.ended_at >= t - WINDOW:
            handled.append(c.ended_at - c.answered_at)
    return Service(taken, busy, statistics.fmean(handled) if handled else None)


def estimates(
    scenario: Scenario, seed: int, replication: int, *, seats: bool = True
) -> list[tuple[int, float, float]]:
    """(interval, estimate, realised wait) of every answered conversation that waited."""
    day = play(scenario, workload(scenario, seed, replication), seed, replication)
    by_queue: dict[Queue, list[Conversation]] = defaultdict(list)
    by_team: dict[int | None, list[Conversation]] = defaultdict(list)
    for c in sorted(day.conversations, key=lambda c: c.arrival.at):
        by_queue[queue_of(c)].append(c)
        by_team[queue_of(c)[1]].append(c)
    out = []
    for (_, team), members in by_queue.items():
        for c in members:
            t = c.arrival.at
            if c.answered_at is None or c.answered_at <= t:
                continue  # left (censored), or pushed at once (never waited)
            per_second = service_at(members, by_team[team], t, seats=seats).per_second()
            if per_second == 0:
                continue
            ahead = sum(1 for other in members if _ahead_of(other, c, t, scenario))
            estimate = math.ceil((ahead + 1) / per_second)
            out.append((c.arrival.interval, float(estimate), c.answered_at - t))
    return out


def _ahead_of(other: Conversation, mine: Conversation, t: float, scenario: Scenario) -> bool:
    """Waiting at ``t`` and served before ``mine`` by the waiting order (effective priority,
    then age), as router.routing.standing counts them."""
    if other is mine or other.arrival.at >= t:
        return False
    left = other.ended_at if other.answered_at is None else other.answered_at
    if left is not None and left <= t:
        return False
    queue = scenario.queue
    theirs = queue.queue_priority(other.rule.priority, 0, other.intense)
    gap = theirs - queue.queue_priority(mine.rule.priority, 0, mine.intense)
    return gap + queue.ageing_per_minute * (t - other.arrival.at) / 60 >= 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--throughput-only", action="store_true", help="the former estimate, for comparison"
    )
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    seats = not args.throughput_only
    rows = [
        r for i in range(args.replications) for r in estimates(scenario, args.seed, i, seats=seats)
    ]
    if not rows:
        print("nobody waited: nothing to compare")
        return
    errors = [abs(e - w) / w for _, e, w in rows]
    within = sum(1 for x in errors if x <= 0.2) / len(errors)
    print(f"{args.scenario.name}: {args.replications} replications, {len(rows)} waits compared")
    median = statistics.median(errors)
    print(f"per conversation: within ±20 % {within:.1%}, median |error| {median:.1%}")
    print(
        f"  mean estimate {statistics.fmean(e for _, e, _ in rows):.0f} s, "
        f"mean realised wait {statistics.fmean(w for *_, w in rows):.0f} s"
    )
    per_interval: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for interval, e, w in rows:
        per_interval[interval].append((e, w))
    ratios = []
    print("interval  waits  mean estimate s  mean realised s  ratio")
    for interval in sorted(per_interval):
        pairs = per_interval[interval]
        e, w = statistics.fmean(p[0] for p in pairs), statistics.fmean(p[1] for p in pairs)
        ratios.append(e / w)
        print(f"{interval:8d}  {len(pairs):5d}  {e:15.0f}  {w:15.0f}  {e / w:5.2f}")
    good = sum(1 for r in ratios if 0.8 <= r <= 1.2)
    print(f"per interval: {good} of {len(ratios)} within ±20 % (mean estimate / mean wait)")


if __name__ == "__main__":
    main()
