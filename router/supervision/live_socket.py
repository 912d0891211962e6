"""One staff member's live WebSocket: authenticated by its first frame, then events out
and presence frames in.

Frames from the browser: ``{"type": "auth", "token": <access token>}`` first (within
``AUTH_SECONDS``), then ``{"type": "viewing" | "typing", "conversation_id": n}``,
``{"type": "left"}`` and ``{"type": "ping"}``. Frames to it: ``{"type": "ready", "user"}``,
the events (router.supervision.live_audience), ``{"type": "queue.changed"}``,
``{"type": "presence", "conversation_id", "people"}``, ``{"type": "pong"}``. The session is
checked again every ``RECHECK_SECONDS``: a logout, a revoked session or an expired token
closes the socket with 4401 (the console renews its token and reconnects).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from sqlmodel import col, select
from starlette.websockets import WebSocket, WebSocketDisconnect

from router.errors import DomainError
from router.models import Advisor, Conversation
from router.security.principal import Principal
from router.security.visibility import conversation_clause
from router.supervision.live_feed import LiveHub, Subscriber

AUTH_SECONDS = 10.0
RECHECK_SECONDS = 60.0
CLOSE_REFUSED = 4401
CLOSE_TOO_SLOW = 4408
CLOSE_THROTTLED = 4429
Authenticate = Callable[[str], Awaitable[Principal]]


class LiveSocket:
    def __init__(self, hub: LiveHub, websocket: WebSocket, authenticate: Authenticate) -> None:
        self.hub = hub
        self.websocket = websocket
        self.authenticate = authenticate
        self._send_lock = asyncio.Lock()

    async def run(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):  # gone, before or after authenticating
            await self._serve()

    async def _serve(self) -> None:
        try:
            token = await self._token()
            principal = await self.authenticate(token)
            name = await self._name(principal.id)
        except (DomainError, ValueError, TimeoutError) as error:
            detail = error.detail if isinstance(error, DomainError) else "send an auth frame first"
            await self.websocket.close(code=CLOSE_REFUSED, reason=detail[:120])
            return
        with self.hub.subscribe(principal, name) as subscriber:
            user = {"id": principal.id, "name": name, "role": str(principal.role)}
            await self._send({"type": "ready", "user": user})
            reader = asyncio.create_task(self._read(subscriber))
            try:
                await self._write(subscriber, token, reader)
            except WebSocketDisconnect:
                pass
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                    await reader

    async def _text(self) -> str:
        """The next text frame; a binary frame reads as empty text (ignored by the callers,
        refused as an auth frame) rather than a KeyError out of Starlette's receive_text."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        return str(message.get("text") or "")

    async def _token(self) -> str:
        text = await asyncio.wait_for(self._text(), AUTH_SECONDS)
        frame = orjson.loads(text)
        if not isinstance(frame, dict) or frame.get("type") != "auth":
            raise ValueError("the first frame is {type: auth, token}")
        token = frame.get("token")
        if not isinstance(token, str) or not token:
            raise ValueError("the auth frame has no token")
        return token

    async def _name(self, advisor_id: int) -> str:
        async with self.hub.db.read_session() as session:
            found = await session.execute(select(Advisor.name).where(col(Advisor.id) == advisor_id))
            return str(found.scalar() or f"#{advisor_id}")

    async def _write(self, subscriber: Subscriber, token: str, reader: asyncio.Task[None]) -> None:
        clock = asyncio.get_running_loop()
        checked = clock.time()
        while not reader.done():
            if subscriber.overflowed:
                await self.websocket.close(code=CLOSE_TOO_SLOW, reason="too far behind: reload")
                return
            if clock.time() - checked >= RECHECK_SECONDS:
                checked = clock.time()
                try:
                    subscriber.principal = await self.authenticate(token)
                except DomainError as error:
                    await self.websocket.close(code=CLOSE_REFUSED, reason=error.detail[:120])
                    return
            getting = asyncio.create_task(subscriber.frames.get())
            done, _ = await asyncio.wait(
                {getting, reader}, timeout=RECHECK_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if getting in done:
                await self._send(getting.result())
            else:
                getting.cancel()

    async def _read(self, subscriber: Subscriber) -> None:
        while True:
            text = await self._text()
            try:
                frame = orjson.loads(text)
            except ValueError:
                continue
            if not isinstance(frame, dict):
                continue
            kind = frame.get("type")
            if kind == "ping":
                await self._send({"type": "pong"})
            elif kind == "left":
                self.hub.tell_presence(self.hub.presence.leave(subscriber))
            elif kind in ("viewing", "typing"):
                await self._presence(subscriber, kind, frame.get("conversation_id"))

    async def _presence(self, subscriber: Subscriber, kind: str, conversation_id: Any) -> None:
        if not isinstance(conversation_id, int) or not await self._may_see(
            subscriber.principal, conversation_id
        ):
            return
        presence = self.hub.presence
        if kind == "typing":
            changed = presence.typing(subscriber, conversation_id)
        else:
            changed = presence.view(subscriber, conversation_id)
            changed.add(conversation_id)  # the newcomer learns who is already there
        self.hub.tell_presence(changed)

    async def _may_see(self, principal: Principal, conversation_id: int) -> bool:
        query = select(Conversation.id).where(col(Conversation.id) == conversation_id)
        clause = conversation_clause(principal)
        if clause is not None:
            query = query.where(clause)
        async with self.hub.db.read_session() as session:
            return (await session.execute(query)).first() is not None

    async def _send(self, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.websocket.send_text(orjson.dumps(frame).decode())
