"""Which websites may embed the chat widget: CORS on the visitor's routes, and the Origin
of the chat WebSocket.

The widget runs inside the host page, so its REST calls come from the host's origin and
carry an ``Authorization`` header: the browser asks first (a CORS preflight). Only the
visitor's routes (``/v1/chat/*``, ``/v1/csat/*``) answer cross-origin, and only to the
origins in ``AIGUILLAGE_WEBCHAT_ALLOWED_ORIGINS``; the staff API never does. No cookie is
involved (the visitor's token is a header), so credentials are never allowed. Browsers do
not apply CORS to WebSockets: the socket checks the Origin itself (this service's own
pages, or a listed origin; a client that is no browser sends none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from router.settings import Settings

WIDGET_PATHS = ("/v1/chat/", "/v1/csat/")


class WidgetCors:
    """CORS for the widget's paths only; every other path is passed on untouched."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(WIDGET_PATHS):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def socket_allowed(headers: Mapping[str, str], settings: Settings) -> bool:
    """Whether a chat WebSocket may open from the page that asks (its ``Origin``)."""
    origin = headers.get("origin")
    if origin is None:  # not a browser: the token is all that matters
        return True
    allowed = settings.webchat_origin_list
    if "*" in allowed or origin.rstrip("/") in allowed:
        return True
    same_host = urlsplit(origin).netloc == headers.get("host")
    return same_host or origin == _origin(settings.public_url)
