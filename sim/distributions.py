"""Random durations (seconds) as a scenario writes them, each drawn from a given stream.

``{exponential: 240}`` (the mean), ``{lognormal: {mean: 300, sd: 120}}``,
``{empirical: [120, 180, 600]}`` (one of the values, equally likely), ``{fixed: 30}``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from sim.errors import ScenarioError

KINDS = ("exponential", "lognormal", "empirical", "fixed")


@dataclass(frozen=True, slots=True)
class Duration:
    kind: str
    mean: float
    sd: float = 0.0
    values: tuple[float, ...] = ()

    def sample(self, rng: random.Random) -> float:
        if self.kind == "exponential":
            return rng.expovariate(1.0 / self.mean)
        if self.kind == "lognormal":
            sigma2 = math.log(1.0 + (self.sd / self.mean) ** 2)
            return rng.lognormvariate(math.log(self.mean) - sigma2 / 2.0, math.sqrt(sigma2))
        if self.kind == "empirical":
            return self.values[int(rng.random() * len(self.values))]
        return self.mean


def parse_duration(value: object, where: str) -> Duration:
    """One duration from its scenario form (see the module docstring)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        raise ScenarioError(
            where, f"expected one of {', '.join(KINDS)} (e.g. {{exponential: 240}})"
        )
    ((kind, body),) = value.items()
    if kind == "exponential" or kind == "fixed":
        return Duration(kind, _positive(body, f"{where}.{kind}", allow_zero=kind == "fixed"))
    if kind == "lognormal":
        if not isinstance(body, Mapping) or set(body) != {"mean", "sd"}:
            raise ScenarioError(f"{where}.lognormal", "expected {mean: ..., sd: ...}")
        mean = _positive(body["mean"], f"{where}.lognormal.mean")
        return Duration(kind, mean, _positive(body["sd"], f"{where}.lognormal.sd"))
    if kind == "empirical":
        if not isinstance(body, list) or not body:
            raise ScenarioError(f"{where}.empirical", "expected a non-empty list of seconds")
        values = tuple(_positive(v, f"{where}.empirical", allow_zero=True) for v in body)
        return Duration(kind, sum(values) / len(values), values=values)
    raise ScenarioError(where, f"unknown distribution {kind!r} (expected {', '.join(KINDS)})")


def _positive(value: object, where: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(where, f"expected a number of seconds, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ScenarioError(where, f"must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    return float(value)
