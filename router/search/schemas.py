"""Full-text search over messages and notes: the query and the hits (API schemas)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from router.models.channels import Channel
from router.models.validation import MAX_ID, storable_text

MAX_QUERY = 200
MAX_PAGE = 50


class SearchKind(StrEnum):
    message = "message"
    note = "note"
    all = "all"


class SearchSort(StrEnum):
    relevance = "relevance"  # best match first, among the newest matches (see router.search.engine)
    recent = "recent"  # newest first


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


# Query of GET /v1/search.
class SearchQuery(BaseModel):
    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY,
        description='words (all of them), "a phrase", -excluded; any other character is '
        "ignored (never a syntax error)",
    )
    kind: SearchKind = SearchKind.all
    channel: Channel | None = Field(default=None, description="messages only")
    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    conversation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    direction: Direction | None = Field(default=None, description="messages only")
    since: AwareDatetime | None = Field(default=None, description="received or written at/after")
    until: AwareDatetime | None = Field(default=None, description="received or written before")
    sort: SearchSort = SearchSort.relevance
    limit: int = Field(default=20, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(
        default=None, max_length=512, description="from the X-Next-Cursor header of a page"
    )

    _text = field_validator("q")(storable_text)


# One hit of GET /v1/search.
class SearchHit(BaseModel):
    kind: SearchKind = Field(description="message or note")
    id: int = Field(description="the message or note id")
    conversation_id: int | None = Field(
        description="its conversation; null for messages not in one (held mail)"
    )
    customer_id: int | None = Field(description="its customer; null when not yet matched")
    channel: str | None = Field(description="messages only")
    direction: Direction | None = Field(description="messages only")
    advisor_id: int | None = Field(description="the reply's or note's author, if staff")
    at: datetime = Field(description="when the message was received or the note written")
    snippet: str = Field(
        description="the matching passage as HTML: text escaped, matches in <mark>...</mark>"
    )
