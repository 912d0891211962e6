"""What-if simulations run in the background (admins): start one, then read its progress
and result."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from router.api.deps import RuntimeDep
from router.api.guard import Admin
from router.models.simulations import SimulationCreate, SimulationPublic
from router.models.validation import MAX_ID

router = APIRouter(prefix="/v1", tags=["simulations"])


@router.post(
    "/simulations",
    status_code=202,
    response_model=SimulationPublic,
    summary="Start a what-if simulation of a day (a scenario, or a recorded day) under the "
    "current rules, optionally compared with other rules",
    description="The scenario is checked first (422 naming where it is wrong), then the job "
    "runs in the background: poll GET /v1/simulations/{id}. One job at a time per API "
    "process: 409 while one runs. The result is the document of `aiguillage simulate --json`.",
)
async def start(body: SimulationCreate, rt: RuntimeDep, admin: Admin) -> SimulationPublic:
    return await rt.simulations.start(body, admin.id)


@router.get(
    "/simulations/{simulation_id}",
    response_model=SimulationPublic,
    summary="A simulation job: status, progress (0..1) and, when done, its result",
    description="Any API process answers (jobs are in the database). A job whose process "
    "stopped while it ran is reported failed, with the reason.",
)
async def get(
    simulation_id: Annotated[int, Path(ge=1, le=MAX_ID, description="job id")],
    rt: RuntimeDep,
    _admin: Admin,
) -> SimulationPublic:
    return await rt.simulations.get(simulation_id)
