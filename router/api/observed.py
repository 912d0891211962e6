"""HTTP metrics as plain ASGI middleware: requests by method, route template and status.

The route template (``/v1/conversations/{conversation_id}``), never the raw path, keeps
the label set bounded; a path that matched no route is ``unmatched``, a method outside
the usual ones ``other``.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from router.observability import metrics

UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not metrics.enabled():
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the response started is answered 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            template = str(getattr(scope.get("route"), "path", UNMATCHED))
            method = scope["method"] if scope["method"] in METHODS else "other"
            metrics.http_request(method, template, status, time.perf_counter() - started)
