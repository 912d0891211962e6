"""Live web chat: the visitors' WebSockets connected to this process, and what wakes them.

A socket shows the visitor's feed (router.intake.webchat) from the ``seq`` it resumed at,
then waits to be woken: by the chat adapter's delivery when this process sent a reply, by
the visitor's own message, or by the poller, which looks every ``webchat_poll_seconds`` for
replies sent by *other* processes (a separate worker on RabbitMQ). Frames always come from
the database, so a wake-up that is lost or doubled costs nothing: it never loses or
duplicates a message.

Whether the visitor is still there is written to the database (router.intake.
chat_presence): their socket opening, and every ``SAFETY_POLL_SECONDS`` while open, says
they are; their last socket in this process closing says when they left.

Visitor frames: ``{"type": "message", "id": ..., "text": ...}`` (the REST body), answered
by ``{"type": "ack", "id", "seq", "duplicate"}``, and ``{"type": "ping"}`` answered by
``{"type": "pong"}``; a refused frame gets ``{"type": "error", "code", "detail"}``. While
their conversation waits, the server sends ``{"type": "queue", "position", "ahead",
"estimated_wait_seconds", ...}`` whenever it changes (read every ``QUEUE_REFRESH_SECONDS``),
and ``{"type": "queue", "position": null}`` once an advisor has it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from router.errors import DomainError
from router.intake import chat_presence, webchat
from router.models.queues import VisitorStanding
from router.store import Database
from router.store.types import utcnow

log = logging.getLogger(__name__)

#: A visitor's message frame -> the ack frame (raises DomainError when refused).
OnMessage = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
#: A presence note (router.intake.chat_presence): here, or gone.
Presence = Callable[[Database, str], Awaitable[None]]
SAFETY_POLL_SECONDS = 30.0
QUEUE_REFRESH_SECONDS = 10.0  # how often a waiting visitor's place in the queue is re-read
FIRST_STANDING_SECONDS = 0.5  # how often it is looked for right after the visitor wrote
ROUTING_GRACE_SECONDS = 5.0  # ... for this long


class ChatHub:
    def __init__(self, db: Database, poll_seconds: float) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None

    async def deliver(self, visitor_id: str, _frame: Mapping[str, Any]) -> None:
        """The chat adapter's delivery: the reply is stored; wake the visitor's sockets."""
        self.notify(visitor_id)

    def notify(self, visitor_id: str) -> None:
        for event in self._waiters.get(visitor_id, ()):
            event.set()

    @contextlib.contextmanager
    def subscribe(self, visitor_id: str) -> Iterator[asyncio.Event]:
        event = asyncio.Event()
        self._waiters.setdefault(visitor_id, set()).add(event)
        try:
            yield event
        finally:
            waiters = self._waiters.get(visitor_id, set())
            waiters.discard(event)
            if not waiters:
                self._waiters.pop(visitor_id, None)

    def watching(self, visitor_id: str) -> bool:
        """Whether some socket of this visitor is open in this process."""
        return visitor_id in self._waiters

    @property
    def connected(self) -> int:
        return sum(len(w) for w in self._waiters.values())

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        # Look back further than one period: a reply committed just after a look-up may
        # carry a sent_at from before it.
        margin = timedelta(seconds=self.poll_seconds + 2)
        since = utcnow()
        while True:
            await asyncio.sleep(self.poll_seconds)
            started = utcnow()
            if not self._waiters:
                since = started
                continue
            try:
                visitors = await webchat.recently_sent(self.db, since - margin)
            except Exception as error:  # the database is away: sockets keep their safety poll
                log.warning("web chat poll skipped: %s", type(error).__name__)
                continue
            since = started
            for visitor_id in visitors:
                self.notify(visitor_id)


class ChatSocket:
    """One visitor's WebSocket: a reader task for their frames, the feed written here."""

    def __init__(
        self, hub: ChatHub, websocket: WebSocket, visitor_id: str, on_message: OnMessage
    ) -> None:
        self.hub = hub
        self.websocket = websocket
        self.visitor_id = visitor_id
        self.on_message = on_message
        self._send_lock = asyncio.Lock()
        self._wrote_at = -math.inf  # loop time of the visitor's last message

    async def run(self, after: int) -> None:
        with self.hub.subscribe(self.visitor_id) as wake:
            await self._note(chat_presence.present)
            reader = asyncio.create_task(self._read(wake))
            try:
                await self._write(after, wake, reader)
            except WebSocketDisconnect:
                pass
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                    await reader
        if not self.hub.watching(self.visitor_id):  # their last socket here
            await self._note(chat_presence.left)

    async def _note(self, presence: Presence) -> None:
        try:
            await presence(self.hub.db, self.visitor_id)
        except Exception as error:  # the database is away: the next note will tell
            log.warning("web chat presence not recorded: %s", type(error).__name__)

    async def _write(self, cursor: int, wake: asyncio.Event, reader: asyncio.Task[None]) -> None:
        clock = asyncio.get_running_loop()
        confirmed = clock.time()
        standing: VisitorStanding | None = None
        while not reader.done():
            if clock.time() - confirmed >= SAFETY_POLL_SECONDS:
                confirmed = clock.time()
                await self._note(chat_presence.present)
            wake.clear()
            messages = await webchat.feed(self.hub.db, self.visitor_id, cursor)
            for message in messages:
                await self._send(webchat.frame(message))
            if messages:
                cursor = messages[-1].id or cursor
                await webchat.mark_delivered(self.hub.db, messages)
                if len(messages) == webchat.FEED_LIMIT:
                    continue
            standing = await self._standing(standing)
            woken = asyncio.create_task(wake.wait())
            await asyncio.wait(
                {woken, reader},
                timeout=self._next_look(standing, clock.time()),
                return_when=asyncio.FIRST_COMPLETED,
            )
            woken.cancel()

    def _next_look(self, standing: VisitorStanding | None, now: float) -> float:
        """Seconds until the feed and the standing are read again unwoken: soon after the
        visitor wrote and nothing is filed yet (routing takes a moment; their place in the
        queue is the first thing a new visitor wants), often while they wait, rarely else."""
        since_written = now - self._wrote_at
        if standing is None and since_written < ROUTING_GRACE_SECONDS:
            return FIRST_STANDING_SECONDS
        if standing is not None or since_written < 60:
            return QUEUE_REFRESH_SECONDS
        return SAFETY_POLL_SECONDS

    async def _standing(self, shown: VisitorStanding | None) -> VisitorStanding | None:
        """Tell the visitor their place in the queue when it changed (or that they are
        being served); refreshed every QUEUE_REFRESH_SECONDS while they wait."""
        try:
            current = await webchat.standing_of(self.hub.db, self.visitor_id)
        except Exception as error:  # the database is away: the next round will tell
            log.warning("web chat queue standing skipped: %s", type(error).__name__)
            return shown
        if current != shown:
            await self._send(webchat.queue_frame(current))
        return current

    async def _read(self, wake: asyncio.Event) -> None:
        while True:
            text = await self.websocket.receive_text()
            try:
                frame = orjson.loads(text)
                if not isinstance(frame, dict):
                    raise ValueError("a frame is a JSON object")
            except ValueError as error:
                await self._send({"type": "error", "code": "malformed_frame", "detail": str(error)})
                continue
            kind = frame.get("type")
            if kind == "ping":
                await self._send({"type": "pong"})
            elif kind == "message":
                self._wrote_at = asyncio.get_running_loop().time()
                await self._message(frame)
                wake.set()  # show it in the feed (with its seq) right away
            else:
                detail = f"unknown frame type {kind!r}: use 'message' or 'ping'"
                await self._send({"type": "error", "code": "unknown_frame", "detail": detail})

    async def _message(self, frame: dict[str, Any]) -> None:
        try:
            answer = await self.on_message(frame)
        except DomainError as error:
            answer = {
                "type": "error",
                "code": error.code,
                "detail": error.detail,
                "id": frame.get("id"),
            }
        await self._send(answer)

    async def _send(self, frame: Mapping[str, Any]) -> None:
        async with self._send_lock:
            await self.websocket.send_text(orjson.dumps(frame).decode())
