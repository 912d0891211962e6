"""Integrator API keys: create (secret shown once), list, revoke."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from router.errors import Conflict, NotFound
from router.models.security import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from router.security import apikeys
from router.store import Database
from router.store.types import utcnow


def _public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(key, from_attributes=True)


async def create_key(db: Database, data: ApiKeyCreate, created_by: int | None) -> ApiKeyCreated:
    secret, prefix, secret_hash = apikeys.generate()
    key = ApiKey(
        name=data.name,
        prefix=prefix,
        secret_hash=secret_hash,
        scopes=sorted({scope.value for scope in data.scopes}),
        channels=sorted({channel.value for channel in data.channels}),
        created_by=created_by,
    )
    async with db.session() as session:
        session.add(key)
        await session.commit()
    return ApiKeyCreated(**_public(key).model_dump(), secret=secret)


async def list_keys(db: Database) -> list[ApiKeyPublic]:
    async with db.read_session() as session:
        rows = await session.scalars(select(ApiKey).order_by(col(ApiKey.id)))
        return [_public(key) for key in rows]


async def revoke_key(db: Database, key_id: int) -> ApiKeyPublic:
    async with db.session() as session:
        key = await session.get(ApiKey, key_id, with_for_update=True)
        if key is None:
            raise NotFound(f"API key {key_id} does not exist")
        if key.revoked_at is not None:
            raise Conflict(f"API key {key_id} is already revoked")
        key.revoked_at = utcnow()
        await session.commit()
        return _public(key)
