"""Ticket lifecycle (to be written: issue 6)."""

from __future__ import annotations

from router.settings import Settings
from router.store import Database


async def expire(db: Database, settings: Settings) -> int:
    """Resolve pending conversations past their wait; close resolved ones past the window."""
    return 0
