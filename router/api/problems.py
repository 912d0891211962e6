"""Every error leaves as RFC 9457 problem+json with a stable ``code``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from router.errors import BrokerUnavailable, DomainError, StoreUnavailable
from router.store import is_transient_error

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
RETRY_AFTER_SECONDS = "2"


class FieldError(BaseModel):
    field: str = Field(
        description="the offending field, as a dotted path into the request (e.g. sender.email)"
    )
    message: str = Field(description="what is wrong with it, in English")


class Problem(BaseModel):
    """RFC 9457 problem details, plus a stable ``code`` and the offending ``field``."""

    type: str = Field(
        description="a URI naming the problem type (RFC 9457); about:blank when only the status "
        "matters"
    )
    title: str = Field(description="short human-readable summary of the problem type")
    status: int = Field(description="the HTTP status code, repeated")
    code: str = Field(
        description="stable machine-readable error code (e.g. validation_error, access_denied, "
        "not_found): branch on this, not on the text"
    )
    detail: str = Field(description="what went wrong with this request, in English")
    field: str | None = Field(
        default=None, description="the request field at fault, when a single one is; null otherwise"
    )
    errors: list[FieldError] | None = Field(
        default=None, description="every invalid field (validation errors only); null otherwise"
    )
    message_id: int | None = Field(
        default=None,
        description="idempotency_conflict only: the id of the message already stored under this "
        "channel and external_id",
    )  # idempotency_conflict: the message stored under the key


def _doc(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "model": Problem,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


#: Documented on every operation (FastAPI adds its own 422 only when none is declared).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _doc("malformed request body"),
    401: _doc("missing, expired or revoked credentials"),
    403: _doc("authenticated, but this role, API key scope or team may not do this"),
    404: _doc("unknown resource"),
    409: _doc("conflicts with the current state"),
    413: _doc("request body too large"),
    422: _doc("invalid field; `errors` lists each with its path"),
    429: _doc("too many requests; retry after the Retry-After delay"),
    503: _doc("a backing service is unavailable; retry after the Retry-After delay"),
}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"https://aiguillage.dev/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _validation(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in error.errors()]
    if any(e["type"] == "json_invalid" for e in error.errors()):
        return problem(400, "malformed_json", "the request body is not valid JSON", errors=errors)
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem(422, "invalid_request", summary, errors=errors)


async def _domain(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    extra: dict[str, Any] = {"field": error.field} if error.field else {}
    extra |= error.extra
    return problem(error.status_code, error.code, error.detail, headers=error.headers, **extra)


_HTTP_CODES = {
    400: "malformed_json",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = _HTTP_CODES.get(error.status_code, "http_error")
    headers = error.headers
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    return problem(error.status_code, code, str(error.detail), headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method of the request's path (RFC 9110 15.5.6). The router's own answer names
    only the methods of the first route whose path matched, one of several. A path written
    as such (``/v1/rules/export``) is its own resource: the methods of a templated route
    that would read its last segment as an id (and refuse it) are not listed."""
    path = request.scope.get("path", "")
    literal: set[str] = set()  # routes written as this very path (/v1/rules/export)
    templated: set[str] = set()  # routes whose parameter took a segment (/v1/rules/{rule_id})
    for context in iter_route_contexts(request.app.routes):
        pattern = getattr(context, "path_regex", None)
        if pattern is not None and context.methods and pattern.match(path):
            written = getattr(context, "path_format", "")
            (templated if "{" in written else literal).update(context.methods)
    return ", ".join(sorted(literal or templated))


async def _unavailable(_request: Request, error: Exception) -> JSONResponse:
    log.warning("dependency unavailable: %s", error)
    return problem(
        503,
        "service_unavailable",
        "a backing service is unavailable; retry later",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    # Lost connections (asyncpg raises plain OSError), deadlocks, lock and pool timeouts are
    # worth a retry: 503, not 500.
    if is_transient_error(error):
        return await _unavailable(request, error)
    log.exception("unhandled error", exc_info=error)
    return problem(500, "internal_error", "unexpected error; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(StoreUnavailable, _unavailable)
    app.add_exception_handler(BrokerUnavailable, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
