"""The API documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served offline.

Both tools are vendored under ``router/static/vendor/`` (versions and licences in its
``README.md``) and served from this origin, so the pages render without internet access.
FastAPI's own Swagger UI page starts the tool with an inline script; ours loads
``static/docs/swagger-init.js`` instead, so the Content-Security-Policy can forbid inline
script (``script-src 'self'``). Inline *styles* stay allowed: ReDoc writes its styles into
``<style>`` elements at run time, and its search index runs in a ``blob:`` worker.

ReDoc's sidebar footer ("API docs by Redocly") shows an image hard-coded to Redocly's CDN,
and no ReDoc option turns it off (``hideLogo`` is about the spec's own ``x-logo``). So
``/redoc`` loads the bundle from ``/redoc/redoc.standalone.js``: the vendored file, left
unchanged on disk, served with that one URL replaced by an empty ``data:`` image, which
fails to decode and which ReDoc then drops (its own ``onError``). No request leaves the
origin and the policy (``img-src 'self' data:``) reports no violation; the footer's text
link stays.
"""

from __future__ import annotations

import functools
from html import escape
from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from router.api.guard import PUBLIC_ROUTE

router = APIRouter(include_in_schema=False)

STATIC = "/static"
SWAGGER_UI = f"{STATIC}/vendor/swagger-ui-dist-5.36.0"
REDOC_FOLDER = "redoc-2.5.4"
REDOC_BUNDLE = "/redoc/redoc.standalone.js"
# The footer image of the vendored ReDoc, and what replaces it (an image that fails at once).
REDOCLY_BADGE = "https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_IMAGE = "data:,"
FAVICON = f"{SWAGGER_UI}/favicon-32x32.png"
OPENAPI_URL = "/openapi.json"
TITLE = "Aiguillage API"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_SWAGGER_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(TITLE)} (Swagger UI)</title>
<link rel="icon" type="image/png" href="{FAVICON}">
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="{STATIC}/docs/swagger-init.js" data-openapi-url="{OPENAPI_URL}"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Add the two pages and serve ``router/static`` under ``/static`` (public files only)."""
    app.include_router(router)
    directory = resources.files("router").joinpath("static")
    app.mount(STATIC, StaticFiles(directory=str(directory)), name="static")


@router.get("/docs", response_class=HTMLResponse, dependencies=PUBLIC_ROUTE)
async def swagger_ui() -> HTMLResponse:
    return HTMLResponse(_SWAGGER_PAGE, headers=HEADERS)


@router.get("/redoc", response_class=HTMLResponse, dependencies=PUBLIC_ROUTE)
async def redoc() -> HTMLResponse:
    page = get_redoc_html(
        openapi_url=OPENAPI_URL,
        title=f"{TITLE} (ReDoc)",
        redoc_js_url=REDOC_BUNDLE,
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )
    return HTMLResponse(page.body, headers=HEADERS)


@functools.cache
def redoc_bundle() -> bytes:
    """The vendored ReDoc bundle with its CDN image replaced (read once per process)."""
    bundle = resources.files("router").joinpath("static", "vendor", REDOC_FOLDER)
    source = bundle.joinpath("redoc.standalone.js").read_text(encoding="utf-8")
    return source.replace(REDOCLY_BADGE, NO_IMAGE).encode()


@router.get(REDOC_BUNDLE, dependencies=PUBLIC_ROUTE)
async def redoc_script() -> Response:
    return Response(
        redoc_bundle(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
