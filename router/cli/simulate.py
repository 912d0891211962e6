"""``aiguillage simulate`` and ``aiguillage staffing``: the simulator (``sim``) and the
Erlang formulas on the command line; ``--from-history`` reads the scenario of a recorded
day from the database (router.cli.sim_history)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from router.cli import sim_history, sim_html, sim_report
from router.cli.scenario_file import load_scenario, load_variant
from router.errors import DomainError
from sim import (
    Scenario,
    ScenarioError,
    ServiceTarget,
    compare,
    rules_from_documents,
    simulate,
    staff_for,
)
from sim.document import comparison_document, run_document
from sim.erlang import ErlangFigures
from sim.parse import parse_scenario
from skills import RuleError

T = TypeVar("T")
Replications = Annotated[
    int, typer.Option(min=2, help="independent replications (the intervals are over them)")
]
Seed = Annotated[int, typer.Option(help="same seed, same results")]
AsJson = Annotated[bool, typer.Option("--json", help="print a JSON document")]


def simulate_command(
    scenario_path: Annotated[
        Path | None,
        typer.Argument(exists=True, dir_okay=False, readable=True, show_default=False),
    ] = None,
    replications: Replications = 10,
    seed: Seed = 1,
    compare_with: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            exists=True,
            dir_okay=False,
            help="another rules file (or scenario): both run on common random numbers",
        ),
    ] = None,
    intervals: Annotated[
        bool, typer.Option(help="also print everyone's figures by interval")
    ] = False,
    as_json: AsJson = False,
    from_history: Annotated[
        bool, typer.Option(help="build the scenario from the database's record of --day")
    ] = False,
    day: Annotated[str | None, typer.Option(help="the day to replay, YYYY-MM-DD")] = None,
    team: Annotated[
        int | None, typer.Option(min=1, help="--from-history: one team (default: everyone)")
    ] = None,
    interval_minutes: Annotated[
        int, typer.Option(min=5, max=240, help="--from-history: length of an interval")
    ] = 30,
    write_scenario: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="--from-history: also write the scenario (YAML)"),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            dir_okay=False,
            writable=True,
            help="also write a self-contained HTML report with charts to this file",
        ),
    ] = None,
) -> None:
    """Simulate a day of the contact centre through the real routing rules: a scenario
    file, or a recorded day (--from-history --day YYYY-MM-DD)."""
    if from_history == (scenario_path is not None):
        typer.secho("error: give a scenario file or --from-history, not both", fg="red", err=True)
        raise typer.Exit(2)
    if scenario_path is None:
        scenario = _checked(
            lambda: sim_history.from_history(day, team, interval_minutes, write_scenario)
        )
        scenario_path = write_scenario or Path(scenario.name)
    else:
        scenario = _checked(lambda: load_scenario(scenario_path))
    console = Console()
    if compare_with is None:
        with _progress(replications, scenario.name) as tick:
            estimates, _ = simulate(scenario, replications, seed, tick)
        if html is not None:
            runs = [sim_html.Run("simulated", estimates)]
            page = sim_html.render(scenario, runs, replications, seed, note=scenario_path.name)
            _write(html, page)
        if as_json:
            typer.echo(json.dumps(run_document(scenario, replications, seed, estimates), indent=2))
            return
        sim_report.print_day(
            console, f"{scenario.name}: the day ({_header_text(scenario, replications)})", estimates
        )
        if intervals:
            sim_report.print_intervals(console, estimates, scenario)
        return
    other = _checked(lambda: load_variant(compare_with, scenario))
    with _progress(replications, f"{scenario.name} vs {compare_with.name}") as tick:
        result = compare(scenario, other, replications, seed, tick)
    if html is not None:
        runs = [sim_html.Run("base", result.base), sim_html.Run("what-if", result.other)]
        note = f"base: {scenario_path.name}; what-if: {compare_with.name}."
        page = sim_html.render(scenario, runs, replications, seed, result.difference, note=note)
        _write(html, page)
    if as_json:
        document = comparison_document(scenario, replications, seed, result, str(compare_with))
        typer.echo(json.dumps(document, indent=2))
        return
    sim_report.print_day(console, f"base: {scenario_path.name}", result.base)
    sim_report.print_day(console, f"what-if: {compare_with.name}", result.other)
    sim_report.print_day(
        console,
        "difference (what-if minus base, paired on common random numbers)",
        result.difference,
        signed=True,
    )


def staffing_command(
    arrivals_per_hour: Annotated[
        str, typer.Option(help="expected arrivals per hour in each interval, comma-separated")
    ],
    aht: Annotated[float, typer.Option(min=1, help="average handling time, seconds")],
    target: Annotated[str, typer.Option(help="service level: X % answered within Y s")] = "80/20",
    patience: Annotated[
        float | None, typer.Option(min=1, help="mean patience, seconds: Erlang A (abandonment)")
    ] = None,
    interval_minutes: Annotated[int, typer.Option(min=1, help="length of an interval")] = 60,
    check_by_simulation: Annotated[
        bool,
        typer.Option(help="simulate each interval at the advisors found (one skill, one queue)"),
    ] = False,
    replications: Replications = 10,
    seed: Seed = 1,
    as_json: AsJson = False,
) -> None:
    """Advisors needed per interval for a service-level target (Erlang C, or A with --patience).

    The formulas assume one skill, one queue, one conversation at a time: for several skills,
    concurrent chats or care rules, simulate the scenario instead (aiguillage simulate)."""
    goal = _checked(lambda: ServiceTarget.parse(target))
    rates = _checked(lambda: _rates(arrivals_per_hour))
    rows = []
    for i, per_hour in enumerate(rates):
        found = staff_for(per_hour / 3600, aht, (goal.fraction, goal.seconds), patience)
        row: dict[str, Any] = {"interval": i, "start_minute": i * interval_minutes}
        row.update({"arrivals_per_hour": per_hour, **_figures(found)})
        if check_by_simulation and per_hour > 0:
            row["simulated"] = _check(
                found.advisors, per_hour, aht, patience, goal, replications, seed
            )
        rows.append(row)
    model = "Erlang A" if patience is not None else "Erlang C"
    if as_json:
        typer.echo(json.dumps({"model": model, "target": str(goal), "intervals": rows}, indent=2))
        return
    _print_staffing(Console(), rows, f"{model}, target {goal}, AHT {aht:g} s")


def _check(
    advisors: int,
    per_hour: float,
    aht: float,
    patience: float | None,
    goal: ServiceTarget,
    replications: int,
    seed: int,
) -> dict[str, Any]:
    """The interval as a one-skill scenario (an hour of warm-up, then four of the same
    rate), simulated at ``advisors``."""
    data: dict[str, Any] = {
        "name": "staffing check",
        "interval_minutes": 60,
        "warmup_intervals": 1,
        "service_level": str(goal),
        "arrivals": {"per_interval": [per_hour] * 5, "mix": [{"channel": "chat"}]},
        "handling": {"exponential": aht},
        "patience": None if patience is None else {"exponential": patience},
        "teams": [{"id": 1, "name": "team"}],
        "advisors": [{"name": "advisor", "team": 1, "count": advisors}],
    }
    rules = [
        {"name": "default", "is_default": True, "require_language": False, "policy": "longest_idle"}
    ]
    scenario = parse_scenario(data, rules_from_documents(rules))
    estimates, _ = simulate(scenario, replications, seed)
    day = estimates["all", "day"]
    return {
        m: day[m].to_dict()
        for m in ("service_level", "asa_seconds", "p_wait", "abandon_rate", "occupancy")
        if m in day
    }


def _figures(found: ErlangFigures) -> dict[str, float]:
    return {
        "advisors": found.advisors,
        "erlangs": round(found.erlangs, 3),
        "service_level": round(found.service_level, 4),
        "asa_seconds": round(found.asa_seconds, 2),
        "p_wait": round(found.p_wait, 4),
        "abandon_rate": round(found.abandon_rate, 4),
        "occupancy": round(found.occupancy, 4),
    }


def _print_staffing(console: Console, rows: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title, title_justify="left")
    names = (
        "start",
        "arrivals/h",
        "erlangs",
        "advisors",
        "SL",
        "ASA s",
        "P(wait)",
        "abandon",
        "occupancy",
    )
    for name in names:
        table.add_column(name, justify="right")
    checked = any("simulated" in row for row in rows)
    if checked:
        table.add_column("simulated SL (95 %)", justify="right")
    for row in rows:
        minute = row["start_minute"]
        cells = [f"{minute // 60:02d}:{minute % 60:02d}", f"{row['arrivals_per_hour']:g}"]
        cells += [
            str(row[k])
            for k in (
                "erlangs",
                "advisors",
                "service_level",
                "asa_seconds",
                "p_wait",
                "abandon_rate",
                "occupancy",
            )
        ]
        if checked:
            sl = row.get("simulated", {}).get("service_level")
            cells.append("-" if sl is None else f"{sl['mean']:.3f} {sl['ci95']}")
        table.add_row(*cells)
    console.print(table)


def _rates(text: str) -> list[float]:
    try:
        rates = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ScenarioError(
            "--arrivals-per-hour", f"expected numbers separated by commas, got {text!r}"
        ) from None
    if not rates or any(rate < 0 for rate in rates):
        raise ScenarioError("--arrivals-per-hour", "expected at least one rate, none negative")
    return rates


def _header_text(scenario: Scenario, replications: int) -> str:
    return f"{replications} replications, mean ±95 % half-width, SL {scenario.target}"


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"simulating {label}", total=total)
        yield lambda done: progress.update(task, completed=done)


def _write(path: Path, page: str) -> None:
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as error:
        typer.secho(f"error: cannot write {path}: {error.strerror}", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.secho(f"report written to {path}", err=True)


def _checked(make: Callable[[], T]) -> T:
    try:
        return make()
    except (ScenarioError, RuleError, DomainError) as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        raise typer.Exit(2) from None
