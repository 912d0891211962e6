"""The one error of the routing domain.

    ValueError
    └── RuleError      invalid rule, condition or requirement data; ``field`` names the culprit

The service maps ``RuleError`` to its own 422 error at the boundary (``detail`` and ``field``
line up with ``router.errors.DomainError``).
"""

from __future__ import annotations


class RuleError(ValueError):
    """Rule data that cannot be used: a bad type, a value out of range, an unknown name.

    ``field`` is a dotted path into the rule's JSON form (``"priority"``,
    ``"conditions.keywords"``, ``"required_skills.billing"``); ``detail`` says what is wrong.
    """

    def __init__(self, detail: str, *, field: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.detail = detail
        self.field = field
