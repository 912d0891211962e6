"""The audit log (admins only), and the middleware that writes it for every staff change.

Recording happens here, once for all routes, so that no new endpoint can forget it: every
successful POST/PUT/PATCH/DELETE by a supervisor, an admin or an integrator's key leaves an
entry with the route, the concrete path (ids only) and the status, never the request body.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from router.api.deps import DB, AfterId, Limit
from router.api.guard import Admin
from router.models.advisors import Role
from router.models.security import AuditPublic
from router.models.validation import OptionalIdQuery
from router.security import audit
from router.security.principal import Principal, PrincipalKind

router = APIRouter(prefix="/v1/audit", tags=["audit"])
log = logging.getLogger(__name__)
AUDITED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUDITED_ROLES = frozenset({Role.supervisor, Role.admin})
# Customer traffic, not administration: an admin posting a test message is not audited.
NOT_AUDITED = frozenset({"/v1/messages"})


@router.get("", response_model=list[AuditPublic], summary="Read the audit log, oldest first")
async def list_entries(
    db: DB,
    _admin: Admin,
    actor_id: OptionalIdQuery = None,
    after_id: AfterId = 0,
    limit: Limit = 100,
) -> list[AuditPublic]:
    return await audit.list_entries(db, after_id=after_id, limit=limit, actor_id=actor_id)


class AuditTrail:
    """ASGI middleware: after a successful staff change, append it to the audit log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in AUDITED_METHODS:
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, capture)
        principal = scope.get("state", {}).get("principal")
        route_path = getattr(scope.get("route"), "path", None)
        if status and status[0] < 400 and route_path not in NOT_AUDITED and _audited(principal):
            await _write(scope, principal, status[0])


def _audited(principal: object) -> bool:
    """Supervisors', admins' and integrators' changes (advisors' own status is not)."""
    if not isinstance(principal, Principal):
        return False
    return principal.kind == PrincipalKind.api_key or principal.role in AUDITED_ROLES


async def _write(scope: Scope, principal: Principal, status: int) -> None:
    route = scope.get("route")
    action = f"{scope['method']} {getattr(route, 'path', scope['path'])}"
    try:
        await audit.record(
            scope["app"].state.runtime.db,
            actor_kind=principal.kind.value,
            actor_id=principal.id,
            actor_role=principal.role.value if principal.role else "integrator",
            action=action,
            target=scope["path"],
            status_code=status,
        )
    except Exception:  # the change is done; a lost audit line must not turn it into a 500
        log.exception("could not write the audit entry for %s", action)
