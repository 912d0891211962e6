"""Routing rules (ordered, first match wins; the default rule catches the rest) and dry-run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from router.api.deps import DB
from router.api.guard import Admin, Supervisor, allow
from router.models.advisors import Role
from router.models.routing import (
    RoutingConfigPublic,
    RoutingConfigWrite,
    RulePublic,
    RulesDocument,
    RulesImport,
    RulesImported,
    RuleWrite,
)
from router.models.security import Scope
from router.models.validation import IdPath
from router.routing import config as routing_config
from router.routing import rules
from router.routing.dry_run import DryRunRequest, DryRunResult, dry_run
from router.security.principal import Principal

router = APIRouter(prefix="/v1", tags=["routing rules"])
Reader = Annotated[Principal, allow(Role.supervisor, Scope.rules_read)]


@router.get("/rules", response_model=list[RulePublic], summary="List rules in evaluation order")
async def list_rules(db: DB, _viewer: Reader) -> list[RulePublic]:
    return await rules.list_rules(db)


@router.post(
    "/rules",
    status_code=201,
    response_model=RulePublic,
    summary="Create a rule (validated: unknown skill, bad level, empty conditions...)",
)
async def create_rule(payload: RuleWrite, db: DB, _admin: Admin) -> RulePublic:
    return await rules.create_rule(db, payload)


@router.get(
    "/rules/export",
    response_model=RulesDocument,
    summary="Every rule as an import document (the `aiguillage rules export` format, JSON)",
)
async def export_rules(db: DB, _viewer: Reader) -> RulesDocument:
    return await rules.export_rules(db)


@router.post(
    "/rules/import",
    response_model=RulesImported,
    summary="Create or update rules by name, all or nothing (`aiguillage rules import`)",
    description="The entry marked `is_default` updates the default rule; with `replace`, "
    "rules not in the list are deleted. Any invalid rule: 422 naming it, nothing changed.",
)
async def import_rules(payload: RulesImport, db: DB, _admin: Admin) -> RulesImported:
    created, updated, deleted = await rules.import_rules(db, payload.rules, replace=payload.replace)
    return RulesImported(created=created, updated=updated, deleted=deleted)


@router.get("/rules/{rule_id}", response_model=RulePublic, summary="Read a rule")
async def get_rule(db: DB, _viewer: Reader, rule_id: IdPath) -> RulePublic:
    return await rules.get_rule(db, rule_id)


@router.put("/rules/{rule_id}", response_model=RulePublic, summary="Replace a rule")
async def replace_rule(payload: RuleWrite, db: DB, _admin: Admin, rule_id: IdPath) -> RulePublic:
    return await rules.replace_rule(db, rule_id, payload)


@router.delete(
    "/rules/{rule_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a rule (not the default rule)",
)
async def delete_rule(db: DB, _admin: Admin, rule_id: IdPath) -> Response:
    await rules.delete_rule(db, rule_id)
    return Response(status_code=204)


@router.post(
    "/routing/dry-run",
    response_model=DryRunResult,
    summary="Which rule would match, with which requirements, and who would get it "
    "now and why; nothing is assigned",
)
async def routing_dry_run(payload: DryRunRequest, db: DB, _viewer: Supervisor) -> DryRunResult:
    return await dry_run(db, payload)


@router.get(
    "/routing/config",
    response_model=RoutingConfigPublic,
    summary="Routing tunables: ageing, reply windows, care thresholds, offer exclusion",
)
async def get_routing_config(db: DB, _viewer: Supervisor) -> RoutingConfigPublic:
    return await routing_config.get_config(db)


@router.put(
    "/routing/config",
    response_model=RoutingConfigPublic,
    summary="Replace the routing tunables (they apply to the next decision)",
)
async def put_routing_config(
    payload: RoutingConfigWrite, db: DB, _admin: Admin
) -> RoutingConfigPublic:
    return await routing_config.put_config(db, payload)
