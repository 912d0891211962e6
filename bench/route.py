"""Routing decision latency of the pure domain (skills/): push and pull, no database.

Push: match the rule for a conversation, derive requirements, choose among N advisors.
Pull: an advisor asks for work; scan the waiting queue (M conversations, already in
priority/age order as the database returns it) for the first one they fit.

    .venv/bin/python bench/route.py            # the full grid
    .venv/bin/python bench/route.py --samples 200 --advisors 100 1000 --waiting 1000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.progress import track
from rich.table import Table

from skills import (
    AdvisorProfile,
    AdvisorStatus,
    Facts,
    Requirements,
    RuleSpec,
    choose,
    exclusion_reason,
    match_rule,
    requirements_for,
)

SKILLS = ["billing", "orders", "technical", "retention", "complaints", "returns", "vip", "b2b"]
LANGUAGES = ["fr", "en", "es", "de"]
CHANNELS = ["email", "chat", "whatsapp", "messenger", "instagram", "x"]
TEXTS = [
    "ma facture est fausse",
    "where is my parcel",
    "app crashes on login",
    "je veux résilier",
    "refund please",
    "bonjour, une question",
]


def make_advisors(count: int, rng: random.Random) -> list[AdvisorProfile]:
    advisors = []
    for i in range(count):
        capacity = rng.randint(2, 6)
        load = rng.randint(0, capacity)
        skills = {s: rng.randint(1, 5) for s in rng.sample(SKILLS, rng.randint(1, 4))}
        advisors.append(
            AdvisorProfile(
                id=i + 1,
                name=f"advisor {i + 1}",
                team_id=rng.randint(1, 20),
                status=rng.choice([AdvisorStatus.AVAILABLE] * 8 + [AdvisorStatus.BREAK]),
                languages=frozenset(rng.sample(LANGUAGES, rng.randint(1, 2))),
                skills=skills,
                capacity_total=capacity,
                capacity_per_channel={},
                load_total=load,
                load_per_channel={"chat": load},
                last_assigned_at=time.time() - rng.random() * 3600,
            )
        )
    return advisors


def make_rules() -> list[RuleSpec]:
    data = [
        {
            "name": "cancellations",
            "position": 10,
            "conditions": {"keywords": ["résilier"]},
            "required_skills": {"retention": 3},
        },
        {
            "name": "technical",
            "position": 20,
            "conditions": {"keywords": ["crash", "login"]},
            "required_skills": {"technical": 3},
        },
        {
            "name": "billing",
            "position": 30,
            "conditions": {"keywords": ["facture", "refund"]},
            "required_skills": {"billing": 2},
        },
        {
            "name": "orders",
            "position": 40,
            "conditions": {"keywords": ["parcel", "commande"]},
            "required_skills": {"orders": 2},
            "policy": "least_busy",
        },
        {"name": "default", "position": 1000, "is_default": True, "policy": "least_busy"},
    ]
    return [RuleSpec.from_dict(d) for d in data]


def make_waiting(count: int, rng: random.Random) -> list[Requirements]:
    return [
        Requirements(
            channel=rng.choice(CHANNELS),
            skills={rng.choice(SKILLS): rng.randint(1, 5)},
            language=rng.choice(LANGUAGES),
        )
        for _ in range(count)
    ]


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


def timed(action: Callable[[], object], samples: int, label: str) -> list[float]:
    durations = []
    for _ in track(range(samples), description=label, transient=True):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisors", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--waiting", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rules = make_rules()
    results = []
    for advisor_count in args.advisors:
        advisors = make_advisors(advisor_count, rng)
        for waiting_count in args.waiting:
            waiting = make_waiting(waiting_count, rng)

            def push(advisors: list[AdvisorProfile] = advisors) -> None:
                facts = Facts(
                    channel=rng.choice(CHANNELS),
                    language=rng.choice(LANGUAGES),
                    intent=None,
                    text=rng.choice(TEXTS),
                )
                rule = match_rule(rules, facts)
                choose(advisors, requirements_for(rule, facts), rule.policy, now=time.time())

            def pull(
                advisors: list[AdvisorProfile] = advisors,
                waiting: list[Requirements] = waiting,
            ) -> None:
                advisor = rng.choice(advisors)
                next((r for r in waiting if exclusion_reason(advisor, r) is None), None)

            label = f"{advisor_count} advisors / {waiting_count} waiting"
            push_ms = percentiles(timed(push, args.samples, f"push {label}"))
            pull_ms = percentiles(timed(pull, args.samples, f"pull {label}"))
            results.append(
                {
                    "advisors": advisor_count,
                    "waiting": waiting_count,
                    "push_ms": {"p50": round(push_ms[0], 3), "p99": round(push_ms[1], 3)},
                    "pull_ms": {"p50": round(pull_ms[0], 3), "p99": round(pull_ms[1], 3)},
                }
            )
    table = Table(title="Routing decision latency (skills/, in memory)")
    for column in (
        "advisors",
        "waiting",
        "push p50 ms",
        "push p99 ms",
        "pull p50 ms",
        "pull p99 ms",
    ):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            f"{r['advisors']:,}",
            f"{r['waiting']:,}",
            f"{r['push_ms']['p50']:.3f}",
            f"{r['push_ms']['p99']:.3f}",
            f"{r['pull_ms']['p50']:.3f}",
            f"{r['pull_ms']['p99']:.3f}",
        )
    Console(stderr=True).print(table)
    print(json.dumps({"bench": "route", "samples": args.samples, "results": results}))


if __name__ == "__main__":
    main()
