"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from router.api.deps import DB, BrokerDep
from router.api.guard import PUBLIC_ROUTE
from router.errors import BrokerUnavailable, StoreUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive", dependencies=PUBLIC_ROUTE)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Database and broker are reachable",
    dependencies=PUBLIC_ROUTE,
    responses={503: {"description": "a dependency is down"}},
)
async def readyz(db: DB, broker: BrokerDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await db.ping()
        checks["database"] = "ok"
    except StoreUnavailable as error:
        checks["database"] = str(error)
    try:
        await broker.ping()
        checks["broker"] = "ok"
    except BrokerUnavailable as error:
        checks["broker"] = str(error)
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
