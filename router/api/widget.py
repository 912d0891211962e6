"""The web-chat widget's files, and its demo page (demo mode only).

``/widget.js`` is one classic script (the parts in ``router/widget/`` joined in one
function scope, so a host page needs one tag and one request), ``/widget.css`` the style
sheet it loads into its Shadow DOM. Both are public, cacheable for a few minutes and then
revalidated by ETag (the URL carries no version), and readable from any origin: they are
the same for everyone and hold no secret.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from router.api.deps import RuntimeDep
from router.api.guard import PUBLIC_ROUTE
from router.errors import NotFound

router = APIRouter(include_in_schema=False)
#: The widget's parts, in the order they are joined.
SCRIPT_PARTS = ("i18n.js", "client.js", "view.js", "main.js")
CACHE = "public, max-age=300"
DEMO_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def _read(name: str) -> str:
    return resources.files("router.widget").joinpath(name).read_text(encoding="utf-8")


def _asset(body: str, media_type: str) -> Asset:
    data = body.encode("utf-8")
    return Asset(data, media_type, f'"{hashlib.sha256(data).hexdigest()[:32]}"')


@functools.cache
def script() -> Asset:
    parts = "\n".join(f"// --- {name}\n{_read(name)}" for name in SCRIPT_PARTS)
    source = f'(() => {{\n"use strict";\n{parts}\n}})();\n'
    return _asset(source, "text/javascript; charset=utf-8")


@functools.cache
def _static(name: str, media_type: str) -> Asset:
    return _asset(_read(name), media_type)


def _send(request: Request, asset: Asset) -> Response:
    headers = {
        "Cache-Control": CACHE,
        "ETag": asset.etag,
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get("/widget.js", dependencies=PUBLIC_ROUTE)
async def widget_script(request: Request) -> Response:
    return _send(request, script())


@router.get("/widget.css", dependencies=PUBLIC_ROUTE)
async def widget_style(request: Request) -> Response:
    return _send(request, _static("widget.css", "text/css; charset=utf-8"))


def _demo_only(rt: RuntimeDep) -> None:
    if not rt.settings.demo:
        raise NotFound("no such page (the widget demo is served in demo mode only)")


@router.get("/widget-demo", response_class=HTMLResponse, dependencies=PUBLIC_ROUTE)
async def widget_demo(rt: RuntimeDep) -> HTMLResponse:
    _demo_only(rt)
    headers = {"Content-Security-Policy": DEMO_CSP, "Cache-Control": "no-cache"}
    return HTMLResponse(_static("demo.html", "text/html").body, headers=headers)


@router.get("/widget-demo.css", dependencies=PUBLIC_ROUTE)
async def widget_demo_style(request: Request, rt: RuntimeDep) -> Response:
    _demo_only(rt)
    return _send(request, _static("demo.css", "text/css; charset=utf-8"))
