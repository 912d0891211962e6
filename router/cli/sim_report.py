"""What ``aiguillage simulate`` prints: tables of estimates (mean ± half-width of the 95 %
interval) for people, or the JSON document for programs."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim import Estimate, Estimates, Scenario
from sim.document import order as _order
from sim.metrics import ADVISOR, DAY

COLUMNS = (
    ("offered", "offered", 0),
    ("answered", "answered", 0),
    ("abandoned", "abandoned", 0),
    ("service_level", "SL", 3),
    ("asa_seconds", "ASA s", 1),
    ("p_wait", "P(wait)", 3),
    ("occupancy", "occupancy", 3),
    ("intense_per_advisor", "intense/adv", 2),
    ("intense_gini", "Gini", 3),
)


def print_day(console: Console, title: str, estimates: Estimates, *, signed: bool = False) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("group")
    for _, label, _ in COLUMNS:
        table.add_column(label, justify="right")
    for (group, period), figures in sorted(estimates.items(), key=_order):
        if period == DAY and not group.startswith(ADVISOR):
            table.add_row(group, *(_cell(figures.get(m), d, signed) for m, _, d in COLUMNS))
    console.print(table)


def print_intervals(console: Console, estimates: Estimates, scenario: Scenario) -> None:
    table = Table(title="everyone, by interval", title_justify="left")
    table.add_column("start")
    for _, label, _ in COLUMNS[:7]:
        table.add_column(label, justify="right")
    for (group, period), figures in sorted(estimates.items(), key=_order):
        if group == "all" and period != DAY:
            minute = int(int(period) * scenario.interval_seconds / 60)
            start = f"{minute // 60:02d}:{minute % 60:02d}"
            table.add_row(start, *(_cell(figures.get(m), d, False) for m, _, d in COLUMNS[:7]))
    console.print(table)


def _cell(estimate: Estimate | None, digits: int, signed: bool) -> str:
    if estimate is None:
        return "-"
    sign = "+" if signed else ""
    text = f"{estimate.mean:{sign}.{digits}f}"
    half = estimate.half_width
    return text if half is None else f"{text} ±{half:.{digits}f}"
