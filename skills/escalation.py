"""Escalation steps: the longer a conversation waits, the wider the net (bullseye routing).

A step says, after how many seconds of waiting, what the rule's requirements become: other
skills or lower levels, no language requirement, no team restriction. Steps apply
cumulatively in the order of their delays; the latest reached wins for what it sets.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from clocks import _fields as f

_KEYS = ("after_seconds", "required_skills", "require_language", "drop_team")
MAX_STEPS = 10


@dataclass(frozen=True, slots=True)
class EscalationStep:
    after_seconds: int
    required_skills: Mapping[str, int] | None = None  # None: keep the previous skills
    require_language: bool | None = None  # None: keep the previous language rule
    drop_team: bool = False

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"after_seconds": self.after_seconds}
        if self.required_skills is not None:
            data["required_skills"] = dict(sorted(self.required_skills.items()))
        if self.require_language is not None:
            data["require_language"] = self.require_language
        if self.drop_team:
            data["drop_team"] = True
        return data

    @classmethod
    def from_dict(
        cls, data: object, field: str, known_skills: Collection[str] | None = None
    ) -> EscalationStep:
        d = f.mapping(data, field)
        f.check_keys(d, _KEYS, field)
        after = f.integer(f.required(d, "after_seconds"), f"{field}.after_seconds")
        if after <= 0:
            raise f.error(f"{field}.after_seconds", "must be a positive number of seconds")
        skills = d.get("required_skills")
        language = d.get("require_language")
        return cls(
            after_seconds=after,
            required_skills=None
            if skills is None
            else f.skill_levels(skills, f"{field}.required_skills", known_skills),
            require_language=None
            if language is None
            else f.boolean(language, f"{field}.require_language"),
            drop_team=f.boolean(d.get("drop_team", False), f"{field}.drop_team"),
        )


def parse_steps(
    value: object, known_skills: Collection[str] | None = None
) -> tuple[EscalationStep, ...]:
    """Steps from JSON; their delays must strictly increase."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise f.error("escalation", "must be a list of steps")
    if len(value) > MAX_STEPS:
        raise f.error("escalation", f"at most {MAX_STEPS} steps")
    steps = tuple(
        EscalationStep.from_dict(item, f"escalation[{i}]", known_skills)
        for i, item in enumerate(value)
    )
    for previous, step in zip(steps, steps[1:], strict=False):
        if step.after_seconds <= previous.after_seconds:
            raise f.error("escalation", "steps must be ordered by increasing after_seconds")
    return steps


def reached(steps: Sequence[EscalationStep], waited_seconds: float) -> int:
    """How many steps a conversation that waited this long has reached."""
    return sum(1 for step in steps if step.after_seconds <= waited_seconds)
