"""One replication's customers, drawn before the day is played: common random numbers.

Each source of randomness has its own stream, seeded from (seed, replication, source):
arrival times, the kind of each conversation, its handling time, its patience. Two
scenarios played on the same replication therefore meet the same customers, whatever their
rules or staff do; a what-if's differences come from the change, not from the dice.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass
from datetime import timedelta

from sim.scenario import MixEntry, Scenario
from skills import Facts

SOURCES = ("arrivals", "mix", "handling", "patience", "offers")


def stream(seed: int, replication: int, source: str) -> random.Random:
    """An independent, reproducible stream (a string seed is hashed with SHA-512 by
    ``random``: stable across processes and Python versions, unlike ``hash``)."""
    return random.Random(f"aiguillage-sim/{seed}/{replication}/{source}")


@dataclass(frozen=True, slots=True)
class Arrival:
    id: int
    at: float  # seconds from the start of the day
    interval: int
    facts: Facts
    handling: float  # seconds an advisor holds it once answered
    patience: float  # seconds the customer waits before leaving (inf: never leaves)


def workload(scenario: Scenario, seed: int, replication: int) -> list[Arrival]:
    """The day's arrivals: a Poisson process of the interval's rate in each interval."""
    times = _arrival_times(scenario, stream(seed, replication, "arrivals"))
    mix_rng = stream(seed, replication, "mix")
    handling_rng = stream(seed, replication, "handling")
    patience_rng = stream(seed, replication, "patience")
    cumulative = list(itertools.accumulate(entry.weight for entry in scenario.mix))
    arrivals = []
    for number, (at, interval) in enumerate(times, start=1):
        entry = scenario.mix[bisect.bisect_right(cumulative, mix_rng.random() * cumulative[-1])]
        # One draw per arrival from each stream, whatever the kind and its distribution
        # (a rejection sampler reads a varying count): the streams stay aligned.
        handling = scenario.handling.for_(entry.intent, entry.channel)
        assert handling is not None  # the last handling entry matches everything
        hold = handling.sample(random.Random(handling_rng.getrandbits(64)))
        patience = scenario.patience.for_(entry.intent, entry.channel)
        seed_of_wait = patience_rng.getrandbits(64)
        wait = math.inf if patience is None else patience.sample(random.Random(seed_of_wait))
        arrivals.append(Arrival(number, at, interval, _facts(scenario, entry, at), hold, wait))
    return arrivals


def _arrival_times(scenario: Scenario, rng: random.Random) -> list[tuple[float, int]]:
    times = []
    length = scenario.interval_seconds
    for interval, expected in enumerate(scenario.per_interval):
        if expected <= 0:
            continue
        at, end = interval * length, (interval + 1) * length
        while True:
            at += rng.expovariate(expected / length)
            if at >= end:
                break
            times.append((at, interval))
    return times


def _facts(scenario: Scenario, entry: MixEntry, at: float) -> Facts:
    return Facts(
        channel=entry.channel,
        language=entry.language,
        intent=entry.intent,
        text=entry.text,
        tier=entry.tier,
        emotion=entry.emotion,
        emotion_intensity=entry.intensity,
        at=None if scenario.start is None else scenario.start + timedelta(seconds=at),
    )
