"""Satisfaction surveys (to be written: issue 6)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Conversation, CsatSurvey
from router.settings import Settings


async def survey_after_resolution(
    session: AsyncSession, conversation: Conversation, settings: Settings
) -> CsatSurvey | None:
    """Queue the survey on the conversation's channel (the outbound scheduler sends it)."""
    return None
