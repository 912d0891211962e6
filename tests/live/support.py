"""Helpers of the live channel tests: signed webhook requests, waiting for the pipeline,
and the real app served by uvicorn on a loopback port."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from channels.meta.signature import sign as meta_sign
from channels.x.signature import sign as x_sign
from router.app import create_app
from router.models import Conversation, Event, Message
from router.runtime import Runtime
from router.settings import Settings
from tests.conftest import runtime_of, wait_for
from tests.live.conftest import APP_SECRET, X_SECRET


def meta_request(payload: dict[str, Any], secret: str = APP_SECRET) -> dict[str, Any]:
    body = json.dumps(payload).encode()
    return {
        "content": body,
        "headers": {
            "X-Hub-Signature-256": meta_sign(body, secret),
            "Content-Type": "application/json",
        },
    }


def x_request(payload: dict[str, Any], secret: str = X_SECRET) -> dict[str, Any]:
    body = json.dumps(payload).encode()
    return {
        "content": body,
        "headers": {"X-Twitter-Webhooks-Signature": x_sign(body, secret)},
    }


def messenger_text(mid: str, sender: str, text: str) -> dict[str, Any]:
    return {
        "object": "page",
        "entry": [
            {
                "id": "106512345678901",
                "time": 1717409700000,
                "messaging": [
                    {
                        "sender": {"id": sender},
                        "recipient": {"id": "106512345678901"},
                        "timestamp": 1717409695123,
                        "message": {"mid": mid, "text": text},
                    }
                ],
            }
        ],
    }


async def messages(http: httpx.AsyncClient, **where: Any) -> list[Message]:
    async with runtime_of(http).db.read_session() as session:
        query = select(Message).order_by(Message.id)  # type: ignore[arg-type]
        for name, value in where.items():
            query = query.where(getattr(Message, name) == value)
        return list((await session.scalars(query)).all())


async def events_of(http: httpx.AsyncClient, type_: str) -> list[Event]:
    async with runtime_of(http).db.read_session() as session:
        rows = await session.scalars(
            select(Event).where(Event.type == type_).order_by(Event.id)  # type: ignore[arg-type]
        )
        return list(rows.all())


async def processed(http: httpx.AsyncClient, message_id: int) -> Message:
    """The message once the pipeline put it in a conversation."""

    async def done() -> Message | None:
        found = await messages(http, id=message_id)
        return found[0] if found and found[0].conversation_id else None

    result: Message = await wait_for(done)
    return result


async def conversation(http: httpx.AsyncClient, conversation_id: int) -> Conversation:
    async with runtime_of(http).db.read_session() as session:
        found = await session.get(Conversation, conversation_id)
        assert found is not None
        return found


async def reply_status(http: httpx.AsyncClient, message_id: int, *states: str) -> dict[str, Any]:
    """Poll GET /v1/messages/{id} until its status is one of ``states``."""

    async def reached() -> dict[str, Any] | None:
        body = (await http.get(f"/v1/messages/{message_id}")).json()
        return body if body["status"] in states else None

    result: dict[str, Any] = await wait_for(reached, timeout=15)
    return result


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[tuple[str, FastAPI]]:
    """The real app behind uvicorn on a loopback port, in this event loop."""
    app = create_app(settings)
    sock = free_socket()
    config = uvicorn.Config(
        app, lifespan="on", ws="websockets-sansio", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await wait_for(lambda: _started(server, task), timeout=20, interval=0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=20)
        sock.close()


async def _started(server: uvicorn.Server, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()  # raise the start-up error
    return server.started


def runtime_of_app(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime
