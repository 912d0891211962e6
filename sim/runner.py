"""Replications: play a scenario N times on independent streams and estimate every figure;
compare two scenarios on common random numbers (paired differences)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sim.engine import play
from sim.metrics import Figures, Key, figures_of
from sim.scenario import Scenario
from sim.stats import Estimate
from sim.workload import workload

Estimates = dict[Key, dict[str, Estimate]]
Progress = Callable[[int], None]  # called with the number of replications done


def simulate(
    scenario: Scenario, replications: int, seed: int, progress: Progress | None = None
) -> tuple[Estimates, list[Figures]]:
    """Estimates of every figure, and each replication's figures."""
    runs = []
    for replication in range(replications):
        arrivals = workload(scenario, seed, replication)
        runs.append(figures_of(play(scenario, arrivals, seed, replication), scenario))
        if progress is not None:
            progress(replication + 1)
    return estimate(runs), runs


@dataclass(frozen=True)
class Comparison:
    base: Estimates
    other: Estimates
    difference: Estimates  # other minus base, paired replication by replication


def compare(
    base: Scenario,
    other: Scenario,
    replications: int,
    seed: int,
    progress: Progress | None = None,
) -> Comparison:
    """Both scenarios on the same customers in each replication (their arrival, kind,
    handling and patience streams are shared), and the paired differences."""
    base_runs, other_runs, differences = [], [], []
    for replication in range(replications):
        arrivals = workload(base, seed, replication)
        a = figures_of(play(base, arrivals, seed, replication), base)
        b = figures_of(play(other, workload(other, seed, replication), seed, replication), other)
        base_runs.append(a)
        other_runs.append(b)
        differences.append(_minus(b, a))
        if progress is not None:
            progress(replication + 1)
    return Comparison(estimate(base_runs), estimate(other_runs), estimate(differences))


def estimate(runs: list[Figures]) -> Estimates:
    """Mean and interval of each figure over the replications that define it."""
    values: dict[Key, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        for key, figures in run.items():
            for name, value in figures.items():
                if value is not None:
                    values[key][name].append(value)
    out: Estimates = {}
    for key, named in values.items():
        found = {name: Estimate.of(series) for name, series in named.items()}
        out[key] = {name: est for name, est in found.items() if est is not None}
    return out


def _minus(b: Figures, a: Figures) -> Figures:
    out: Figures = {}
    for key in a.keys() & b.keys():
        out[key] = {}
        for name in a[key].keys() & b[key].keys():
            x, y = a[key][name], b[key][name]
            out[key][name] = None if x is None or y is None else y - x
    return out
