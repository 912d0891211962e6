"""Estimates over independent replications: mean and 95 % confidence interval (Student t),
and the Gini coefficient of a spread.

Replications are independent (their own random streams), so each figure's replications are
i.i.d. and the t interval holds without batch-means tricks; differences between two
scenarios on common random numbers are paired the same way (``Estimate.of`` on the
replication-by-replication differences).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

_CONFIDENCE = 0.95


# Student's t 0.975 quantiles for 1..30 degrees of freedom (the usual table).
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_quantile(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (the two-sided 95 %
    factor): the table up to 30, then the Cornish-Fisher expansion (Abramowitz and Stegun
    26.7.5), within 1e-4 of the exact value there (a test compares it with scipy)."""
    if df < 1:
        raise ValueError("df must be at least 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = statistics.NormalDist().inv_cdf(0.5 + _CONFIDENCE / 2)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


@dataclass(frozen=True, slots=True)
class Estimate:
    """A figure over ``n`` replications; ``low``/``high`` bound its 95 % interval (None
    with fewer than two replications: no interval can be given)."""

    mean: float
    low: float | None
    high: float | None
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Estimate | None:
        """None when no replication defines the figure (ASA with nobody answered...)."""
        if not values:
            return None
        mean = statistics.fmean(values)
        if len(values) < 2:
            return cls(mean, None, None, len(values))
        half = t_quantile(len(values) - 1) * statistics.stdev(values)
        half /= math.sqrt(len(values))
        return cls(mean, mean - half, mean + half, len(values))

    @property
    def half_width(self) -> float | None:
        return None if self.high is None else self.high - self.mean

    def contains(self, value: float) -> bool:
        return self.low is not None and self.high is not None and self.low <= value <= self.high

    def to_dict(self, digits: int = 4) -> dict[str, object]:
        ci = (
            None
            if self.low is None or self.high is None
            else [round(self.low, digits), round(self.high, digits)]
        )
        return {"mean": round(self.mean, digits), "ci95": ci}


def gini(values: Sequence[float]) -> float:
    """0 when everyone took as many, towards 1 when one took everything (0 when none did)."""
    ordered = sorted(values)
    total = sum(ordered)
    n = len(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum(i * x for i, x in enumerate(ordered, start=1))
    return 2 * weighted / (n * total) - (n + 1) / n
