"""Integrator API keys (admins only): the secret is returned once, at creation."""

from __future__ import annotations

from fastapi import APIRouter

from router.api.deps import DB, RuntimeDep
from router.api.guard import Admin
from router.models.security import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from router.models.validation import IdPath
from router.security import key_admin as apikeys

router = APIRouter(prefix="/v1/api-keys", tags=["API keys"])


@router.post(
    "",
    status_code=201,
    response_model=ApiKeyCreated,
    summary="Create an API key with scopes (and optionally channels); the secret is shown once",
)
async def create_key(payload: ApiKeyCreate, db: DB, admin: Admin) -> ApiKeyCreated:
    return await apikeys.create_key(db, payload, created_by=admin.id)


@router.get("", response_model=list[ApiKeyPublic], summary="List API keys (never their secrets)")
async def list_keys(db: DB, _admin: Admin) -> list[ApiKeyPublic]:
    return await apikeys.list_keys(db)


@router.post(
    "/{key_id}/revoke",
    response_model=ApiKeyPublic,
    summary="Revoke an API key (takes effect within seconds in every process)",
)
async def revoke_key(rt: RuntimeDep, _admin: Admin, key_id: IdPath) -> ApiKeyPublic:
    revoked = await apikeys.revoke_key(rt.db, key_id)
    rt.auth.forget_key(revoked.prefix)  # this process at once; the others within seconds
    return revoked
