"""The simulation report as one self-contained HTML file (``aiguillage simulate --html``):
the day's key figures, charts by interval (service level, waiting time, occupancy), the
intense conversations each advisor took, and the per-team table; with ``--compare`` both
runs side by side and the paired difference with its interval.

Inline SVG and a style block only: no script, no font or file fetched, so the file opens
anywhere and can be mailed as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from html import escape

from router.cli.sim_charts import Axis, Format, Series, bar_chart, interval_chart
from sim import Estimate, Estimates, Scenario
from sim.metrics import ADVISOR, ALL, DAY

COLORS = ("#2563eb", "#d97706")  # base, what-if
DIFFERENCE = "#7c3aed"
TEAM_COLORS = ("#2563eb", "#059669", "#d97706", "#db2777", "#7c3aed", "#0891b2", "#65a30d")


def percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def seconds(value: float) -> str:
    return f"{value:.1f} s"


def count(value: float) -> str:
    return f"{value:.2f}"


SL = Axis("service_level", "service level", percent, 0.0, 1.0)
ASA = Axis("asa_seconds", "mean wait of the answered (ASA)", seconds, 0.0)
OCCUPANCY = Axis("occupancy", "occupancy", percent, 0.0, 1.0)
INTENSE = Axis("intense_taken", "intense conversations", count, 0.0)
TABLE = (
    ("offered", "offered", count),
    ("service_level", "service level", percent),
    ("asa_seconds", "ASA", seconds),
    ("p_wait", "P(wait)", percent),
    ("abandon_rate", "abandoned", percent),
    ("occupancy", "occupancy", percent),
    ("intense_per_advisor", "intense / advisor", count),
    ("intense_gini", "intense Gini", count),
)


@dataclass(frozen=True)
class Run:
    """One scenario's estimates under a name ("base", "what-if")."""

    name: str
    estimates: Estimates


def render(
    scenario: Scenario,
    runs: Sequence[Run],
    replications: int,
    seed: int,
    difference: Estimates | None = None,
    note: str = "",
) -> str:
    """The whole page; ``difference`` (second run minus first) with ``--compare``; ``note``
    says where the runs come from (file names)."""
    starts = _starts(scenario)
    periods = [str(k) for k in range(scenario.warmup_intervals, len(scenario.per_interval))]
    by = _by_interval
    charts = [
        interval_chart(
            "Service level by interval",
            starts,
            [Series(r.name, c, by(r.estimates, SL.metric, periods)) for r, c in _colored(runs)],
            SL,
            (scenario.target.fraction, f"target {scenario.target}:"),
        ),
        interval_chart(
            "Waiting time (ASA) by interval",
            starts,
            [Series(r.name, c, by(r.estimates, ASA.metric, periods)) for r, c in _colored(runs)],
            ASA,
        ),
    ]
    if difference is not None:
        values = by(difference, SL.metric, periods)
        name = "difference"
        signed = Axis(SL.metric, "service level difference", _signed_percent, None)
        chart = interval_chart(
            f"Service level: {runs[1].name} minus {runs[0].name}, by interval",
            starts,
            [Series(name, DIFFERENCE, values)],
            signed,
            (0.0, "no change"),
        )
        charts.append(chart)
    charts.append(
        interval_chart(
            "Occupancy by interval",
            starts,
            [
                Series(r.name, c, by(r.estimates, OCCUPANCY.metric, periods))
                for r, c in _colored(runs)
            ],
            OCCUPANCY,
        )
    )
    charts.append(_intense_chart(scenario, runs))
    body = [
        f"<h1>{escape(scenario.name)}</h1>",
        f'<p class="meta">{escape(note)} {escape(_meta(scenario, replications, seed, runs))}</p>',
        _cards(runs, difference),
        *(f"<figure>{chart}</figure>" for chart in charts),
        "<h2>By team and queue (the day)</h2>",
        _table(runs, difference),
    ]
    return _page(scenario.name, "\n".join(body))


def _intense_chart(scenario: Scenario, runs: Sequence[Run]) -> str:
    """A bar per advisor; past ``_MAX_BARS`` advisors, how many advisors took how many
    (a histogram per team, or per run with ``--compare``): 200 bars would be a grey wall."""
    team_of = {
        spec.name: ("no team" if spec.team_id is None else scenario.teams[spec.team_id].name)
        for spec in scenario.advisors
    }
    teams = sorted(set(team_of.values()))
    names = sorted(team_of, key=lambda n: (team_of[n], n))
    legend = [(t, TEAM_COLORS[i % len(TEAM_COLORS)]) for i, t in enumerate(teams)]
    taken = {
        r.name: {n: r.estimates.get((f"{ADVISOR}{n}", DAY), {}).get(INTENSE.metric) for n in names}
        for r in runs
    }
    caption = (
        "<figcaption>Whiskers: 95 % interval. A fair spread keeps the bars of those who may "
        "take them level (the table's Gini column: 0 is even).</figcaption>"
    )
    title = "Intense conversations taken per advisor (the day)"
    if len(names) > _MAX_BARS:
        return _intense_histogram(team_of, legend, taken, runs)
    colors = [dict(legend)[team_of[n]] for n in names]
    series = [Series(r.name, c, list(taken[r.name].values())) for r, c in _colored(runs)]
    return bar_chart(title, names, colors, series, INTENSE, legend) + caption


_MAX_BARS = 40
_BINS = 8


def _intense_histogram(
    team_of: dict[str, str],
    legend: list[tuple[str, str]],
    taken: dict[str, dict[str, Estimate | None]],
    runs: Sequence[Run],
) -> str:
    means = {
        run: {n: e.mean for n, e in by_name.items() if e is not None}
        for run, by_name in taken.items()
    }
    top = max((v for m in means.values() for v in m.values()), default=0.0)
    width = max(1, math.ceil((top + 1e-9) / _BINS))
    labels = [f"{k * width}–{(k + 1) * width}" for k in range(_BINS)]
    if len(runs) == 1:
        only = means[runs[0].name]
        groups = [
            (team, color, [v for n, v in only.items() if team_of[n] == team])
            for team, color in legend
        ]
    else:
        groups = [(r.name, c, list(means[r.name].values())) for r, c in _colored(runs)]
    series = []
    for name, color, values in groups:
        counts = [0.0] * _BINS
        for value in values:
            counts[min(_BINS - 1, int(value // width))] += 1
        series.append(Series(name, color, [Estimate(c, None, None, 1) for c in counts]))
    axis = Axis("advisors_by_intense", "advisors", lambda v: f"{v:g}", 0.0)
    title = "Advisors by intense conversations taken (the day)"
    tint = [groups[0][1]] * _BINS  # one series: its colour (several: each its own)
    chart = bar_chart(title, labels, tint, series, axis, legend=[(groups[0][0], groups[0][1])])
    return chart + (
        "<figcaption>How many advisors took how many intense conversations: a fair spread "
        "keeps each team in one or two bars (the table's Gini column: 0 is even).</figcaption>"
    )


def _cards(runs: Sequence[Run], difference: Estimates | None) -> str:
    cells = []
    for metric, label, fmt in TABLE[1:6]:
        lines = [
            f'<div class="value" data-card="{metric}" data-series="{escape(r.name)}">'
            f"{escape(_cell(r.estimates.get((ALL, DAY), {}).get(metric), fmt))}"
            f'<span class="who">{escape(r.name)}</span></div>'
            for r in runs
        ]
        if difference is not None:
            diff = difference.get((ALL, DAY), {}).get(metric)
            signed = _signed_percent if fmt is percent else _signed(fmt)
            lines.append(
                f'<div class="value diff" data-card="{metric}" data-series="difference">'
                f'{escape(_cell(diff, signed))}<span class="who">difference</span></div>'
            )
        cells.append(f'<div class="card"><h3>{escape(label)}</h3>{"".join(lines)}</div>')
    return f'<div class="cards">{"".join(cells)}</div>'


def _table(runs: Sequence[Run], difference: Estimates | None) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for _, label, _ in TABLE)
    rows = []
    named = [(r.name, r.estimates, False) for r in runs]
    if difference is not None:
        named.append(("difference", difference, True))
    for group in _groups(runs):
        for name, estimates, signed in named:
            figures = estimates.get((group, DAY), {})
            cells = "".join(
                f'<td data-metric="{m}">'
                f"{escape(_cell(figures.get(m), _signed(fmt) if signed else fmt))}</td>"
                for m, _, fmt in TABLE
            )
            who = f"<td>{escape(name)}</td>" if len(named) > 1 else ""
            rows.append(
                f'<tr data-group="{escape(group)}" data-series="{escape(name)}">'
                f"<th>{escape(group.replace(':', ' ', 1))}</th>{who}{cells}</tr>"
            )
    run_head = "<th>run</th>" if len(named) > 1 else ""
    return (
        f"<table><thead><tr><th>group</th>{run_head}{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="meta">Each cell: mean over the replications ± the half-width of its 95 % '
        "interval.</p>"
    )


def _groups(runs: Sequence[Run]) -> list[str]:
    found = {g for r in runs for g, p in r.estimates if p == DAY and not g.startswith(ADVISOR)}
    return sorted(found, key=lambda g: (g != ALL, not g.startswith("team:"), g))


def _cell(estimate: Estimate | None, fmt: Format) -> str:
    if estimate is None:
        return "-"
    half = estimate.half_width
    text = fmt(estimate.mean)
    return text if half is None else f"{text} ± {fmt(half).lstrip('+')}"


def _signed(fmt: Format) -> Format:
    return lambda v: ("+" if v >= 0 else "") + fmt(v)


def _signed_percent(value: float) -> str:
    return f"{value * 100:+.1f} pt"


def _by_interval(estimates: Estimates, metric: str, periods: list[str]) -> list[Estimate | None]:
    return [estimates.get((ALL, p), {}).get(metric) for p in periods]


def _colored(runs: Sequence[Run]) -> list[tuple[Run, str]]:
    return [(r, COLORS[i % len(COLORS)]) for i, r in enumerate(runs)]


def _starts(scenario: Scenario) -> list[str]:
    origin = 0 if scenario.start is None else scenario.start.hour * 60 + scenario.start.minute
    out = []
    for k in range(scenario.warmup_intervals, len(scenario.per_interval)):
        minute = origin + int(k * scenario.interval_seconds // 60)
        out.append(f"{minute // 60 % 24:02d}:{minute % 60:02d}")
    return out


def _meta(scenario: Scenario, replications: int, seed: int, runs: Sequence[Run]) -> str:
    day = "" if scenario.start is None else f" from {scenario.start.isoformat()}"
    length = timedelta(seconds=scenario.interval_seconds)
    compared = f"; {' vs '.join(r.name for r in runs)}" if len(runs) > 1 else ""
    return (
        f"{replications} replications (seed {seed}){compared}; intervals of "
        f"{length.seconds // 60} min{day}; service level target {scenario.target} "
        f"(answered within {scenario.target.seconds:g} s). Lines: mean; bands and ±: 95 % "
        "confidence interval over the replications."
    )


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}: simulation report</title>
<style>{_CSS}</style></head>
<body><main>{body}</main></body></html>
"""


_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937;
  background: #f8fafc; margin: 0; }
main { max-width: 1040px; margin: 0 auto; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #6b7280; font-size: 12.5px; }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 8px; margin: 16px 0; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 10px; }
.card h3 { margin: 0 0 4px; font-size: 12px; color: #6b7280; font-weight: 600; }
.value { font-size: 15px; font-weight: 600; } .value.diff { color: #7c3aed; }
.who { display: block; font-size: 11px; color: #9ca3af; font-weight: 400; }
figure { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; margin: 12px 0;
  padding: 8px; }
figcaption { font-size: 12px; color: #6b7280; padding: 0 8px 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg .title { font-size: 14px; font-weight: 600; fill: #111827; }
svg .tick, svg .reference-label { font-size: 11px; fill: #4b5563; }
svg .reference-label { fill: #dc2626; }
svg .grid { stroke: #e5e7eb; stroke-width: 1; }
svg .reference { stroke: #dc2626; stroke-width: 1.2; stroke-dasharray: 5 4; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 11.5px; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 6px; text-align: right;
  white-space: nowrap; }
thead th { background: #f1f5f9; white-space: normal; }
tbody th { text-align: left; font-weight: 600; white-space: normal; }
"""
