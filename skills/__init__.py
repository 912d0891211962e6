"""The routing domain: pure, I/O-free, standard library only.

Flow: ``match_rule(rules, facts)`` -> ``requirements_for(rule, facts)`` ->
``choose(advisors, requirements, rule.policy, now=...)`` -> ``Decision`` (winner + why).
"""

from skills.choice import Decision, choose
from skills.conditions import Conditions, fold
from skills.eligibility import ExclusionKind, exclusion, exclusion_reason
from skills.errors import RuleError
from skills.escalation import EscalationStep, reached
from skills.model import AdvisorProfile, AdvisorStatus, Facts, Policy, Requirements, Score
from skills.rules import RuleSpec, match_rule, requirements_for

__all__ = [
    "AdvisorProfile",
    "AdvisorStatus",
    "Conditions",
    "Decision",
    "EscalationStep",
    "ExclusionKind",
    "Facts",
    "Policy",
    "Requirements",
    "RuleError",
    "RuleSpec",
    "Score",
    "choose",
    "exclusion",
    "exclusion_reason",
    "fold",
    "match_rule",
    "reached",
    "requirements_for",
]
