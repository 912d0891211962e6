"""Persistence: engine creation (the one place for dialect differences) and sessions."""

from router.store.engine import Database, insert_ignoring_duplicates, is_transient_error

__all__ = ["Database", "insert_ignoring_duplicates", "is_transient_error"]
