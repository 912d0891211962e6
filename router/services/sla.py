"""Service levels (to be written: issue 6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Conversation
from router.settings import Settings
from router.store import Database


async def apply_policy(
    session: AsyncSession, conversations: Sequence[Conversation], now: datetime
) -> None:
    """Give newly opened conversations their policy and due times."""


def on_first_response(conversation: Conversation, now: datetime) -> None:
    """An advisor answered: the first-response target is met (or was breached)."""


def on_status_change(conversation: Conversation, now: datetime) -> None:
    """Pending pauses the resolution clock; resolved/closed settle it; reopened restarts it."""


async def check_due(db: Database, settings: Settings) -> int:
    """Record warning and breach events for conversations whose check time has come."""
    return 0
