"""Admin routing rules: data in, one pure matcher, requirements out.

Rules are ordered by ``position``; the first non-default rule whose conditions hold wins, and
the default rule (which has no conditions) catches everything else.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from clocks import _fields as f
from clocks.errors import RuleError
from skills.conditions import Conditions
from skills.escalation import EscalationStep, parse_steps, reached
from skills.model import OTHER_LANGUAGE, Facts, Policy, Requirements

__all__ = ["Conditions", "RuleError", "RuleSpec", "match_rule", "requirements_for"]

_KEYS = (
    "id",
    "name",
    "position",
    "conditions",
    "required_skills",
    "require_language",
    "team_id",
    "priority",
    "policy",
    "is_default",
    "escalation",
)
PRIORITIES = range(0, 101)
_POLICIES = {str(policy): policy for policy in Policy}


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One routing rule.

    ``require_language``: the conversation's detected language, when known, becomes a
    requirement. ``priority`` (0..100) orders waiting conversations.
    """

    id: int | None
    name: str
    position: int
    conditions: Conditions = field(default_factory=Conditions)
    required_skills: Mapping[str, int] = field(default_factory=dict)
    require_language: bool = True
    team_id: int | None = None
    priority: int = 50
    policy: Policy = Policy.BEST_FIT
    is_default: bool = False
    escalation: tuple[EscalationStep, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise f.error("name", "must not be empty")
        if self.priority not in PRIORITIES:
            raise f.error("priority", f"{self.priority} is outside 0..100")
        object.__setattr__(self, "policy", _policy(self.policy))
        for skill, level in self.required_skills.items():
            f.check_level(level, f"required_skills.{skill}")
        if self.is_default and not self.conditions.is_empty:
            raise f.error("conditions", "the default rule always matches; it takes no conditions")
        if not self.is_default and self.conditions.is_empty:
            raise f.error(
                "conditions", "a non-default rule needs at least one condition (it would match all)"
            )

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "position": self.position,
            "conditions": self.conditions.to_dict(),
            "required_skills": dict(sorted(self.required_skills.items())),
            "require_language": self.require_language,
            "team_id": self.team_id,
            "priority": self.priority,
            "policy": str(self.policy),
            "is_default": self.is_default,
            "escalation": [step.to_dict() for step in self.escalation],
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, object], known_skills: Collection[str] | None = None
    ) -> RuleSpec:
        """Parse and validate the JSON form; only ``name`` is required.

        Unknown keys are rejected. With ``known_skills``, a required skill outside it is an
        error. Defaults: position 0, no conditions, no skills, require_language true, no team,
        priority 50, best_fit, not default.
        """
        d = f.mapping(data, "rule")
        f.check_keys(d, _KEYS, "rule")
        return cls(
            id=f.optional_int(d.get("id"), "id"),
            name=f.string(f.required(d, "name"), "name"),
            position=f.integer(d.get("position", 0), "position"),
            conditions=Conditions.from_dict(d.get("conditions", {})),
            required_skills=f.skill_levels(
                d.get("required_skills", {}), "required_skills", known_skills
            ),
            require_language=f.boolean(d.get("require_language", True), "require_language"),
            team_id=f.optional_int(d.get("team_id"), "team_id"),
            priority=f.integer(d.get("priority", 50), "priority"),
            policy=_policy(d.get("policy", Policy.BEST_FIT)),
            is_default=f.boolean(d.get("is_default", False), "is_default"),
            escalation=parse_steps(d.get("escalation"), known_skills),
        )


def match_rule(rules: Sequence[RuleSpec], facts: Facts) -> RuleSpec:
    """The rule that applies to ``facts``: the first matching non-default rule by position,
    else the default rule (the first by position if there are several).

    Equal positions keep the order of ``rules``. A rule set without a default rule raises
    RuleError whatever the facts: a configuration error must not wait for an unusual message.
    """
    ordered = sorted(rules, key=lambda r: r.position)
    default = next((r for r in ordered if r.is_default), None)
    if default is None:
        raise f.error("is_default", "no default rule: one rule must catch every conversation")
    return next((r for r in ordered if not r.is_default and r.conditions.matches(facts)), default)


def requirements_for(rule: RuleSpec, facts: Facts, waited_seconds: float = 0.0) -> Requirements:
    """What an advisor needs to take a conversation that matched ``rule`` and has waited
    ``waited_seconds``: the rule's requirements, relaxed by the escalation steps reached."""
    skills: Mapping[str, int] = rule.required_skills
    require_language = rule.require_language
    team_id = rule.team_id
    for step in rule.escalation[: reached(rule.escalation, waited_seconds)]:
        if step.required_skills is not None:
            skills = step.required_skills
        if step.require_language is not None:
            require_language = step.require_language
        if step.drop_team:
            team_id = None
    return Requirements(
        channel=facts.channel,
        skills=dict(skills),
        language=_required_language(facts.language) if require_language else None,
        team_id=team_id,
    )


def _required_language(language: str | None) -> str | None:
    """An empty language is no language, and "other" is none an advisor can declare: neither
    may exclude everyone."""
    return None if not language or language == OTHER_LANGUAGE else language


def _policy(value: object) -> Policy:
    policy = _POLICIES.get(value) if isinstance(value, str) else None
    if policy is not None:
        return policy
    expected = ", ".join(Policy)
    raise f.error("policy", f"unknown policy {value!r} (expected {expected})")
