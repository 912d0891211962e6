"""Routing decision latency of the pure domain (skills/): push and pull, no database.

Push: match the rule for a conversation, derive requirements, choose among N advisors
through the candidate index (skills.index), built once per snapshot as the service does per
routing batch. The full scan (skills.choice.choose) is timed too, for comparison.
Pull: an advisor asks for work; the waiting room (skills.queue.WaitingQueue, the plan the
SQL pull follows) finds the best conversation they fit among M waiting, by effective
priority (priority + urgency + ageing).

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
from dataclasses import replace

from rich.console import Console
from rich.table import Table

from skills import (
    AdvisorProfile,
    AdvisorStatus,
    CandidateIndex,
    CarePolicy,
    Facts,
    QueueClass,
    QueuePolicy,
    ReplyWindow,
    RuleSpec,
    WaitingQueue,
    choose,
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
CARE = CarePolicy()
WINDOW = ReplyWindow(seconds=86400, ramp_seconds=4 * 3600, points=30)
# As the product's defaults (migration 0004's reply windows, routing_config's 30-point boost).
QUEUE = QueuePolicy(
    ageing_per_minute=1.0, windows=dict.fromkeys(CHANNELS[2:5], WINDOW), intense_boost=30
)


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
                intense_load=rng.choice([0, 0, 0, 1]),
                intense_today=rng.randint(0, 3),
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
            "priority": 60,
        },
        {
            "name": "technical",
            "position": 20,
            "conditions": {"patterns": ["crash(es)?", "log\\s?in"]},
            "required_skills": {"technical": 3},
            "priority": 40,
        },
        {
            "name": "billing",
            "position": 30,
            "conditions": {"keywords": ["facture", "refund"]},
            "required_skills": {"billing": 2},
            "priority": 30,
        },
        {
            "name": "orders",
            "position": 40,
            "conditions": {"keywords": ["parcel", "commande"]},
            "required_skills": {"orders": 2},
            "policy": "least_busy",
            "priority": 20,
        },
        {"name": "default", "position": 1000, "is_default": True, "policy": "least_busy"},
    ]
    return [RuleSpec.from_dict(d) for d in data]


def random_facts(rng: random.Random) -> Facts:
    emotion = rng.choice([None] * 8 + ["anger", "frustration"])
    return Facts(
        channel=rng.choice(CHANNELS),
        language=rng.choice(LANGUAGES),
        intent=None,
        text=rng.choice(TEXTS),
        emotion=emotion,
        emotion_intensity=rng.random() if emotion else 0.0,
    )


def make_waiting(count: int, rules: list[RuleSpec], rng: random.Random) -> WaitingQueue:
    """Conversations routed by the rules that found nobody: waiting 0-2 h, one in twenty of
    the reply-window channels' customers near the end of their window."""
    queue = WaitingQueue(QUEUE)
    now = time.time()
    for conversation_id in range(1, count + 1):
        facts = random_facts(rng)
        rule = match_rule(rules, facts)
        since_message = rng.uniform(20, 24) * 3600 if rng.random() < 0.05 else 0.0
        urgency = QUEUE.urgency(facts.channel, since_message)
        intense = CARE.is_intense(facts.emotion, facts.emotion_intensity)
        priority = QUEUE.queue_priority(rule.priority, urgency, intense)
        cls = QueueClass(requirements_for(rule, facts), intense, priority)
        queue.add(conversation_id, cls, now - rng.uniform(0, 7200))
    return queue


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


def timed(action: Callable[[], object], samples: int, label: str) -> list[float]:
    # No live progress bar: its refresh thread would take the GIL in the middle of samples.
    Console(stderr=True).print(f"[dim]{label}…[/dim]")
    for _ in range(min(20, samples)):  # warm-up, untimed
        action()
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def warmed_index(
    advisors: list[AdvisorProfile], rules: list[RuleSpec]
) -> tuple[CandidateIndex, float]:
    """The index, with every list the rules can ask for built; and how long that took (ms)."""
    started = time.perf_counter()
    index = CandidateIndex(advisors)
    for rule in rules:
        for language in LANGUAGES:
            facts = Facts(channel="chat", language=language, intent=None, text="")
            for intense in (False, True):
                index.choose(
                    requirements_for(rule, facts), rule.policy, now=time.time(), intense=intense
                )
    return index, (time.perf_counter() - started) * 1000


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
        index, build_ms = warmed_index(advisors, rules)

        def push(index: CandidateIndex = index) -> None:
            facts = random_facts(rng)
            rule = match_rule(rules, facts)
            intense = CARE.is_intense(facts.emotion, facts.emotion_intensity)
            index.choose(
                requirements_for(rule, facts),
                rule.policy,
                now=time.time(),
                intense=intense,
                care=CARE,
            )

        def scan(advisors: list[AdvisorProfile] = advisors) -> None:
            facts = random_facts(rng)
            rule = match_rule(rules, facts)
            intense = CARE.is_intense(facts.emotion, facts.emotion_intensity)
            choose(
                advisors,
                requirements_for(rule, facts),
                rule.policy,
                now=time.time(),
                intense=intense,
                care=CARE,
            )

        def update(
            index: CandidateIndex = index, advisors: list[AdvisorProfile] = advisors
        ) -> None:
            # An assignment or a resolution: one advisor's load moves (kept in bounds).
            advisor = index.get(rng.choice(advisors).id)
            assert advisor is not None
            load = rng.randint(0, advisor.capacity_total)
            index.update(replace(advisor, load_total=load, last_assigned_at=time.time()))

        push_ms = percentiles(timed(push, args.samples, f"push {advisor_count} advisors"))
        scan_ms = percentiles(timed(scan, args.samples, f"scan {advisor_count} advisors"))
        update_ms = percentiles(timed(update, args.samples, f"update {advisor_count} advisors"))
        for waiting_count in args.waiting:
            waiting = make_waiting(waiting_count, rules, rng)

            def pull(
                advisors: list[AdvisorProfile] = advisors, waiting: WaitingQueue = waiting
            ) -> None:
                waiting.best_for(rng.choice(advisors), now=time.time(), care=CARE)

            label = f"pull {advisor_count} advisors / {waiting_count} waiting"
            pull_ms = percentiles(timed(pull, args.samples, label))
            results.append(
                {
                    "advisors": advisor_count,
                    "waiting": waiting_count,
                    "index_build_ms": round(build_ms, 1),
                    "push_ms": {"p50": round(push_ms[0], 3), "p99": round(push_ms[1], 3)},
                    "full_scan_ms": {"p50": round(scan_ms[0], 3), "p99": round(scan_ms[1], 3)},
                    "index_update_ms": {
                        "p50": round(update_ms[0], 3),
                        "p99": round(update_ms[1], 3),
                    },
                    "pull_ms": {"p50": round(pull_ms[0], 3), "p99": round(pull_ms[1], 3)},
                }
            )
    table = Table(title="Routing decision latency (skills/, in memory)")
    columns = (
        "advisors",
        "waiting",
        "push p50 ms",
        "push p99 ms",
        "full scan p99 ms",
        "index update p99 ms",
        "index build ms",
        "pull p50 ms",
        "pull p99 ms",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            f"{r['advisors']:,}",
            f"{r['waiting']:,}",
            f"{r['push_ms']['p50']:.3f}",
            f"{r['push_ms']['p99']:.3f}",
            f"{r['full_scan_ms']['p99']:.3f}",
            f"{r['index_update_ms']['p99']:.3f}",
            f"{r['index_build_ms']:.1f}",
            f"{r['pull_ms']['p50']:.3f}",
            f"{r['pull_ms']['p99']:.3f}",
        )
    Console(stderr=True).print(table)
    print(json.dumps({"bench": "route", "samples": args.samples, "results": results}))


if __name__ == "__main__":
    main()
