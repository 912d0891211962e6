"""The routing domain: pure, I/O-free, standard library only.

Flow: ``match_rule(rules, facts)`` -> ``requirements_for(rule, facts)`` ->
``choose(advisors, requirements, rule.policy, now=...)`` (or ``CandidateIndex.choose``) ->
``Decision`` (winner + why). Waiting conversations are ordered by ``skills.queue``; care for
advisors (intense conversations, cool-down, rising anger, a first message already very
angry) is ``skills.care``.
"""

from clocks.errors import RuleError
from clocks.hours import BusinessHours
from skills.care import AngerTrend, CarePolicy, Reading, anger_alert, angry_first_message
from skills.choice import Decision, choose
from skills.conditions import Conditions, fold
from skills.eligibility import (
    CARE_EXCLUSIONS,
    ExclusionKind,
    Situation,
    eligible_because,
    exclusion,
    exclusion_reason,
    has_push_room,
    has_room,
    push_refusal,
)
from skills.escalation import EscalationStep, reached
from skills.index import CandidateIndex
from skills.model import (
    AdvisorProfile,
    AdvisorStatus,
    Facts,
    Policy,
    Requirements,
    RoutingMode,
    Score,
)
from skills.queue import (
    Head,
    QueueClass,
    QueuePolicy,
    ReplyWindow,
    WaitingQueue,
    class_range,
    effective_priority,
    fit_ranges,
    parse_class,
    rank,
)
from skills.rules import RuleSpec, match_rule, requirements_for

__all__ = [
    "CARE_EXCLUSIONS",
    "AdvisorProfile",
    "AdvisorStatus",
    "AngerTrend",
    "BusinessHours",
    "CandidateIndex",
    "CarePolicy",
    "Conditions",
    "Decision",
    "EscalationStep",
    "ExclusionKind",
    "Facts",
    "Head",
    "Policy",
    "QueueClass",
    "QueuePolicy",
    "Reading",
    "ReplyWindow",
    "Requirements",
    "RoutingMode",
    "RuleError",
    "RuleSpec",
    "Score",
    "Situation",
    "WaitingQueue",
    "anger_alert",
    "angry_first_message",
    "choose",
    "class_range",
    "effective_priority",
    "eligible_because",
    "exclusion",
    "exclusion_reason",
    "fit_ranges",
    "fold",
    "has_push_room",
    "has_room",
    "match_rule",
    "parse_class",
    "push_refusal",
    "rank",
    "reached",
    "requirements_for",
]
