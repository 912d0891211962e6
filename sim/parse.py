"""Reading a scenario mapping (from YAML or JSON) into a ``Scenario``; see docs in README.

Unknown keys are errors, every error names where it is (``advisors[2].shifts``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime

from sim.distributions import Duration, parse_duration
from sim.errors import ScenarioError
from sim.scenario import (
    AdvisorSpec,
    ByKind,
    MixEntry,
    Scenario,
    ServiceTarget,
    TeamSpec,
    minutes,
)
from skills import AdvisorStatus, CarePolicy, QueuePolicy, RoutingMode, RuleError, RuleSpec

_TOP = (
    "name", "start", "interval_minutes", "warmup_intervals", "service_level", "arrivals",
    "handling", "patience", "care", "queue", "teams", "advisors", "rules", "notes",
)  # fmt: skip
_CARE = ("intense_emotions", "intense_threshold", "cooldown_seconds", "max_intense")
_MIX = ("weight", "channel", "language", "intent", "emotion", "intensity", "tier", "text")
_TEAM = ("id", "name", "mode", "push_limit", "push_after_seconds", "accept")
_ADVISOR = (
    "name", "team", "languages", "skills", "capacity", "capacity_per_channel", "shifts",
    "breaks", "count",
)  # fmt: skip


def parse_scenario(data: object, rules: Sequence[RuleSpec]) -> Scenario:
    """A scenario from its mapping; ``rules`` come from its rules file (the ``rules`` key
    itself is resolved by the caller, who reads files)."""
    d = _mapping(data, "scenario", _TOP)
    arrivals = _mapping(d.get("arrivals"), "arrivals", ("per_interval", "mix"))
    teams = {t.id: t for t in (_team(v, f"teams[{i}]") for i, v in enumerate(_list(d, "teams")))}
    advisors = tuple(
        advisor
        for i, value in enumerate(_list(d, "advisors"))
        for advisor in _advisors(value, f"advisors[{i}]", teams)
    )
    if not advisors:
        raise ScenarioError("advisors", "at least one advisor is needed")
    care, queue = _care(d.get("care")), _queue(d.get("queue"))
    per_interval = tuple(
        _number(v, f"arrivals.per_interval[{i}]")
        for i, v in enumerate(_seq(arrivals.get("per_interval"), "arrivals.per_interval"))
    )
    warmup = int(_number(d.get("warmup_intervals", 0), "warmup_intervals"))
    if warmup >= len(per_interval):
        raise ScenarioError("warmup_intervals", "must leave at least one reported interval")
    return Scenario(
        name=str(d.get("name", "scenario")),
        interval_seconds=minutes(d.get("interval_minutes", 30), "interval_minutes"),
        per_interval=per_interval,
        mix=tuple(
            _mix(v, f"arrivals.mix[{i}]")
            for i, v in enumerate(_seq(arrivals.get("mix"), "arrivals.mix"))
        ),
        handling=_by_kind(d.get("handling"), "handling", optional=False),
        patience=_by_kind(d.get("patience"), "patience", optional=True),
        teams=teams,
        advisors=advisors,
        rules=tuple(rules),
        target=ServiceTarget.parse(str(d.get("service_level", "80/20"))),
        care=care,
        queue=queue,
        warmup_intervals=warmup,
        start=_start(d.get("start")),
    )


def _care(value: object) -> CarePolicy:
    d = _mapping(value or {}, "care", _CARE)
    default = CarePolicy()
    emotions = d.get("intense_emotions")
    try:
        return CarePolicy(
            intense_emotions=default.intense_emotions
            if emotions is None
            else frozenset(str(e) for e in _seq(emotions, "care.intense_emotions")),
            intense_threshold=_number(
                d.get("intense_threshold", default.intense_threshold), "care.intense_threshold"
            ),
            cooldown_seconds=_number(
                d.get("cooldown_seconds", default.cooldown_seconds), "care.cooldown_seconds"
            ),
            max_intense=int(_number(d.get("max_intense", default.max_intense), "care.max_intense")),
        )
    except RuleError as error:
        raise ScenarioError(f"care.{error.field}", error.detail) from None


def _queue(value: object) -> QueuePolicy:
    d = _mapping(value or {}, "queue", ("ageing_per_minute", "intense_boost"))
    try:
        return QueuePolicy(
            ageing_per_minute=_number(d.get("ageing_per_minute", 1.0), "queue.ageing_per_minute"),
            intense_boost=int(_number(d.get("intense_boost", 0), "queue.intense_boost")),
        )
    except RuleError as error:
        raise ScenarioError(f"queue.{error.field}", error.detail) from None


def _mix(value: object, where: str) -> MixEntry:
    d = _mapping(value, where, _MIX)
    channel = _text(d, "channel")
    if channel is None:
        raise ScenarioError(f"{where}.channel", "required")
    return MixEntry(
        weight=_number(d.get("weight", 1), f"{where}.weight"),
        channel=channel,
        language=_text(d, "language"),
        intent=_text(d, "intent"),
        emotion=_text(d, "emotion"),
        intensity=_number(d.get("intensity", 0.0), f"{where}.intensity"),
        tier=_text(d, "tier"),
        text=_text(d, "text") or "",
    )


def _text(d: Mapping[str, object], key: str) -> str | None:
    value = d.get(key)
    return None if value is None else str(value)


def _by_kind(value: object, where: str, *, optional: bool) -> ByKind:
    """A single distribution, or a list of {intent?, channel?, time} (time null: no limit)."""
    if value is None:
        if not optional:
            raise ScenarioError(where, "required (e.g. {exponential: 240})")
        return ByKind(((None, None, None),))
    if isinstance(value, Mapping):
        return ByKind(((None, None, parse_duration(value, where)),))
    entries: list[tuple[str | None, str | None, Duration | None]] = []
    for i, item in enumerate(_seq(value, where)):
        d = _mapping(item, f"{where}[{i}]", ("intent", "channel", "time"))
        time = d.get("time")
        if time is None and not optional:
            raise ScenarioError(f"{where}[{i}].time", "required")
        duration = None if time is None else parse_duration(time, f"{where}[{i}].time")
        entries.append((_text(d, "intent"), _text(d, "channel"), duration))
    if not optional and entries[-1][:2] != (None, None):
        raise ScenarioError(where, "the last entry must match everything (no intent, no channel)")
    return ByKind(tuple(entries))


def _team(value: object, where: str) -> TeamSpec:
    d = _mapping(value, where, _TEAM)
    after = d.get("push_after_seconds")
    try:
        mode = RoutingMode(str(d.get("mode", "push")))
    except ValueError:
        raise ScenarioError(f"{where}.mode", f"expected one of {', '.join(RoutingMode)}") from None
    return TeamSpec(
        id=int(_number(d.get("id"), f"{where}.id")),
        name=str(d.get("name", f"team {d.get('id')}")),
        mode=mode,
        push_limit=int(_number(d.get("push_limit", 1), f"{where}.push_limit")),
        push_after_seconds=None if after is None else _number(after, f"{where}.push_after_seconds"),
        accept=parse_duration(d.get("accept", {"fixed": 0}), f"{where}.accept"),
    )


def _advisors(value: object, where: str, teams: Mapping[int, TeamSpec]) -> list[AdvisorSpec]:
    d = _mapping(value, where, _ADVISOR)
    team = d.get("team")
    team_id = None if team is None else int(_number(team, f"{where}.team"))
    if team_id is not None and team_id not in teams:
        raise ScenarioError(f"{where}.team", f"no team with id {team_id} in teams")
    count = int(_number(d.get("count", 1), f"{where}.count"))
    name = str(d.get("name", where))
    names = [name] if count == 1 else [f"{name} {i + 1}" for i in range(count)]
    return [
        AdvisorSpec(
            name=n,
            team_id=team_id,
            languages=frozenset(str(x) for x in _seq(d.get("languages", []), f"{where}.languages")),
            skills=_levels(d.get("skills"), f"{where}.skills"),
            capacity=int(_number(d.get("capacity", 1), f"{where}.capacity")),
            capacity_per_channel=_levels(
                d.get("capacity_per_channel"), f"{where}.capacity_per_channel"
            ),
            timetable=_timetable(d.get("shifts"), d.get("breaks"), where),
        )
        for n in names
    ]


def _levels(value: object, where: str) -> dict[str, int]:
    return {k: int(_number(v, f"{where}.{k}")) for k, v in _kwargs(value, where).items()}


def _timetable(
    shifts: object, breaks: object, where: str
) -> tuple[tuple[float, AdvisorStatus], ...]:
    """Status changes in time order; without shifts the advisor works all day (and stays
    until the day's last conversation is done)."""
    changes: list[tuple[float, int, AdvisorStatus]] = []
    spans = [[0, None]] if shifts is None else _seq(shifts, f"{where}.shifts")
    for kind, items in (("shifts", spans), ("breaks", _seq(breaks or [], f"{where}.breaks"))):
        for i, span in enumerate(items):
            pair = _seq(span, f"{where}.{kind}[{i}]")
            if len(pair) != 2:
                raise ScenarioError(f"{where}.{kind}[{i}]", "expected [start, end] in minutes")
            start = minutes(pair[0], f"{where}.{kind}[{i}]")
            on, off = (
                (AdvisorStatus.AVAILABLE, AdvisorStatus.OFFLINE)
                if kind == "shifts"
                else (AdvisorStatus.BREAK, AdvisorStatus.AVAILABLE)
            )
            # At one instant: a shift's end, then a break's, then a start (rank breaks ties).
            changes.append((start, 2 if kind == "shifts" else 1, on))
            if pair[1] is not None:
                end = minutes(pair[1], f"{where}.{kind}[{i}]")
                if end <= start:
                    raise ScenarioError(f"{where}.{kind}[{i}]", "must end after it starts")
                changes.append((end, 0, off))
    changes.sort(key=lambda c: (c[0], c[1]))
    return tuple((at, status) for at, _, status in changes)


def _start(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        start = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError("start", f"expected an ISO date-time, got {value!r}") from None
    if start.tzinfo is None:
        raise ScenarioError("start", "needs a time zone offset (e.g. 2027-01-04T08:00:00+01:00)")
    return start


def _kwargs(value: object, where: str) -> dict[str, object]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ScenarioError(where, "expected a mapping")
    return {str(k): v for k, v in value.items()}


def _mapping(value: object, where: str, keys: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ScenarioError(where, "expected a mapping")
    unknown = sorted(set(map(str, value)) - set(keys))
    if unknown:
        raise ScenarioError(
            where, f"unknown key(s) {', '.join(unknown)} (expected {', '.join(keys)})"
        )
    return value


def _list(d: Mapping[str, object], key: str) -> Sequence[object]:
    return _seq(d.get(key, []), key)


def _seq(value: object, where: str) -> Sequence[object]:
    if not isinstance(value, list | tuple):
        raise ScenarioError(where, "expected a list")
    return value


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(where, f"expected a number, got {value!r}")
    if value < 0:
        raise ScenarioError(where, f"must be >= 0, got {value}")
    return float(value)
