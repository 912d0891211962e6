"""The web console: one static page over the public API (no separate front-end build)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from router.api.guard import PUBLIC_ROUTE

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, dependencies=PUBLIC_ROUTE)
async def console() -> HTMLResponse:
    page = resources.files("router.console").joinpath("index.html").read_text(encoding="utf-8")
    return HTMLResponse(page)
