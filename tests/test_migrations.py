"""Alembic is the only source of the schema: migrations and models must agree, both ways."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.engine import Connection

from router.models import RoutingRule, metadata
from router.search.engine import outside_models
from router.settings import Settings
from router.store import Database


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": outside_models}
    )
    return list(compare_metadata(context, metadata))


async def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    db = Database(settings.database_url)
    try:
        async with db.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await db.dispose()
    assert differences == []


async def test_migration_creates_the_default_rule(settings: Settings) -> None:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            rules = (await session.scalars(select(RoutingRule))).all()
    finally:
        await db.dispose()
    assert [(r.name, r.is_default, r.conditions) for r in rules] == [("default", True, {})]
