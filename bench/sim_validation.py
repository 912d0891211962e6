"""The simulator against the closed forms of issue 18, with the 2 % criterion: each figure's
95 % interval must contain the Erlang value and its half-width be under 2 % of it.

Steady state by long runs: each replication plays a long day at a constant rate (one
interval of warm-up deleted, then ``--hours`` reported), and replications are added in
rounds of ``--jobs`` until every figure meets the criterion (or ``--max-replications``).
Replications are independent (their own random streams), so the t interval over them is
exact whatever the autocorrelation inside one day; the stopping rule is sequential (as in
any fixed-precision run), stated in docs/benchmarks.md.

    .venv/bin/python bench/sim_validation.py                 # every case, until 2 %
    .venv/bin/python bench/sim_validation.py --case mmn-erlang-c --hours 24 --jobs 2
    .venv/bin/python bench/sim_validation.py --case pooling-pooled --max-replications 10
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

# Run as a script, bench/ comes first on the path and its channels.py would shadow the
# channels package the router imports: the repository root goes first instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from router.cli.scenario_file import load_scenario  # noqa: E402
from sim import Scenario, erlang_a, erlang_c, estimate  # noqa: E402
from sim.engine import play  # noqa: E402
from sim.erlang import erlang_c_figures  # noqa: E402
from sim.metrics import Figures, figures_of  # noqa: E402
from sim.workload import workload  # noqa: E402

SCENARIOS = Path(__file__).parent / "scenarios"
MIN_REPLICATIONS = 10  # the sequential rule stops no earlier (a variance from 2 is luck)


@dataclass(frozen=True)
class Case:
    name: str  # bench/scenarios/<name>.yaml
    expected: dict[str, float]  # figure of the whole day -> its closed-form value


def cases() -> list[Case]:
    c = erlang_c_figures(55, 360 / 1800, 240, 15)
    a = erlang_a(52, 360 / 1800, 240, 600, 15)
    separate = erlang_c_figures(14, 10 / 300, 300, 20)
    pooled = erlang_c_figures(67, 60 / 300, 300, 20)
    return [
        Case(
            "mmn-erlang-c",
            {"p_wait": c.p_wait, "asa_seconds": c.asa_seconds, "service_level": c.service_level},
        ),
        Case("mmn-erlang-a", {"abandon_rate": a.abandon_rate, "service_level": a.service_level}),
        Case("pooling-separate", {"service_level": separate.service_level}),
        Case("pooling-pooled", {"service_level": pooled.service_level}),
        Case("chaining-one-skill", {"p_wait": erlang_c(15, 14.0)}),
        Case("chaining-two-skills", {"p_wait": 0.48}),  # Wallace and Whitt, approximate
        Case("chaining-all-skills", {"p_wait": erlang_c(90, 84.0)}),
    ]


def long_day(scenario: Scenario, hours: float) -> Scenario:
    """The scenario's steady rate over one warm-up interval and ``hours`` reported."""
    rate = scenario.per_interval[-1]
    reported = max(1, round(hours * 3600 / scenario.interval_seconds))
    return replace(scenario, per_interval=(rate,) * (1 + reported), warmup_intervals=1)


def one(args: tuple[Scenario, int, int]) -> Figures:
    scenario, seed, replication = args
    day = play(scenario, workload(scenario, seed, replication), seed, replication)
    return {k: v for k, v in figures_of(day, scenario).items() if k == ("all", "day")}


def run(case: Case, hours: float, jobs: int, seed: int, max_reps: int, target: float) -> dict:
    scenario = long_day(load_scenario(SCENARIOS / f"{case.name}.yaml"), hours)
    runs: list[Figures] = []
    cpu_before = _children_cpu()
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        while len(runs) < max_reps:
            batch = [(scenario, seed, len(runs) + k) for k in range(max(2, jobs))]
            runs.extend(pool.map(one, batch))
            day = estimate(runs)["all", "day"]
            widths = {m: (day[m].half_width or 1.0) / abs(day[m].mean) for m in case.expected}
            progress = {m: f"{day[m].mean:.4f} ±{100 * w:.2f} %" for m, w in widths.items()}
            print(case.name, len(runs), progress, file=sys.stderr, flush=True)
            if len(runs) >= MIN_REPLICATIONS and all(w < target for w in widths.values()):
                break  # not before: two lucky replications can look narrow
    arrivals = sum(r["all", "day"]["offered"] or 0 for r in runs)
    figures = {
        m: {
            "expected": round(v, 4),
            **day[m].to_dict(5),
            "half_width_pct": round(100 * widths[m], 2),
            "contains": day[m].contains(v),
        }
        for m, v in case.expected.items()
    }
    return {
        "case": case.name,
        "replications": len(runs),
        "hours_per_replication": hours,
        "conversations": int(arrivals),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "figures": figures,
        "meets_criterion": all(
            f["contains"] and f["half_width_pct"] < 100 * target for f in figures.values()
        ),
        "cpu_seconds": round(_children_cpu() - cpu_before, 1),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--case", action="append", help="mmn-erlang-c, mmn-erlang-a (default: both)"
    )
    parser.add_argument("--hours", type=float, default=24.0, help="reported hours per replication")
    parser.add_argument("--jobs", type=int, default=2, help="processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-replications", type=int, default=400)
    parser.add_argument("--target", type=float, default=0.02, help="half-width / mean")
    args = parser.parse_args()
    chosen = [c for c in cases() if args.case is None or c.name in args.case]
    for case in chosen:
        result = run(case, args.hours, args.jobs, args.seed, args.max_replications, args.target)
        print(json.dumps(result, indent=2), flush=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of a worker process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
