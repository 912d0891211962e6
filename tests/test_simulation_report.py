"""``aiguillage simulate --html``: the report's charts carry the figures the simulator computed
(read back from the SVG's data attributes), and the file fetches nothing."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from typer.testing import CliRunner

from router.cli.main import app
from router.cli.scenario_file import load_scenario, load_variant
from sim import Estimate, compare, simulate

SCENARIO = """\
name: report check
rules:
  - {name: angry, position: 1, conditions: {emotions: [anger]}, required_skills: {care: 2},
     require_language: false}
  - {name: default, is_default: true, require_language: false, policy: least_busy}
interval_minutes: 30
warmup_intervals: 1
service_level: "80/20"
arrivals:
  per_interval: [40, 50, 40]
  mix:
    - {weight: 3, channel: chat}
    - {weight: 1, channel: chat, emotion: anger, intensity: 0.9}
handling: {exponential: 120}
patience: {exponential: 300}
care: {cooldown_seconds: 120, max_intense: 1}
teams: [{id: 1, name: front}, {id: 2, name: experts}]
advisors:
  - {name: f, team: 1, count: 2}
  - {name: e, team: 2, count: 2, skills: {care: 3}}
"""
WHAT_IF = """\
rules:
  - {name: default, is_default: true, require_language: false, policy: least_busy}
"""
REPLICATIONS, SEED = 3, 5


class _Elements(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _parse(path: Path) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def _points(
    tags: list[tuple[str, dict[str, str]]], metric: str, series: str
) -> list[dict[str, str]]:
    return [a for _, a in tags if a.get("data-metric") == metric and a.get("data-series") == series]


def _same(attrs: dict[str, str], estimate: Estimate | None) -> None:
    assert estimate is not None
    assert float(attrs["data-mean"]) == estimate.mean
    assert float(attrs["data-low"]) == estimate.low
    assert float(attrs["data-high"]) == estimate.high


def _render(tmp_path: Path, *extra: str) -> tuple[Path, Path]:
    scenario = tmp_path / "day.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    report = tmp_path / "report.html"
    args = ["simulate", str(scenario), "--replications", str(REPLICATIONS), "--seed", str(SEED)]
    result = CliRunner().invoke(app, [*args, "--html", str(report), *extra])
    assert result.exit_code == 0, result.output
    return scenario, report


def test_the_report_draws_the_computed_figures(tmp_path: Path) -> None:
    path, report = _render(tmp_path)
    estimates, _ = simulate(load_scenario(path), REPLICATIONS, SEED)
    tags = _parse(report)
    for metric in ("service_level", "asa_seconds", "occupancy"):
        points = _points(tags, metric, "simulated")
        assert [p["data-start"] for p in points] == ["00:30", "01:00"]  # the warm-up is left out
        for period, point in zip(("1", "2"), points, strict=True):
            _same(point, estimates["all", period][metric])
    bars = {a["data-name"]: a for a in _points(tags, "intense_taken", "simulated")}
    assert set(bars) == {"f 1", "f 2", "e 1", "e 2"}
    for name, bar in bars.items():
        _same(bar, estimates[f"advisor:{name}", "day"]["intense_taken"])
    assert sum(float(b["data-mean"]) for b in bars.values()) > 0  # intense work was drawn
    rows = {a["data-group"] for t, a in tags if t == "tr" and "data-group" in a}
    assert rows >= {"all", "team:front", "team:experts", "queue:angry", "queue:default"}
    assert not [t for t, a in tags if t == "script" or "src" in a or "href" in a]


def test_the_compare_report_shows_both_runs_and_the_difference(tmp_path: Path) -> None:
    rules = tmp_path / "whatif.yaml"
    rules.write_text(WHAT_IF, encoding="utf-8")
    path, report = _render(tmp_path, "--compare", str(rules))
    base = load_scenario(path)
    result = compare(base, load_variant(rules, base), REPLICATIONS, SEED)
    tags = _parse(report)
    for series, estimates in (("base", result.base), ("what-if", result.other)):
        points = _points(tags, "asa_seconds", series)
        for period, point in zip(("1", "2"), points, strict=True):
            _same(point, estimates["all", period]["asa_seconds"])
    difference = _points(tags, "service_level", "difference")
    assert len(difference) == 2
    for period, point in zip(("1", "2"), difference, strict=True):
        _same(point, result.difference["all", period]["service_level"])
    cards = [a for _, a in tags if a.get("data-card") == "service_level"]
    assert [c["data-series"] for c in cards] == ["base", "what-if", "difference"]


def test_an_unwritable_report_path_is_a_clear_error(tmp_path: Path) -> None:
    scenario = tmp_path / "day.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    target = tmp_path / "missing" / "report.html"
    result = CliRunner().invoke(
        app, ["simulate", str(scenario), "--replications", "2", "--html", str(target)]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.output


def test_many_advisors_are_drawn_as_a_histogram_per_team(tmp_path: Path) -> None:
    """Past 40 advisors, bars per advisor would be a wall: each team's advisors are counted
    by how many intense conversations they took."""
    many = SCENARIO.replace("count: 2", "count: 25").replace("[40, 50, 40]", "[10, 10]")
    scenario = tmp_path / "many.yaml"
    scenario.write_text(many, encoding="utf-8")
    report = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["simulate", str(scenario), "--replications", "2", "--html", str(report)]
    )
    assert result.exit_code == 0, result.output
    tags = _parse(report)
    for team in ("front", "experts"):
        bins = _points(tags, "advisors_by_intense", team)
        assert len(bins) == 8
        assert sum(float(b["data-mean"]) for b in bins) == 25
