"""Full-text search structures, which differ by dialect and live outside the models.

SQLite: an FTS5 table ``search_index`` (porter stemming, accents folded) kept in step with
``message`` and ``note`` by triggers; rowid = message id, or minus the note id.
PostgreSQL: a generated ``search_vector`` column (English and French configurations at
once) with a GIN index on ``message`` and ``note``. Both are created by migration 0007.
"""

from __future__ import annotations

from typing import Any

#: Schema objects alembic must not compare with the models (they are not in them).
SEARCH_OBJECTS = frozenset({"search_index", "search_vector", "ix_message_search", "ix_note_search"})


def outside_models(name: str | None, _type: str, _parent: Any) -> bool:
    """alembic ``include_name`` hook: False for the search structures (and FTS5's tables)."""
    if name is None:
        return True
    return name not in SEARCH_OBJECTS and not name.startswith("search_index_")
