"""FastAPI dependencies: the process runtime's parts, and pagination bounds.

They are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from router.broker import Broker
from router.intake.accept import IntakeWriter
from router.models.validation import MAX_ID
from router.runtime import Runtime
from router.store import Database


async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def database(rt: Annotated[Runtime, Depends(runtime)]) -> Database:
    return rt.db


async def broker(rt: Annotated[Runtime, Depends(runtime)]) -> Broker:
    return rt.broker


async def intake(rt: Annotated[Runtime, Depends(runtime)]) -> IntakeWriter:
    return rt.intake


RuntimeDep = Annotated[Runtime, Depends(runtime)]
DB = Annotated[Database, Depends(database)]
Intake = Annotated[IntakeWriter, Depends(intake)]
BrokerDep = Annotated[Broker, Depends(broker)]
Limit = Annotated[int, Query(ge=1, le=500, description="page size (max 500)")]
AfterId = Annotated[
    int, Query(ge=0, le=MAX_ID, description="return items with id greater than this")
]
