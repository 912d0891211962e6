"""The period a supervisor's report covers: one rule for every report."""

from __future__ import annotations

from datetime import datetime, timedelta

from router.errors import InvalidRequest
from router.store.types import utcnow

DEFAULT_SPAN = timedelta(days=30)
MAX_SPAN = timedelta(days=366)


def report_period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """[since, until): default the last 30 days; at most 366 days (a year's figures)."""
    until = until or utcnow()
    try:
        since = since or until - DEFAULT_SPAN
    except OverflowError:  # until in the first days of year 1
        raise InvalidRequest("until is too early to count 30 days back", field="until") from None
    if since >= until:
        raise InvalidRequest("since must be before until", field="since")
    if until - since > MAX_SPAN:
        raise InvalidRequest("the period may span at most 366 days", field="since")
    return since, until
