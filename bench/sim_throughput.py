"""Simulator throughput: simulated conversations per CPU second and peak memory, one
replication at a time, on a day of a 200-advisor centre (bench/scenarios/centre-200-day.yaml,
about 40,000 conversations; issue 18's goal: under 30 s on one core).

    .venv/bin/python bench/sim_throughput.py
    .venv/bin/python bench/sim_throughput.py --scenario bench/scenarios/mmn-erlang-c.yaml -n 5
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

# Run as a script, bench/ comes first on the path and its channels.py would shadow the
# channels package the router imports: the repository root goes first instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from router.cli.scenario_file import load_scenario  # noqa: E402
from sim.engine import play  # noqa: E402
from sim.metrics import figures_of  # noqa: E402
from sim.workload import workload  # noqa: E402

DEFAULT = Path(__file__).parent / "scenarios" / "centre-200-day.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=DEFAULT)
    parser.add_argument("-n", "--replications", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    print(f"{scenario.name}: {len(scenario.advisors)} advisors")
    for replication in range(args.replications):
        start = time.process_time()
        arrivals = workload(scenario, args.seed, replication)
        drawn = time.process_time()
        day = play(scenario, arrivals, args.seed, replication)
        played = time.process_time()
        figures_of(day, scenario)
        done = time.process_time()
        print(
            f"replication {replication}: {len(arrivals)} conversations; CPU s: workload "
            f"{drawn - start:.2f}, play {played - drawn:.2f}, figures {done - played:.2f}, "
            f"total {done - start:.2f} -> {len(arrivals) / (done - start):,.0f} conversations/s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB (the interpreter and the router's imports included)")


if __name__ == "__main__":
    main()
