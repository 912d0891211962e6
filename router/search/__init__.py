"""Full-text search over messages and notes: the use case, the query terms, and the one
dialect-specific engine (FTS5 on SQLite, tsvector on PostgreSQL).
"""
