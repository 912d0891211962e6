"""Escalation steps relax a rule's requirements as the wait grows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills import Facts, RuleError, RuleSpec, requirements_for

RULE = {
    "name": "Billing",
    "conditions": {"keywords": ["invoice"]},
    "required_skills": {"billing": 4},
    "require_language": True,
    "team_id": 3,
    "escalation": [
        {"after_seconds": 60, "required_skills": {"billing": 2}},
        {"after_seconds": 300, "require_language": False},
        {"after_seconds": 900, "required_skills": {}, "drop_team": True},
    ],
}
FACTS = Facts(channel="chat", language="fr", intent=None, text="my invoice")


def test_requirements_widen_step_by_step() -> None:
    rule = RuleSpec.from_dict(RULE)
    at = {t: requirements_for(rule, FACTS, waited_seconds=t) for t in (0, 59, 60, 300, 901)}
    assert (at[0].skills, at[0].language, at[0].team_id) == ({"billing": 4}, "fr", 3)
    assert at[59] == at[0]
    assert (at[60].skills, at[60].language, at[60].team_id) == ({"billing": 2}, "fr", 3)
    assert (at[300].skills, at[300].language, at[300].team_id) == ({"billing": 2}, None, 3)
    assert (at[901].skills, at[901].language, at[901].team_id) == ({}, None, None)


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([{"after_seconds": 60}, {"after_seconds": 60}], "escalation"),
        ([{"after_seconds": 0}], "escalation[0].after_seconds"),
        (
            [{"after_seconds": 10, "required_skills": {"nope": 1}}],
            "escalation[0].required_skills.nope",
        ),
        (
            [{"after_seconds": 10, "required_skills": {"billing": 9}}],
            "escalation[0].required_skills.billing",
        ),
        ([{"after_seconds": 10, "relax": True}], "escalation[0]"),
        ({"after_seconds": 10}, "escalation"),
    ],
)
def test_invalid_steps_name_the_field(steps: object, field: str) -> None:
    with pytest.raises(RuleError) as caught:
        RuleSpec.from_dict({**RULE, "escalation": steps}, known_skills={"billing"})
    assert caught.value.field == field


@given(st.floats(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=10_000))
def test_waiting_longer_never_narrows_the_requirements(first: float, second: float) -> None:
    """Monotone: more waiting never adds a skill, raises a level, or adds language/team."""
    rule = RuleSpec.from_dict(RULE)
    early, late = sorted((first, second))
    before = requirements_for(rule, FACTS, waited_seconds=early)
    after = requirements_for(rule, FACTS, waited_seconds=late)
    assert set(after.skills) <= set(before.skills)
    assert all(after.skills[s] <= before.skills[s] for s in after.skills)
    assert after.language in (None, before.language)
    assert after.team_id in (None, before.team_id)
