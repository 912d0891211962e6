"""Alembic environment: runs migrations on the URL given by ``aiguillage migrate`` (or the
``AIGUILLAGE_DATABASE_URL`` setting when alembic is called directly)."""

import asyncio

from sqlalchemy.engine import Connection

from alembic import context
from router.models import metadata
from router.search.engine import outside_models
from router.settings import load_settings
from router.store.engine import Database

config = context.config


def _url() -> str:
    return config.attributes.get("database_url") or load_settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        include_name=outside_models,  # full-text search structures are dialect-specific
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    database = Database(_url(), pool_size=1)
    try:
        async with database.engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await database.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
