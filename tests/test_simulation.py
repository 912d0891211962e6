"""The simulator (sim/): validated against Erlang C, deterministic, and routed through skills/.

Kept fast (seconds): small systems that forget their past quickly (3 advisors at 2 Erlangs),
a fixed seed, and tolerances from the simulation's own 95 % interval.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from scipy import stats as scipy_stats
from typer.testing import CliRunner

from router.cli.main import app
from sim import (
    Estimate,
    compare,
    erlang_a,
    erlang_c,
    gini,
    rules_from_documents,
    simulate,
    t_quantile,
)
from sim.engine import play
from sim.erlang import erlang_c_figures, staff_for
from sim.parse import parse_scenario
from sim.scenario import Scenario, ScenarioError
from sim.workload import workload

DEFAULT = {
    "name": "default",
    "is_default": True,
    "require_language": False,
    "policy": "longest_idle",
}


def one_queue(advisors: int, per_half_hour: float, aht: float, intervals: int) -> Scenario:
    data: dict[str, Any] = {
        "name": "M/M/n",
        "interval_minutes": 30,
        "warmup_intervals": 1,
        "service_level": "80/20",
        "arrivals": {"per_interval": [per_half_hour] * intervals, "mix": [{"channel": "chat"}]},
        "handling": {"exponential": aht},
        "teams": [{"id": 1, "name": "agents"}],
        "advisors": [{"name": "agent", "team": 1, "count": advisors}],
    }
    return parse_scenario(data, rules_from_documents([DEFAULT]))


def test_single_skill_matches_erlang_c() -> None:
    # M/M/3 at 2 Erlangs: P(wait) = 4/9 exactly; 16 reported hours over 12 replications.
    scenario = one_queue(advisors=3, per_half_hour=60, aht=60, intervals=33)
    exact = erlang_c_figures(3, 60 / 1800, 60, 20)
    assert exact.p_wait == pytest.approx(4 / 9)
    estimates, _ = simulate(scenario, replications=12, seed=1)
    day = estimates["all", "day"]
    for name, value in (
        ("p_wait", exact.p_wait),
        ("asa_seconds", exact.asa_seconds),
        ("service_level", exact.service_level),
        ("occupancy", exact.occupancy),
    ):
        estimate = day[name]
        assert estimate.contains(value), (name, value, estimate)
        # Not vacuous: the interval is narrow enough to tell a wrong model (ASA is the noisiest).
        assert estimate.half_width is not None and estimate.half_width < 0.2 * value, name
    assert day["abandon_rate"].mean == 0


def test_same_seed_same_results_and_compare_with_itself_is_zero() -> None:
    scenario = one_queue(advisors=3, per_half_hour=60, aht=60, intervals=4)
    first, _ = simulate(scenario, replications=3, seed=7)
    again, _ = simulate(scenario, replications=3, seed=7)
    other, _ = simulate(scenario, replications=3, seed=8)
    assert first == again
    assert first != other
    result = compare(scenario, scenario, replications=3, seed=7)
    assert result.base == first
    for figures in result.difference.values():
        for estimate in figures.values():
            assert (estimate.mean, estimate.low, estimate.high) == (0, 0, 0)


def test_compare_shares_the_customers_across_rule_sets() -> None:
    """Common random numbers: the workload does not depend on the rules."""
    scenario = one_queue(advisors=3, per_half_hour=60, aht=60, intervals=2)
    rules = rules_from_documents([{**DEFAULT, "policy": "round_robin"}])
    assert workload(scenario, 3, 0) == workload(scenario.with_rules(rules), 3, 0)


def test_a_rule_requiring_a_rare_skill_sends_everything_to_its_holder() -> None:
    data: dict[str, Any] = {
        "name": "rare skill",
        "interval_minutes": 30,
        "arrivals": {
            "per_interval": [30, 30],
            "mix": [
                {"weight": 1, "channel": "chat", "language": "fr", "text": "je veux résilier"},
                {"weight": 3, "channel": "chat", "language": "fr", "text": "bonjour"},
            ],
        },
        "handling": {"exponential": 120},
        "patience": {"exponential": 600},
        "teams": [{"id": 1, "name": "front"}],
        "advisors": [
            {
                "name": "Léa",
                "team": 1,
                "languages": ["fr"],
                "skills": {"retention": 5},
                "capacity": 2,
            },
            {"name": "other", "team": 1, "languages": ["fr"], "skills": {"orders": 4}, "count": 4},
        ],
    }
    rules = [
        {
            "name": "Cancellations",
            "position": 1,
            "conditions": {"keywords": ["résilier"]},
            "required_skills": {"retention": 3},
        },
        {**DEFAULT, "policy": "least_busy"},
    ]
    scenario = parse_scenario(data, rules_from_documents(rules))
    day = play(scenario, workload(scenario, 1, 0), 1, 0)
    cancellations = [c for c in day.conversations if c.rule.name == "Cancellations"]
    assert cancellations
    answered = [c for c in cancellations if c.advisor is not None]
    assert answered and {c.advisor for c in answered} == {1}  # Léa, the first advisor
    others = [c for c in day.conversations if c.rule.name == "default" and c.advisor is not None]
    assert {c.advisor for c in others} > {2}  # the default rule's work is spread


def test_escalation_relaxes_the_requirements_after_waiting() -> None:
    """Nobody has retention >= 3: the step after 60 s lets anyone take it."""
    data: dict[str, Any] = {
        "name": "escalation",
        "arrivals": {"per_interval": [10], "mix": [{"channel": "chat", "text": "résilier"}]},
        "handling": {"exponential": 60},
        "teams": [{"id": 1, "name": "front"}],
        "advisors": [{"name": "a", "team": 1, "count": 3, "skills": {"retention": 1}}],
    }
    step = [{"after_seconds": 60, "required_skills": {"retention": 1}}]
    rules = [
        {
            "name": "C",
            "position": 1,
            "conditions": {"keywords": ["résilier"]},
            "required_skills": {"retention": 3},
            "require_language": False,
            "escalation": step,
        },
        DEFAULT,
    ]
    scenario = parse_scenario(data, rules_from_documents(rules))
    day = play(scenario, workload(scenario, 1, 0), 1, 0)
    waits = [c.wait for c in day.conversations]
    assert waits and all(w is not None and w >= 60 for w in waits)
    assert min(w for w in waits if w is not None) == pytest.approx(60)


def test_erlang_c_textbook_values_and_staffing() -> None:
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    # Issue 18: 360 per 30 min, 240 s, 55 advisors, 15 s.
    figures = erlang_c_figures(55, 360 / 1800, 240, 15)
    assert (
        round(figures.p_wait, 4),
        round(figures.asa_seconds, 2),
        round(figures.service_level, 4),
    ) == (0.2387, 8.18, 0.8459)
    # Pooling: six queues of 10 Erlangs need 6 x 14 = 84 for 80/20, one pooled queue 67.
    assert staff_for(10 / 300, 300, (0.8, 20)).advisors == 14
    assert staff_for(60 / 300, 300, (0.8, 20)).advisors == 67


def test_erlang_a_values_of_the_issue() -> None:
    figures = erlang_a(52, 360 / 1800, 240, 600, 15)
    assert round(figures.abandon_rate, 4) == 0.0172
    assert round(figures.service_level, 4) == 0.7656


@pytest.mark.parametrize("df", [1, 2, 3, 9, 29, 30, 31, 45, 100, 1000])
def test_t_quantile_against_scipy(df: int) -> None:
    assert t_quantile(df) == pytest.approx(scipy_stats.t.ppf(0.975, df), abs=1e-3)


def test_estimate_and_gini() -> None:
    estimate = Estimate.of([1.0, 2.0, 3.0])
    assert estimate is not None and estimate.mean == 2
    assert estimate.half_width == pytest.approx(scipy_stats.t.ppf(0.975, 2) / 3**0.5, rel=1e-3)
    assert gini([1, 1, 1, 1]) == 0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert gini([]) == 0


def test_scenario_errors_say_where() -> None:
    with pytest.raises(ScenarioError, match=r"advisors\[0\]: unknown key"):
        parse_scenario(
            {
                "arrivals": {"per_interval": [1], "mix": [{"channel": "chat"}]},
                "handling": {"fixed": 1},
                "advisors": [{"nmae": "x"}],
            },
            rules_from_documents([DEFAULT]),
        )
    with pytest.raises(ScenarioError, match="no default rule"):
        rules_from_documents([{"name": "x", "conditions": {"intents": ["a"]}}])


def test_cli_simulate_json_and_staffing(tmp_path: Any) -> None:
    runner = CliRunner()
    scenario = tmp_path / "day.yaml"
    scenario.write_text(
        "name: tiny\nrules: [{name: default, is_default: true, require_language: false}]\n"
        "arrivals: {per_interval: [20, 20], mix: [{channel: chat}]}\n"
        "handling: {exponential: 120}\nteams: [{id: 1, name: t}]\n"
        "advisors: [{name: a, team: 1, count: 2}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["simulate", str(scenario), "--replications", "3", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    day = document["teams"]["t"]["day"]
    for name in ("p_wait", "asa_seconds", "service_level", "abandon_rate", "occupancy"):
        assert set(day[name]) == {"mean", "ci95"}
    result = runner.invoke(
        app, ["staffing", "--arrivals-per-hour", "120,720", "--aht", "300", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert [row["advisors"] for row in json.loads(result.stdout)["intervals"]] == [14, 67]
