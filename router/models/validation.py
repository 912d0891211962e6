"""Input checks shared by API schemas: what a database would refuse must be a 422, not a 500."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import Path, Query

MAX_ID = 2**31 - 1  # integer primary keys; larger ids cannot exist

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
OptionalIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def storable_text(value: str | None) -> str | None:
    """Refuse NUL characters and lone surrogates, which PostgreSQL cannot store."""
    if value is None:
        return None
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (lone surrogate found)") from None
    return value


def storable_json(value: Any, depth: int = 0) -> Any:
    """The same for every string (keys included) inside a JSON document, bounded in depth."""
    if depth > 32:
        raise ValueError("nested more than 32 levels deep")
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite (no NaN or Infinity)")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError("object keys must be strings")
            storable_text(key)
            storable_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            storable_json(item, depth + 1)
    return value
