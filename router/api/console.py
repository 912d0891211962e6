"""The web console: one static page over the public API (no separate front-end build).

The page is served with a Content-Security-Policy that allows nothing but its own inline
script and style sheet (by their SHA-256 hashes, computed from the page when first served)
and calls to this origin, and it may not be framed (clickjacking): an injected script,
style attribute or foreign resource would not run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from router.api.guard import PUBLIC_ROUTE

router = APIRouter(include_in_schema=False)
NONE = "'none'"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


def _sha256(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(page: str) -> str:
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for element, source in _INLINE.findall(page):
        hashes[element].append(_sha256(source))
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {' '.join(hashes['script']) or NONE}",
            f"style-src {' '.join(hashes['style']) or NONE}",
            "connect-src 'self'",
            "img-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


@functools.cache
def _page() -> tuple[str, dict[str, str]]:
    page = resources.files("router.console").joinpath("index.html").read_text(encoding="utf-8")
    headers = {
        "Content-Security-Policy": content_security_policy(page),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return page, headers


@router.get("/", response_class=HTMLResponse, dependencies=PUBLIC_ROUTE)
async def console() -> HTMLResponse:
    page, headers = _page()
    return HTMLResponse(page, headers=headers)
