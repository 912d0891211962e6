"""The web console: ES modules served as static files (no build step) over the public API.

``/`` is a small page that loads ``/console/static/app.js``; every script and style sheet is
a file of this origin, so the Content-Security-Policy forbids inline script and style and
any foreign resource, allows calls (and the live WebSocket) to this origin only, and the
page may not be framed (clickjacking).
"""

from __future__ import annotations

import functools
import mimetypes
import re
from importlib import resources
from importlib.abc import Traversable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from router import __version__
from router.api.deps import RuntimeDep
from router.api.guard import PUBLIC_ROUTE
from router.errors import NotFound

router = APIRouter(include_in_schema=False)
_STATIC_PATH = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\.(js|css|svg|png|txt|md)$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".md": "text/markdown"}


def content_security_policy(host: str | None) -> str:
    """Scripts and styles from this origin only; the WebSocket of the same host."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"connect-src 'self'{sockets}",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


def _headers(host: str | None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(host),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


@functools.cache
def _page() -> str:
    return resources.files("router.console").joinpath("index.html").read_text(encoding="utf-8")


def _static_file(path: str) -> Traversable:
    if not _STATIC_PATH.match(path):
        raise NotFound(f"no console file {path}")
    found = resources.files("router.console").joinpath("static", *path.split("/"))
    if not found.is_file():
        raise NotFound(f"no console file {path}")
    return found


@router.get("/", response_class=HTMLResponse, dependencies=PUBLIC_ROUTE)
async def console(request: Request) -> HTMLResponse:
    return HTMLResponse(_page(), headers=_headers(request.headers.get("host")))


@router.get("/console/static/{path:path}", dependencies=PUBLIC_ROUTE)
async def static(path: str, request: Request) -> Response:
    """The console's modules and style sheets (revalidated: a deploy shows at once)."""
    found = _static_file(path)
    suffix = "." + path.rsplit(".", 1)[-1]
    media = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    headers = {**_headers(request.headers.get("host")), "Cache-Control": "no-cache"}
    return Response(found.read_bytes(), media_type=media, headers=headers)


class ConsoleConfig(BaseModel):
    """What the console needs to know before login."""

    demo: bool
    version: str


@router.get("/v1/console/config", response_model=ConsoleConfig, dependencies=PUBLIC_ROUTE)
async def config(rt: RuntimeDep) -> ConsoleConfig:
    return ConsoleConfig(demo=rt.settings.demo, version=__version__)
