"""Test support: recorded payloads, and a scripted HTTP provider on a loopback port.

The fake provider is a real HTTP server (Starlette served by uvicorn in a background
thread on port 0): our senders talk to it through a real ``httpx.AsyncClient`` over TCP,
so retries, headers and timeouts are exercised for real, nothing is patched.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CHANNELS = Path(__file__).resolve().parents[2] / "channels"


def fixture_path(kind: str, name: str) -> Path:
    return CHANNELS / kind / "fixtures" / name


def fixture_bytes(kind: str, name: str) -> bytes:
    return fixture_path(kind, name).read_bytes()


def fixture_json(kind: str, name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(kind, f"{name}.json"))


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (client read timeouts)
    content: bytes | None = None  # a file instead of a JSON body (media downloads)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    json: Any
    body: bytes = b""  # as sent (multipart uploads are not JSON)


class FakeProvider:
    """Answers each path with the replies scripted for it, in order; records requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replies: dict[str, deque[Reply]] = {}
        self.requests: list[Recorded] = []
        self.url = ""
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST"])])
        self._server = uvicorn.Server(
            uvicorn.Config(app, lifespan="off", ws="none", http="h11", log_level="warning")
        )
        self._thread: threading.Thread | None = None

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._replies.setdefault(path, deque()).extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self.requests.clear()

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        path = "/" + request.path_params["path"]
        with self._lock:
            self.requests.append(
                Recorded(
                    request.method,
                    path,
                    {k.lower(): v for k, v in request.headers.items()},
                    _json(body),
                    body,
                )
            )
            queue = self._replies.get(path)
            reply = queue.popleft() if queue else Reply(404, {"error": f"unscripted {path}"})
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.content is not None:
            return Response(reply.content, status_code=reply.status, headers=reply.headers)
        return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake provider did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def no_sleep(_seconds: float) -> None:
    """Injected into retry policies: tests record delays instead of waiting."""


class Sleeps:
    """A fake sleep that records the delays it was asked for."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
