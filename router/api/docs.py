"""The API documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served offline.

Both tools are vendored under ``router/static/vendor/`` (versions and licences in its
``README.md``) and served from this origin, so the pages render without internet access.
FastAPI's own Swagger UI page starts the tool with an inline script; ours loads
``static/docs/swagger-init.js`` instead, so the Content-Security-Policy can forbid inline
script (``script-src 'self'``). Inline *styles* stay allowed: ReDoc writes its styles into
``<style>`` elements at run time, and its search index runs in a ``blob:`` worker.
"""

from __future__ import annotations

from html import escape
from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from router.api.guard import PUBLIC_ROUTE

router = APIRouter(include_in_schema=False)

STATIC = "/static"
SWAGGER_UI = f"{STATIC}/vendor/swagger-ui-dist-5.36.0"
REDOC = f"{STATIC}/vendor/redoc-2.5.4"
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
        redoc_js_url=f"{REDOC}/redoc.standalone.js",
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )
    return HTMLResponse(page.body, headers=HEADERS)
