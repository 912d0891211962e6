"""One factory for the pure domain's advisor profiles; each test file narrows its defaults."""

from __future__ import annotations

from typing import Any

from skills import AdvisorProfile, AdvisorStatus


def advisor_profile(advisor_id: int = 1, **overrides: Any) -> AdvisorProfile:
    """An available bilingual billing advisor (level 3, capacity 3, idle) unless overridden."""
    base: dict[str, Any] = {
        "id": advisor_id,
        "name": f"advisor {advisor_id}",
        "team_id": 1,
        "status": AdvisorStatus.AVAILABLE,
        "languages": frozenset({"fr", "en"}),
        "skills": {"billing": 3},
        "capacity_total": 3,
        "capacity_per_channel": {},
        "load_total": 0,
        "load_per_channel": {},
        "last_assigned_at": None,
    }
    return AdvisorProfile(**{**base, **overrides})
