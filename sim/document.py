"""The JSON document of a run (``aiguillage simulate --json`` and the API's job result):
pure, so the command line and the service build the very same shape."""

from __future__ import annotations

from typing import Any

from sim.metrics import ADVISOR, DAY
from sim.runner import Comparison, Estimates
from sim.scenario import Scenario


def run_document(
    scenario: Scenario, replications: int, seed: int, estimates: Estimates
) -> dict[str, Any]:
    """One scenario's estimates, after the header."""
    document = header(scenario, replications, seed)
    document.update(to_json(estimates, scenario))
    return document


def comparison_document(
    scenario: Scenario, replications: int, seed: int, result: Comparison, label: str
) -> dict[str, Any]:
    """Base, other and their paired difference (other minus base), after the header."""
    document = header(scenario, replications, seed)
    document["compare"] = label
    for part in ("base", "other", "difference"):
        document[part] = to_json(getattr(result, part), scenario)
    return document


def header(scenario: Scenario, replications: int, seed: int) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "replications": replications,
        "seed": seed,
        "service_level_target": str(scenario.target),
        "interval_minutes": scenario.interval_seconds / 60,
    }


def to_json(estimates: Estimates, scenario: Scenario) -> dict[str, Any]:
    """{all, teams: {name: {day, intervals}}, queues: {...}, advisors: {name: {day}}};
    each figure {mean, ci95}."""
    out: dict[str, Any] = {"all": {}, "teams": {}, "queues": {}, "advisors": {}}
    for (group, period), figures in sorted(estimates.items(), key=order):
        kind, _, name = group.partition(":")
        slot = out["all"] if group == "all" else out[f"{kind}s"].setdefault(name, {})
        values = {metric: estimate.to_dict() for metric, estimate in sorted(figures.items())}
        if period == DAY:
            slot["day"] = values
        else:
            start = int(period) * scenario.interval_seconds / 60
            slot.setdefault("intervals", []).append({"start_minute": start, **values})
    return out


def order(item: tuple[tuple[str, str], object]) -> tuple[int, str, int]:
    """Everyone first, then teams, then queues, then advisors; the day before its
    intervals."""
    (group, period), _ = item
    rank = 0 if group == "all" else 1 if group.startswith("team:") else 2
    rank += group.startswith(ADVISOR)
    return rank, group, -1 if period == DAY else int(period)
