"""Inline SVG charts for the simulation report, built as strings (no library, nothing
fetched): a figure by interval with its 95 % band, and a bar per advisor with its interval.

Every plotted point carries its numbers as ``data-*`` attributes (``data-metric``,
``data-series``, ``data-mean``, ``data-low``, ``data-high``) and as a ``<title>`` the
browser shows on hover, so the picture can be checked against the estimates it draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from sim import Estimate

WIDTH = 760
LEFT, RIGHT, TOP = 60, 16, 30
Format = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One line (or one set of bars): its name, colour and an estimate per x position."""

    name: str
    color: str
    values: Sequence[Estimate | None]


@dataclass(frozen=True)
class Axis:
    """What the y axis shows: the metric's key, its label, how a value is written, and the
    bounds no value can cross (0..1 for a share, 0 for a wait): the axis covers them and
    a band is drawn inside them (a t interval may overshoot; its numbers stay as they are)."""

    metric: str
    label: str
    fmt: Format
    floor: float | None = 0.0
    ceiling: float | None = None


def interval_chart(
    title: str,
    starts: Sequence[str],
    series: Sequence[Series],
    axis: Axis,
    reference: tuple[float, str] | None = None,
) -> str:
    """Means joined by a line over their shaded 95 % band, one point per interval."""
    lo, hi = _range(series, axis, reference)
    plot = _Plot(len(starts), lo, hi)
    parts = [_frame(title, axis, plot), _x_labels(plot, starts)]
    if reference is not None:
        parts.append(_reference(plot, *reference, axis.fmt))
    for s in series:
        parts.append(_band(plot, s))
        parts.append(_line(plot, s))
        for i, estimate in enumerate(s.values):
            if estimate is not None:
                x, y = plot.x(i), plot.y(estimate.mean)
                label = f"{s.name}, {starts[i]}: {_describe(estimate, axis.fmt)}"
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{s.color}"'
                    f'{_data(axis.metric, s.name, estimate)} data-start="{escape(starts[i])}">'
                    f"<title>{escape(label)}</title></circle>"
                )
    parts.append(_legend(series))
    return _svg(title, plot, parts)


def bar_chart(
    title: str,
    names: Sequence[str],
    colors: Sequence[str],
    series: Sequence[Series],
    axis: Axis,
    legend: Sequence[tuple[str, str]] = (),
) -> str:
    """A bar per name (per series, side by side) with its 95 % interval as a whisker;
    ``colors`` tints each name's bar (its team, named with its colour in ``legend``) when
    there is one series."""
    lo, hi = _range(series, axis, None)
    plot = _Plot(len(names), lo, hi, height=290.0, bottom=66.0)
    parts = [_frame(title, axis, plot), _x_labels(plot, names, slanted=True)]
    width = plot.step * 0.8 / max(1, len(series))
    for k, s in enumerate(series):
        for i, estimate in enumerate(s.values):
            if estimate is None:
                continue
            x = plot.x(i) - plot.step * 0.4 + k * width
            top, base = plot.y(estimate.mean), plot.y(max(lo, 0.0))
            color = colors[i] if len(series) == 1 else s.color
            label = f"{names[i]} ({s.name}): {_describe(estimate, axis.fmt)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{min(top, base):.1f}" width="{width * 0.9:.1f}" '
                f'height="{abs(base - top):.1f}" fill="{color}" fill-opacity="0.8"'
                f'{_data(axis.metric, s.name, estimate)} data-name="{escape(names[i])}">'
                f"<title>{escape(label)}</title></rect>"
            )
            if estimate.low is not None and estimate.high is not None:
                mid = x + width * 0.45
                parts.append(
                    f'<line x1="{mid:.1f}" x2="{mid:.1f}" y1="{plot.y(estimate.low):.1f}" '
                    f'y2="{plot.y(estimate.high):.1f}" stroke="#111" stroke-width="1.2"/>'
                )
    if len(series) > 1:
        parts.append(_legend(series))
    else:
        parts.append(_legend([Series(name, color, ()) for name, color in legend]))
    return _svg(title, plot, parts)


# -- geometry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plot:
    count: int
    lo: float
    hi: float
    height: float = 250.0
    bottom: float = 36.0  # room for the x labels (more when slanted)

    @property
    def step(self) -> float:
        return (WIDTH - LEFT - RIGHT) / max(1, self.count)

    def x(self, i: int) -> float:
        return LEFT + (i + 0.5) * self.step

    def y(self, value: float) -> float:
        value = min(max(value, self.lo), self.hi)
        span = self.hi - self.lo or 1.0
        return TOP + (self.height - TOP - self.bottom) * (1 - (value - self.lo) / span)


def _range(
    series: Sequence[Series], axis: Axis, reference: tuple[float, str] | None
) -> tuple[float, float]:
    values = [reference[0]] if reference is not None else []
    for s in series:
        for e in s.values:
            if e is not None:
                values += [v for v in (e.mean, e.low, e.high) if v is not None]
    lo = min(values, default=0.0)
    hi = max(values, default=1.0)
    if axis.floor is not None:
        lo = axis.floor
    if axis.ceiling is not None:
        hi = axis.ceiling
    if hi <= lo:
        hi = lo + 1.0
    step = _nice((hi - lo) / 5)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


def _nice(rough: float) -> float:
    power = 10.0 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        if rough <= factor * power:
            return factor * power
    return 10 * power


def _ticks(plot: _Plot) -> list[float]:
    step = _nice((plot.hi - plot.lo) / 5)
    count = round((plot.hi - plot.lo) / step)
    return [plot.lo + k * step for k in range(count + 1)]


# -- pieces ---------------------------------------------------------------------------------


def _svg(title: str, plot: _Plot, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {plot.height:g}" '
        f'role="img" aria-label="{escape(title)}" class="chart">' + "".join(parts) + "</svg>"
    )


def _frame(title: str, axis: Axis, plot: _Plot) -> str:
    parts = [f'<text x="{LEFT}" y="18" class="title">{escape(title)}</text>']
    for tick in _ticks(plot):
        y = plot.y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">'
            f"{escape(axis.fmt(tick))}</text>"
        )
    middle = (TOP + plot.height - plot.bottom) / 2
    parts.append(
        f'<text x="14" y="{middle:.0f}" class="tick" text-anchor="middle" '
        f'transform="rotate(-90 14 {middle:.0f})">{escape(axis.label)}</text>'
    )
    return "".join(parts)


def _x_labels(plot: _Plot, labels: Sequence[str], *, slanted: bool = False) -> str:
    every = 1 if slanted else max(1, math.ceil(len(labels) / 12))
    parts = []
    for i, label in enumerate(labels):
        if i % every:
            continue
        x, y = plot.x(i), plot.height - plot.bottom + 16
        turn = f' transform="rotate(-30 {x:.1f} {y})"' if slanted else ""
        anchor = "end" if slanted else "middle"
        parts.append(
            f'<text x="{x:.1f}" y="{y}" class="tick" text-anchor="{anchor}"{turn}>'
            f"{escape(label)}</text>"
        )
    return "".join(parts)


def _reference(plot: _Plot, value: float, label: str, fmt: Format) -> str:
    y = plot.y(value)
    return (
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="reference"/>'
        f'<text x="{LEFT + 4}" y="{y - 5:.1f}" class="tick reference-label">'
        f"{escape(label)} {escape(fmt(value))}</text>"
    )


def _band(plot: _Plot, s: Series) -> str:
    """The 95 % band, one polygon per run of intervals that have one."""
    out = []
    for run in _runs(s.values, need_interval=True):
        upper = [(plot.x(i), plot.y(e.high)) for i, e in run if e.high is not None]
        lower = [(plot.x(i), plot.y(e.low)) for i, e in reversed(run) if e.low is not None]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
        out.append(f'<polygon points="{points}" fill="{s.color}" fill-opacity="0.18"/>')
    return "".join(out)


def _line(plot: _Plot, s: Series) -> str:
    out = []
    for run in _runs(s.values, need_interval=False):
        points = " ".join(f"{plot.x(i):.1f},{plot.y(e.mean):.1f}" for i, e in run)
        out.append(f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="2"/>')
    return "".join(out)


def _runs(
    values: Sequence[Estimate | None], *, need_interval: bool
) -> list[list[tuple[int, Estimate]]]:
    """Consecutive intervals with a value (a gap, e.g. no arrivals, breaks the line)."""
    runs: list[list[tuple[int, Estimate]]] = [[]]
    for i, e in enumerate(values):
        if e is None or (need_interval and e.low is None):
            runs.append([])
        else:
            runs[-1].append((i, e))
    return [run for run in runs if run]


def _legend(series: Sequence[Series]) -> str:
    parts, x = [], WIDTH - RIGHT
    for s in reversed(series):
        x -= 10 + 7 * len(s.name)
        parts.append(
            f'<rect x="{x}" y="9" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{x + 14}" y="18" class="tick">{escape(s.name)}</text>'
        )
        x -= 14
    return "".join(parts)


def _data(metric: str, series: str, e: Estimate) -> str:
    low = "" if e.low is None else repr(e.low)
    high = "" if e.high is None else repr(e.high)
    return (
        f' data-metric="{escape(metric)}" data-series="{escape(series)}" '
        f'data-mean="{e.mean!r}" data-low="{low}" data-high="{high}"'
    )


def _describe(e: Estimate, fmt: Format) -> str:
    if e.low is None or e.high is None:
        return fmt(e.mean)
    return f"{fmt(e.mean)} (95 %: {fmt(e.low)} to {fmt(e.high)})"
