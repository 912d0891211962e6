"""SLA policies (admins write, supervisors read) and the supervisors' SLA report."""

from __future__ import annotations

from fastapi import APIRouter, Response

from router.api.deps import DB
from router.api.guard import Admin, Supervisor
from router.models.sla import SlaPolicyPatch, SlaPolicyPublic, SlaPolicyWrite, SlaReport
from router.models.validation import IdPath, IsoDateTime, OptionalIdQuery
from router.supervision import sla_report
from router.tickets import sla_policies

router = APIRouter(prefix="/v1", tags=["sla"])


@router.get(
    "/sla-policies",
    response_model=list[SlaPolicyPublic],
    summary="List SLA policies in matching order (first match wins)",
)
async def list_policies(db: DB, _viewer: Supervisor) -> list[SlaPolicyPublic]:
    return await sla_policies.list_policies(db)


@router.post(
    "/sla-policies",
    status_code=201,
    response_model=SlaPolicyPublic,
    summary="Create an SLA policy (targets in business seconds; hours validated)",
    description="Applies to conversations opened from now on whose priority is at least "
    "`min_priority` and whose channel is `channel` (null: any). A name already taken: 409.",
)
async def create_policy(payload: SlaPolicyWrite, db: DB, actor: Admin) -> SlaPolicyPublic:
    return await sla_policies.create_policy(db, payload, actor)


@router.get("/sla-policies/{policy_id}", response_model=SlaPolicyPublic, summary="Read a policy")
async def get_policy(db: DB, _viewer: Supervisor, policy_id: IdPath) -> SlaPolicyPublic:
    return await sla_policies.get_policy(db, policy_id)


@router.patch(
    "/sla-policies/{policy_id}",
    response_model=SlaPolicyPublic,
    summary="Change an SLA policy (running tickets keep the terms they opened with)",
)
async def update_policy(
    payload: SlaPolicyPatch, db: DB, actor: Admin, policy_id: IdPath
) -> SlaPolicyPublic:
    return await sla_policies.update_policy(db, policy_id, payload, actor)


@router.delete(
    "/sla-policies/{policy_id}",
    status_code=204,
    response_class=Response,
    summary="Delete an SLA policy (running tickets keep their due times)",
)
async def delete_policy(db: DB, actor: Admin, policy_id: IdPath) -> Response:
    await sla_policies.delete_policy(db, policy_id, actor)
    return Response(status_code=204)


@router.get(
    "/reports/sla",
    response_model=SlaReport,
    summary="First-response and resolution targets met and breached, and the share met",
    description="Tickets opened in [since, until) (default: the last 30 days, at most 366), "
    "of one team (its queue and its advisors) or of every team the caller supervises.",
)
async def report(
    db: DB,
    viewer: Supervisor,
    team_id: OptionalIdQuery = None,
    since: IsoDateTime | None = None,
    until: IsoDateTime | None = None,
) -> SlaReport:
    return await sla_report.sla_report(db, viewer, team_id=team_id, since=since, until=until)
