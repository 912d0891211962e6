"""Every route declares who may call it; ``check_every_route_declared`` refuses an app that forgets.

A route depends on exactly one guard: ``Allow(access)`` for authenticated routes (it returns the
caller's Principal, which services use for team isolation) or ``Open(...)`` for public ones.
Credentials: ``Authorization: Bearer <access token>`` for staff, ``X-API-Key: agk_...`` (or the
key as a bearer token) for integrators.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from router import logs
from router.errors import AccessDenied, ConfigurationError, Unauthenticated
from router.models.advisors import Role
from router.models.security import Scope
from router.runtime import Runtime
from router.security.apikeys import looks_like_key
from router.security.principal import PUBLIC, Access, Principal
from router.security.ratelimit import Limiter

bearer_scheme = OAuth2PasswordBearer(
    tokenUrl="/v1/auth/token",
    auto_error=False,
    description="Staff access token from POST /v1/auth/token (an API key is also accepted)",
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Integrator API key (agk_...)"
)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


#: Path parameters that name what a request is about: bound to its log lines.
_LOGGED_IDS = ("conversation_id", "message_id")


def bind_path_ids(request: Request) -> None:
    """Every route has exactly one guard, which makes it the place every request passes
    once its path is matched."""
    params = request.path_params
    if params:
        found = {name: str(params[name]) for name in _LOGGED_IDS if name in params}
        # isdecimal() alone accepts other scripts' digits; int() of "²" raises.
        logs.bind(
            **{k: int(v) if v.isascii() and v.isdecimal() else v for k, v in found.items()}
        )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Allow:
    """Authenticate, rate-limit API keys, and check the route's declared access."""

    def __init__(self, access: Access) -> None:
        self.access = access

    async def __call__(
        self,
        request: Request,
        bearer: Annotated[str | None, Depends(bearer_scheme)],
        api_key: Annotated[str | None, Depends(api_key_scheme)],
    ) -> Principal:
        bind_path_ids(request)
        runtime = _runtime(request)
        presented = api_key or bearer
        if not presented:
            raise Unauthenticated("this endpoint needs a bearer token or an X-API-Key header")
        if api_key or looks_like_key(presented):
            principal = await runtime.auth.key_principal(presented)
            await runtime.key_limiter.take(f"key:{principal.id}", "requests for this API key")
        else:
            principal = await runtime.auth.staff_principal(presented)
        request.state.principal = principal
        if not self.access.permits(principal):
            raise AccessDenied(f"this endpoint needs {self.access.describe()}")
        return principal


class Open:
    """A public route; ``throttled`` ones are rate-limited per client address."""

    def __init__(self, *, throttled: bool) -> None:
        self.access = PUBLIC
        self.throttled = throttled

    async def __call__(self, request: Request) -> None:
        bind_path_ids(request)
        if self.throttled:
            limiter: Limiter = _runtime(request).public_limiter
            await limiter.take(f"ip:{client_address(request)}", "requests from this address")


def allow(role: Role | None = None, scope: Scope | None = None) -> Any:
    """``Depends`` for a handler parameter: ``principal: Principal = allow(Role.admin)``."""
    return Depends(Allow(Access(role=role, scope=scope)))


Staff = Annotated[Principal, Depends(Allow(Access(role=Role.advisor)))]
Supervisor = Annotated[Principal, Depends(Allow(Access(role=Role.supervisor)))]
Admin = Annotated[Principal, Depends(Allow(Access(role=Role.admin)))]
PUBLIC_ROUTE = [Depends(Open(throttled=False))]
THROTTLED_PUBLIC_ROUTE = [Depends(Open(throttled=True))]


def _guards(dependant: Dependant) -> Iterator[Allow | Open]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, Allow | Open):
            yield sub.call
        yield from _guards(sub)


def route_access(route: APIRoute) -> Access:
    """The access a route declared; raises if it declared none or several."""
    guards = list(_guards(route.dependant))
    if len(guards) != 1:
        raise ConfigurationError(
            f"route {sorted(route.methods or ())} {route.path} must declare exactly one "
            f"access guard (Allow or Open), found {len(guards)}"
        )
    return guards[0].access


def api_routes(app: FastAPI) -> Iterator[APIRoute]:
    """Every API route, including those of included routers."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context.original_route


def access_note(access: Access) -> str:
    return f"**Access:** {access.describe()}."


def check_every_route_declared(app: FastAPI) -> None:
    """Secure by default: an undeclared route stops the app, and the docs say who may call
    (each operation's OpenAPI description ends with its declared access)."""
    for route in api_routes(app):
        route_access(route)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        # Added to the generated schema, not to the routes: FastAPI copies each included
        # route's description when it is included, so a later change would not show.
        schema = generate()
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or not context.include_in_schema:
                continue
            operations = schema.get("paths", {}).get(context.path_format, {})
            note = access_note(route_access(route))
            for method in context.methods or ():
                operation = operations.get(method.lower())
                if operation is not None and note not in operation.get("description", ""):
                    text = f"{operation.get('description', '')}\n\n{note}".strip()
                    operation["description"] = text
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
