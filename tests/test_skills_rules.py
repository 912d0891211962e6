"""skills.rules and skills.conditions: matching, rule order, requirements, parsing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills import (
    Conditions,
    Facts,
    Policy,
    Requirements,
    RuleError,
    RuleSpec,
    match_rule,
    requirements_for,
)

# No example database: the suite must not write outside the tests it owns.
PROPERTIES = settings(database=None, deadline=None, max_examples=100)


def facts(**overrides: Any) -> Facts:
    base: dict[str, Any] = {"channel": "email", "language": "fr", "intent": "billing", "text": ""}
    return Facts(**{**base, **overrides})


def rule(rule_id: int, position: int, **overrides: Any) -> RuleSpec:
    return RuleSpec(id=rule_id, name=f"rule {rule_id}", position=position, **overrides)


def default_rule(position: int = 999) -> RuleSpec:
    return RuleSpec(id=0, name="default", position=position, is_default=True)


# --- conditions -----------------------------------------------------------------------------


def test_empty_conditions_match_everything() -> None:
    assert Conditions().is_empty
    assert Conditions().matches(facts(language=None, intent=None, text="anything"))


@pytest.mark.parametrize(
    ("conditions", "matching", "other"),
    [
        (Conditions(intents=frozenset({"billing", "refund"})), facts(), facts(intent="tech")),
        (Conditions(languages=frozenset({"fr"})), facts(), facts(language="en")),
        (Conditions(channels=frozenset({"email"})), facts(), facts(channel="chat")),
        (Conditions(tiers=frozenset({"gold"})), facts(tier="gold"), facts(tier="silver")),
        (Conditions(emotions=frozenset({"anger"})), facts(emotion="anger"), facts(emotion="joy")),
        (
            Conditions(min_intensity=0.7),
            facts(emotion_intensity=0.7),
            facts(emotion_intensity=0.69),
        ),
    ],
)
def test_each_condition(conditions: Conditions, matching: Facts, other: Facts) -> None:
    assert conditions.matches(matching)
    assert not conditions.matches(other)


@pytest.mark.parametrize("field", ["intent", "language", "tier", "emotion"])
def test_an_unknown_fact_does_not_satisfy_a_set_condition(field: str) -> None:
    plural = {"intent": "intents", "language": "languages"}.get(field, f"{field}s")
    conditions = Conditions(**{plural: frozenset({"x"})})
    assert not conditions.matches(facts(**{field: None}))


def test_all_given_conditions_must_hold() -> None:
    conditions = Conditions(
        intents=frozenset({"billing"}), channels=frozenset({"chat"}), min_intensity=0.5
    )
    assert conditions.matches(facts(channel="chat", emotion_intensity=0.9))
    assert not conditions.matches(facts(channel="email", emotion_intensity=0.9))
    assert not conditions.matches(facts(channel="chat", emotion_intensity=0.1))


@pytest.mark.parametrize(
    ("keywords", "text", "expected"),
    [
        (("facture",), "Ma facture est fausse", True),
        (("facture",), "MA FACTURE", True),
        (("facture",), "votre facture.", True),
        (("facture",), "Facturé deux fois", True),  # accents are ignored
        (("facturé",), "facture en double", True),
        (("facture",), "mes factures", False),  # whole word: no plural
        (("facture",), "la préfacture", False),
        (("remboursement",), "remboursements", False),
        (("mot de passe",), "mon mot  de\npasse ne marche pas", True),
        (("mot de passe",), "mot de passer", False),
        (("c++",), "un souci en C++, urgent", True),
        (("résilier", "annuler"), "je veux annuler", True),
        (("résilier", "annuler"), "bonjour", False),
        (("facture",), "", False),
    ],
)
def test_keywords(keywords: tuple[str, ...], text: str, expected: bool) -> None:
    assert Conditions(keywords=keywords).matches(facts(text=text)) is expected


# --- match_rule -----------------------------------------------------------------------------


def test_first_match_by_position_not_by_input_order() -> None:
    billing = rule(1, 20, conditions=Conditions(intents=frozenset({"billing"})))
    french = rule(2, 10, conditions=Conditions(languages=frozenset({"fr"})))
    rules = [default_rule(), billing, french]
    assert match_rule(rules, facts()) is french
    assert match_rule(rules, facts(language="en")) is billing


def test_default_rule_catches_the_rest_even_with_a_lower_position() -> None:
    billing = rule(1, 20, conditions=Conditions(intents=frozenset({"billing"})))
    default = default_rule(position=0)
    assert match_rule([default, billing], facts()) is billing
    assert match_rule([default, billing], facts(intent="tech")) is default


def test_equal_positions_keep_input_order() -> None:
    first = rule(1, 5, conditions=Conditions(channels=frozenset({"email"})))
    second = rule(2, 5, conditions=Conditions(channels=frozenset({"email"})))
    assert match_rule([first, second, default_rule()], facts()) is first
    assert match_rule([second, first, default_rule()], facts()) is second


def test_first_default_by_position_when_several() -> None:
    late, early = default_rule(position=9), default_rule(position=1)
    assert match_rule([late, early], facts()) is early


def test_no_default_rule_is_an_error_even_when_a_rule_matches() -> None:
    billing = rule(1, 1, conditions=Conditions(intents=frozenset({"billing"})))
    with pytest.raises(RuleError) as caught:
        match_rule([billing], facts(intent="billing"))
    assert caught.value.field == "is_default"
    with pytest.raises(RuleError):
        match_rule([], facts())


# --- requirements_for -----------------------------------------------------------------------


def test_requirements_from_rule_and_facts() -> None:
    spec = rule(
        1,
        1,
        conditions=Conditions(intents=frozenset({"billing"})),
        required_skills={"billing": 3},
        team_id=2,
    )
    assert requirements_for(spec, facts(channel="chat")) == Requirements(
        channel="chat", skills={"billing": 3}, language="fr", team_id=2
    )


def test_a_rule_sends_a_named_language_to_its_team_and_other_requires_no_language() -> None:
    italian = rule(1, 10, conditions=Conditions(languages=frozenset({"it"})), team_id=7)
    unnamed = rule(2, 20, conditions=Conditions(languages=frozenset({"other"})), team_id=8)
    rules = [italian, unnamed, default_rule()]
    assert match_rule(rules, facts(language="it")) is italian
    assert requirements_for(italian, facts(language="it")).language == "it"
    assert match_rule(rules, facts(language="other")) is unnamed
    # No advisor declares "other": requiring it would leave the conversation waiting.
    assert requirements_for(unnamed, facts(language="other")).language is None
    assert match_rule(rules, facts(language="fr")).is_default


def test_language_requirement_only_when_required_and_known() -> None:
    spec = default_rule()
    assert requirements_for(spec, facts(language=None)).language is None
    assert requirements_for(spec, facts(language="")).language is None
    relaxed = RuleSpec(id=0, name="default", position=0, is_default=True, require_language=False)
    assert requirements_for(relaxed, facts(language="fr")).language is None


def test_requirements_do_not_share_the_rule_mapping() -> None:
    skills = {"billing": 2}
    spec = RuleSpec(id=0, name="d", position=0, is_default=True, required_skills=skills)
    assert requirements_for(spec, facts()).skills is not skills


def test_requirements_round_trip() -> None:
    requirements = Requirements(channel="chat", skills={"tech": 2, "billing": 1}, language="en")
    data = requirements.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert Requirements.from_dict(data) == requirements
    assert list(data["skills"]) == ["billing", "tech"]  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"skills": {}}, "channel"),
        ({"channel": "", "skills": {}}, "channel"),
        ({"channel": "chat", "skills": {"tech": 9}}, "skills.tech"),
        ({"channel": "chat", "team_id": "2"}, "team_id"),
        ({"channel": "chat", "teams": 2}, "requirements"),
    ],
)
def test_requirements_from_bad_dict(data: dict[str, object], field: str) -> None:
    with pytest.raises(RuleError) as caught:
        Requirements.from_dict(data)
    assert caught.value.field == field


# --- parsing --------------------------------------------------------------------------------

FULL_RULE: dict[str, object] = {
    "id": 7,
    "name": "Angry billing",
    "position": 3,
    "conditions": {
        "intents": ["billing", "refund"],
        "languages": ["fr"],
        "channels": ["chat", "email"],
        "tiers": ["gold"],
        "emotions": ["anger"],
        "min_intensity": 0.6,
        "keywords": ["facture", "mot de passe"],
    },
    "required_skills": {"billing": 3, "deescalation": 2},
    "require_language": False,
    "team_id": 2,
    "priority": 80,
    "policy": "least_busy",
    "is_default": False,
    "escalation": [
        {"after_seconds": 60, "required_skills": {"billing": 2}},
        {"after_seconds": 300, "require_language": False, "drop_team": True},
    ],
}


def test_from_dict_full() -> None:
    spec = RuleSpec.from_dict(FULL_RULE, known_skills={"billing", "deescalation", "tech"})
    assert spec.policy is Policy.LEAST_BUSY
    assert spec.conditions.intents == frozenset({"billing", "refund"})
    assert spec.conditions.keywords == ("facture", "mot de passe")
    assert spec.required_skills == {"billing": 3, "deescalation": 2}
    assert spec.to_dict() == FULL_RULE
    assert json.loads(json.dumps(spec.to_dict())) == FULL_RULE


def test_from_dict_defaults() -> None:
    spec = RuleSpec.from_dict({"name": " Default ", "is_default": True})
    assert spec == RuleSpec(id=None, name="Default", position=0, is_default=True)
    assert (spec.priority, spec.policy, spec.require_language) == (50, Policy.BEST_FIT, True)
    assert spec.to_dict()["conditions"] == {}


def with_(**changes: object) -> dict[str, object]:
    return {**FULL_RULE, **changes}


def with_conditions(**changes: object) -> dict[str, object]:
    return with_(conditions={**FULL_RULE["conditions"], **changes})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (with_(required_skills={"cooking": 2}), "required_skills.cooking", "unknown skill"),
        (with_(required_skills={"billing": 0}), "required_skills.billing", "outside 1..5"),
        (with_(required_skills={"billing": 6}), "required_skills.billing", "outside 1..5"),
        (with_(required_skills={"billing": "3"}), "required_skills.billing", "integer"),
        (with_(required_skills=["billing"]), "required_skills", "object"),
        (with_(priority=101), "priority", "outside 0..100"),
        (with_(priority=-1), "priority", "outside 0..100"),
        (with_(priority=True), "priority", "integer"),
        (with_(policy="random"), "policy", "unknown policy 'random'"),
        (with_(policy=None), "policy", "unknown policy"),
        (with_(conditions={}), "conditions", "at least one condition"),
        (with_(is_default=True), "conditions", "default rule"),
        (with_conditions(min_intensity=1.5), "conditions.min_intensity", "outside [0, 1]"),
        (with_conditions(min_intensity=-0.1), "conditions.min_intensity", "outside [0, 1]"),
        (with_conditions(min_intensity="high"), "conditions.min_intensity", "number"),
        (with_conditions(min_intensity=float("nan")), "conditions.min_intensity", "finite"),
        (with_conditions(keywords=["facture", " "]), "conditions.keywords", "empty"),
        (with_conditions(keywords=[]), "conditions.keywords", "empty"),
        (with_conditions(keywords="facture"), "conditions.keywords", "list"),
        (with_conditions(intents="billing"), "conditions.intents", "list"),
        (with_conditions(channels=[1]), "conditions.channels", "string"),
        (with_conditions(intent=["billing"]), "conditions", "unknown field 'intent'"),
        (with_(conditions=["billing"]), "conditions", "object"),
        (with_(name=""), "name", "empty"),
        (with_(name=3), "name", "string"),
        (with_(position="1"), "position", "integer"),
        (with_(team_id=1.5), "team_id", "integer"),
        (with_(id="7"), "id", "integer"),
        (with_(require_language="yes"), "require_language", "true or false"),
        (with_(is_default=1), "is_default", "true or false"),
        (with_(steps=[]), "rule", "unknown field 'steps'"),
        ({"position": 1, "is_default": True}, "name", "required"),
    ],
)
def test_from_dict_errors_name_the_field(data: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(RuleError) as caught:
        RuleSpec.from_dict(data, known_skills={"billing", "deescalation"})
    assert caught.value.field == field
    assert words in caught.value.detail
    assert str(caught.value).startswith(f"{field}: ")
    assert isinstance(caught.value, ValueError)


def test_from_dict_rejects_a_non_mapping() -> None:
    with pytest.raises(RuleError) as caught:
        RuleSpec.from_dict(["name"])  # type: ignore[arg-type]
    assert caught.value.field == "rule"


def test_any_skill_is_accepted_without_a_catalogue() -> None:
    assert RuleSpec.from_dict(with_(required_skills={"cooking": 1})).required_skills == {
        "cooking": 1
    }


# --- properties -----------------------------------------------------------------------------

WORDS = ["facture", "Facturé", "factures", "mot", "de", "passe", "urgent", "annuler", "bonjour"]
name_sets = st.none() | st.frozensets(st.sampled_from(["a", "b", "c"]), min_size=1)

conditions_strategy = st.builds(
    Conditions,
    intents=name_sets,
    languages=st.none() | st.frozensets(st.sampled_from(["fr", "en"]), min_size=1),
    channels=st.none() | st.frozensets(st.sampled_from(["email", "chat"]), min_size=1),
    tiers=name_sets,
    emotions=name_sets,
    min_intensity=st.none() | st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]),
    keywords=st.none()
    | st.lists(st.sampled_from(["facture", "mot de passe", "annuler", "c++"]), min_size=1).map(
        tuple
    ),
).filter(lambda c: not c.is_empty)

facts_strategy = st.builds(
    Facts,
    channel=st.sampled_from(["email", "chat"]),
    language=st.none() | st.sampled_from(["fr", "en"]),
    intent=st.none() | st.sampled_from(["a", "b", "c"]),
    text=st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
    tier=st.none() | st.sampled_from(["a", "b"]),
    emotion=st.none() | st.sampled_from(["a", "b"]),
    emotion_intensity=st.floats(0.0, 1.0),
)


@st.composite
def rule_lists(draw: st.DrawFn, with_default: bool = True) -> list[RuleSpec]:
    count = draw(st.integers(0, 6))
    rules = [
        RuleSpec(
            id=index,
            name=f"r{index}",
            position=draw(st.integers(0, 5)),
            conditions=draw(conditions_strategy),
            required_skills=draw(st.dictionaries(st.sampled_from(["x", "y"]), st.integers(1, 5))),
            priority=draw(st.integers(0, 100)),
            policy=draw(st.sampled_from(Policy)),
            team_id=draw(st.none() | st.integers(1, 3)),
            require_language=draw(st.booleans()),
        )
        for index in range(count)
    ]
    if with_default:
        position = draw(st.integers(0, 5))
        rules.append(RuleSpec(id=99, name="default", position=position, is_default=True))
    return draw(st.permutations(rules))


@PROPERTIES
@given(rules=rule_lists(), conversation=facts_strategy)
def test_match_rule_returns_the_first_match_by_position(
    rules: list[RuleSpec], conversation: Facts
) -> None:
    chosen = match_rule(rules, conversation)
    in_order = sorted(rules, key=lambda r: r.position)
    matching = [r for r in in_order if not r.is_default and r.conditions.matches(conversation)]
    if matching:
        assert chosen is matching[0]
        earlier = [r for r in rules if r.position < chosen.position and not r.is_default]
        assert not any(r.conditions.matches(conversation) for r in earlier)
    else:
        assert chosen.is_default


@PROPERTIES
@given(rules=rule_lists(with_default=False), conversation=facts_strategy)
def test_match_rule_without_default_always_raises(
    rules: list[RuleSpec], conversation: Facts
) -> None:
    with pytest.raises(RuleError) as caught:
        match_rule(rules, conversation)
    assert caught.value.field == "is_default"


@PROPERTIES
@given(rules=rule_lists(), conversation=facts_strategy)
def test_rules_round_trip_through_json(rules: list[RuleSpec], conversation: Facts) -> None:
    for spec in rules:
        data = json.loads(json.dumps(spec.to_dict(), allow_nan=False))
        parsed = RuleSpec.from_dict(data)
        assert parsed == spec
        assert parsed.conditions.matches(conversation) == spec.conditions.matches(conversation)


@PROPERTIES
@given(conversation=facts_strategy)
def test_empty_conditions_match_any_facts(conversation: Facts) -> None:
    assert Conditions().matches(conversation)
