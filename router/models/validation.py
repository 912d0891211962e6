"""Input checks shared by API schemas: what a database would refuse must be a 422, not a 500."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    Strict,
)
from pydantic_core import CoreSchema

from channels.text import iso_moment, utc

MAX_ID = 2**31 - 1  # integer primary keys; larger ids cannot exist

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
OptionalIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a timezone, e.g. 2026-01-31T09:30:00Z")
    return utc(value)


#: Every date-time the API reads (bodies and query strings): ISO-8601 text with a timezone,
#: never a number; converted to UTC, a 422 when that leaves datetime's range (not a 500).
IsoDateTime = Annotated[
    datetime, Strict(False), BeforeValidator(iso_moment), AfterValidator(_aware_utc)
]


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


def _strict_scalars(schema: Any) -> None:
    """Mark every int, float and bool inside a core schema strict, at any depth (optional
    fields, list items, dict values, nested definitions)."""
    if isinstance(schema, dict):
        if schema.get("type") in ("int", "float", "bool"):
            schema["strict"] = True
        for value in schema.values():
            _strict_scalars(value)
    elif isinstance(schema, list):
        for value in schema:
            _strict_scalars(value)


class RequestBody(BaseModel):
    """Base of every request body schema (and of the models nested in one).

    Unknown fields are refused (a 422 naming each), so a field the caller may not set, or
    misspelt, never answers 200 having changed nothing. Integers, numbers and booleans are
    strict: JSON ``true`` is not priority 1, ``"5"`` is not 5, ``1`` is not true. Enums and
    date-times still read their JSON text (dates through ``IsoDateTime``).
    """

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        _strict_scalars(schema)
        return schema
