"""Request body size limit as plain ASGI middleware (counts streamed bodies too)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from router.api.problems import problem


class BodyTooLarge(HTTPException):
    """An HTTPException so that FastAPI's body reader lets it through as a 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body exceeds {max_bytes} bytes")


class BodySizeLimit:
    """``max_bytes`` for every path but those in ``overrides`` (raw email: its own limit)
    and those ending with a key of ``suffixes`` (paths with an id in them: reply files)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        overrides: Mapping[str, int] | None = None,
        suffixes: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = dict(overrides or {})
        self.suffixes = dict(suffixes or {})

    def limit(self, path: str) -> int:
        if path in self.overrides:
            return self.overrides[path]
        for suffix, limit in self.suffixes.items():
            if path.endswith(suffix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = problem(413, "payload_too_large", f"request body exceeds {limit} bytes")
            await response(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)
