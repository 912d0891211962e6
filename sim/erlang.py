"""Closed forms for one queue served by n identical advisors (one conversation at a time):
Erlang C (M/M/n, nobody leaves) and Erlang A (M/M/n+M, exponential patience), and the
advisors needed for a service-level target.

Where they hold: one skill, one queue, Poisson arrivals at a steady rate through the
interval, exponential handling, first come first served, advisors who take one
conversation at a time and never pause. They do not hold for several skills or queues
(who serves whom changes the waits: pooling, skills chaining), concurrent chats, priorities,
escalation or care rules; there, simulate the scenario (``aiguillage simulate``), which is
what ``aiguillage staffing --check-by-simulation`` does for each interval.

Erlang A is computed from the birth-death chain of the number of customers (truncated
where its tail is negligible) and the tagged customer's progress through the queue, not
from the incomplete-gamma closed forms: the same answers, and easy to check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_TAIL = 1e-13


@dataclass(frozen=True, slots=True)
class ErlangFigures:
    advisors: int
    erlangs: float  # offered load: arrival rate x handling time
    p_wait: float  # an arrival finds every advisor busy
    asa_seconds: float  # mean wait of the answered
    service_level: float  # answered within the target's seconds / offered
    abandon_rate: float
    occupancy: float  # busy time / staffed time


def erlang_b(n: int, erlangs: float) -> float:
    """Blocking probability of n servers under ``erlangs`` of load (stable recursion)."""
    b = 1.0
    for k in range(1, n + 1):
        b = erlangs * b / (k + erlangs * b)
    return b


def erlang_c(n: int, erlangs: float) -> float:
    """Probability of waiting (M/M/n); 1 when the load reaches the advisors."""
    if erlangs >= n:
        return 1.0
    b = erlang_b(n, erlangs)
    return n * b / (n - erlangs * (1 - b))


def erlang_c_figures(
    n: int, arrivals_per_second: float, aht: float, target_seconds: float
) -> ErlangFigures:
    erlangs = arrivals_per_second * aht
    c = erlang_c(n, erlangs)
    if erlangs >= n:
        return ErlangFigures(n, erlangs, 1.0, math.inf, 0.0, 0.0, 1.0)
    drain = (n - erlangs) / aht  # rate at which a queue empties
    return ErlangFigures(
        advisors=n,
        erlangs=erlangs,
        p_wait=c,
        asa_seconds=c / drain,
        service_level=1 - c * math.exp(-drain * target_seconds),
        abandon_rate=0.0,
        occupancy=erlangs / n,
    )


def erlang_a(
    n: int, arrivals_per_second: float, aht: float, patience: float, target_seconds: float
) -> ErlangFigures:
    """M/M/n+M: customers leave after an exponential patience of mean ``patience``."""
    lam, mu, theta = arrivals_per_second, 1.0 / aht, 1.0 / patience
    pi = _stationary(n, lam, mu, theta)
    waiting = pi[n:]  # an arrival finding n + j customers has j ahead of it (PASTA)
    p_wait = sum(waiting)
    queue_length = sum(j * p for j, p in enumerate(waiting))
    served, served_time = _tagged(n, mu, theta, len(waiting))
    answered = (1 - p_wait) + sum(p * s for p, s in zip(waiting, served, strict=True))
    wait_of_answered = sum(p * m for p, m in zip(waiting, served_time, strict=True))
    in_target = (1 - p_wait) + _served_within(waiting, n, mu, theta, target_seconds)
    if lam == 0:  # an interval without arrivals: nobody waits, nobody leaves
        return ErlangFigures(n, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    abandon = theta * queue_length / lam  # abandonment flow = theta x mean queue
    return ErlangFigures(
        advisors=n,
        erlangs=lam * aht,
        p_wait=p_wait,
        asa_seconds=wait_of_answered / answered,
        service_level=in_target,
        abandon_rate=abandon,
        occupancy=lam * (1 - abandon) * aht / n,
    )


def staff_for(
    arrivals_per_second: float,
    aht: float,
    target: tuple[float, float],
    patience: float | None = None,
    limit: int = 10_000,
) -> ErlangFigures:
    """The fewest advisors whose service level reaches ``target`` = (fraction, seconds):
    Erlang C, or Erlang A with a ``patience``."""
    fraction, seconds = target
    erlangs = arrivals_per_second * aht
    n = max(1, math.floor(erlangs) + (1 if patience is None else 0))
    while n <= limit:
        figures = (
            erlang_c_figures(n, arrivals_per_second, aht, seconds)
            if patience is None
            else erlang_a(n, arrivals_per_second, aht, patience, seconds)
        )
        if figures.service_level >= fraction:
            return figures
        n += 1
    raise ValueError(f"more than {limit} advisors needed")


def _stationary(n: int, lam: float, mu: float, theta: float) -> list[float]:
    """The number in system: births lam, deaths min(k, n) mu + max(k - n, 0) theta."""
    weights = [1.0]
    k = 0
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        weights.append(weights[-1] * lam / death)
        if k > n and weights[-1] < _TAIL * max(weights) and lam < death:
            break
    total = sum(weights)
    return [w / total for w in weights]


def _tagged(n: int, mu: float, theta: float, positions: int) -> tuple[list[float], list[float]]:
    """For a customer with i ahead: P(served), and E[wait; served] (first-step analysis:
    it moves up at n mu + i theta, leaves at theta)."""
    served, time = [], []
    s_prev, m_prev = 1.0, 0.0
    for i in range(positions):
        advance = n * mu + i * theta
        rate = advance + theta
        s = advance / rate * s_prev
        m = s / rate + advance / rate * m_prev
        served.append(s)
        time.append(m)
        s_prev, m_prev = s, m
    return served, time


def _served_within(start: list[float], n: int, mu: float, theta: float, seconds: float) -> float:
    """P(served within ``seconds``) over arrivals that wait, starting ``i`` ahead with
    probability ``start[i]``: the tagged customer's chain, uniformized."""
    if seconds <= 0:
        return 0.0
    size = len(start)
    advance = [n * mu + i * theta for i in range(size)]
    uniform = advance[-1] + theta
    stay = [1 - (a + theta) / uniform for a in advance]
    p = list(start)
    served = 0.0
    total = 0.0
    x = uniform * seconds
    # Poisson(m; x) weights in log space: exp(-x) underflows to 0 past x = 745, after which
    # a running product stays 0 and the tail mass never shrinks. Past x + 10 sqrt(x) + 20
    # the remaining weight is far below _TAIL.
    last = x + 10 * math.sqrt(x) + 20
    m = 0
    mass = 1.0
    while m <= last and (mass > _TAIL or m < x):
        weight = math.exp(m * math.log(x) - x - math.lgamma(m + 1))
        total += weight * served
        served += p[0] * advance[0] / uniform
        p = [
            p[i] * stay[i] + (p[i + 1] * advance[i + 1] / uniform if i + 1 < size else 0.0)
            for i in range(size)
        ]
        mass -= weight
        m += 1
    return total + max(0.0, mass) * served
