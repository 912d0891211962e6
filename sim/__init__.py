"""The contact-centre simulator: a discrete-event model driven by the real routing domain.

Pure and deterministic given a seed (standard library only, no I/O): ``Scenario.from_dict``
reads a scenario already loaded from its file, ``workload`` draws one replication's
conversations from separate random streams (common random numbers: two scenarios compared
replication by replication see the same customers), ``Simulation`` plays them through
``skills`` (rules, requirements, escalation, eligibility, the candidate index, the waiting
room, care), ``stats`` turns replications into estimates with 95 % confidence intervals, and
``erlang`` gives the closed forms (Erlang C, Erlang A) the simulator is validated against.
The command line, files and reports live in ``router.cli``.
"""

from sim.erlang import ErlangFigures, erlang_a, erlang_b, erlang_c, staff_for
from sim.metrics import Figures, figures_of
from sim.runner import Comparison, Estimates, compare, estimate, simulate
from sim.scenario import Scenario, ScenarioError, ServiceTarget, rules_from_documents
from sim.stats import Estimate, gini, t_quantile

__all__ = [
    "Comparison",
    "ErlangFigures",
    "Estimate",
    "Estimates",
    "Figures",
    "Scenario",
    "ScenarioError",
    "ServiceTarget",
    "compare",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "estimate",
    "figures_of",
    "gini",
    "rules_from_documents",
    "simulate",
    "staff_for",
    "t_quantile",
]
