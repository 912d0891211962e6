"""Reply templates: one per purpose (often an intent), with channel and language variants."""

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from router.store.types import JSONType, UTCDateTime, utcnow


# The table. ``variants``: [{"channel_kind": "email"|"chat"|"social"|"any",
# "language": "en"|"fr", "subject": str|None, "body": str}], one per (kind, language).
class ReplyTemplate(SQLModel, table=True):
    __tablename__ = "reply_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    intent: str | None = Field(default=None, max_length=60, index=True)
    active: bool = Field(default=True)
    variants: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
