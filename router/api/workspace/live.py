"""The staff live channel: one WebSocket per console tab (router.supervision.live_socket)."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from router.errors import DomainError
from router.runtime import Runtime
from router.security.principal import Principal
from router.supervision.live_socket import CLOSE_THROTTLED, LiveSocket

router = APIRouter(tags=["live"])


@router.websocket("/v1/live")
async def live(websocket: WebSocket) -> None:
    """Events for what the user may see; the first frame is ``{"type": "auth", "token"}``
    (a staff access token: the socket is public until it authenticates)."""
    rt: Runtime = websocket.app.state.runtime
    try:  # public until it authenticates: throttled per address as the chat socket is
        client = websocket.client.host if websocket.client else "unknown"
        await rt.public_limiter.take(f"ip:{client}", "requests from this address")
    except DomainError as error:
        await websocket.close(code=CLOSE_THROTTLED, reason=error.detail[:120])
        return

    async def authenticate(token: str) -> Principal:
        return await rt.auth.staff_principal(token)

    await websocket.accept()
    await LiveSocket(rt.live_hub, websocket, authenticate).run()
