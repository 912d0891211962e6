"""Full-text search over messages and notes, within the caller's access."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from router.api.deps import DB
from router.api.guard import allow
from router.models.advisors import Role
from router.models.security import Scope
from router.search import service as search_service
from router.search.schemas import SearchHit, SearchQuery
from router.security.principal import Principal

router = APIRouter(prefix="/v1/search", tags=["search"])
Reader = Annotated[Principal, allow(Role.advisor, Scope.conversations_read)]


@router.get(
    "",
    response_model=list[SearchHit],
    summary="Search messages (subject and text) and internal notes",
    description="All the words must appear (French and English stems: `remboursement` finds "
    '`remboursements`, `refunds` finds `refund`); `"a phrase"`, `-word` to leave out. Other '
    "characters are ignored, never an error. Staff find what is in the conversations they "
    "may see (notes included); API keys messages only, within their channels. `sort`: "
    "`relevance` (best first among the newest 1,000 matches of each kind; its pages stop "
    "there) or `recent` (newest first, every match). When more hits follow, the "
    "`X-Next-Cursor` response header holds the `cursor` of the next page (same query). "
    "Accents: folded on the embedded database (`echeance` finds `échéance`), to be typed "
    "on PostgreSQL.",
)
async def search(
    db: DB, viewer: Reader, response: Response, query: Annotated[SearchQuery, Query()]
) -> list[SearchHit]:
    page = await search_service.search(db, viewer, query)
    if page.next_cursor is not None:
        response.headers["X-Next-Cursor"] = page.next_cursor
    return page.items
