"""The staff live channel (GET /v1/live, a WebSocket): each user gets the committed events
of what they may see, within a poll period, and nothing else.

The real app behind uvicorn (a WebSocket needs a real server), on both backends: on
PostgreSQL + RabbitMQ the events are read back from the database like those a separate
worker would write.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from router.security.staff import create_admin
from router.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, bearer
from tests.live.support import runtime_of_app, served
from tests.routing_support import advisor, login, post, routed, team


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    fast = settings.model_copy(update={"live_poll_seconds": 0.1})
    async with served(fast) as (url, app):
        await create_admin(runtime_of_app(app).db, ADMIN_EMAIL, "Admin", ADMIN_PASSWORD)
        async with httpx.AsyncClient(base_url=url, timeout=20) as http:
            http.headers["Authorization"] = await bearer(http, ADMIN_EMAIL, ADMIN_PASSWORD)
            yield http, url.replace("http", "ws") + "/v1/live"


class Feed:
    """One user's socket and every frame it received."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.frames: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for text in self.socket:
                self.frames.append(json.loads(text))
        except ConnectionClosed:
            pass

    async def wait(self, type_: str, conversation_id: int, timeout: float = 15) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for frame in self.frames:
                if frame["type"] == type_ and frame.get("conversation_id") == conversation_id:
                    return frame
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {type_} for #{conversation_id}: {self.frames}")

    def about(self, conversation_id: int) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("conversation_id") == conversation_id]


@asynccontextmanager
async def feed(url: str, headers: dict[str, str]) -> AsyncIterator[Feed]:
    token = headers["Authorization"].removeprefix("Bearer ")
    async with connect(url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": token}))
        ready = json.loads(await socket.recv())
        assert ready["type"] == "ready"
        live = Feed(socket)
        yield live
        live.task.cancel()


async def test_a_routed_message_reaches_its_advisor_and_an_alert_its_supervisor(
    settings: Settings,
) -> None:
    async with app_client(settings) as (http, url):
        crew, other = await team(http, "Crew"), await team(http, "Other")
        rule = await http.post(
            "/v1/rules",
            json={"name": "Orders", "conditions": {"keywords": ["order"]}, "team_id": crew["id"]},
        )
        assert rule.status_code == 201, rule.text
        sue = await advisor(http, "Sue", role="supervisor", team_id=crew["id"], status="offline")
        anna = await advisor(http, "Anna", team_id=crew["id"], supervisor_id=sue["id"])
        bob = await advisor(http, "Bob", team_id=other["id"])
        async with (
            feed(url, await login(http, anna)) as annas,
            feed(url, await login(http, bob)) as bobs,
            feed(url, await login(http, sue)) as sues,
        ):
            calm = await routed(http, await post(http, "c1", "1", "Where is my order?"))
            assert calm["assignee_id"] == anna["id"]
            assigned = await annas.wait("conversation.assigned", calm["id"])
            assert assigned["advisor_id"] == anna["id"]
            await annas.wait("message.received", calm["id"])
            await sues.wait("conversation.assigned", calm["id"])  # her team's advisor

            angry = {"metadata": {"emotion": "anger", "emotion_intensity": 0.92}}
            furious = await routed(http, await post(http, "c2", "1", "My ORDER, now!", **angry))
            alert = await sues.wait("alert.angry_first_message", furious["id"])
            assert "anger" in alert["data"]["reason"]
            # Bob, in another team, heard of neither conversation.
            await asyncio.sleep(0.3)  # a few more poll periods
            assert bobs.about(calm["id"]) == [] and bobs.about(furious["id"]) == []
            assert not [f for f in annas.frames if f["type"].startswith("alert.")]


async def test_presence_tells_who_views_a_conversation(settings: Settings) -> None:
    async with app_client(settings) as (http, url):
        crew = await team(http, "Crew")
        anna = await advisor(http, "Anna", team_id=crew["id"], capacity_total=2)
        sue = await advisor(http, "Sue", role="supervisor", team_id=crew["id"], status="offline")
        outsider = await advisor(http, "Olaf", team_id=(await team(http, "Far"))["id"])
        held = await routed(http, await post(http, "p1", "1", "Hello"))
        assert held["assignee_id"] == anna["id"]
        async with (
            feed(url, await login(http, anna)) as annas,
            feed(url, await login(http, sue)) as sues,
            feed(url, await login(http, outsider)) as olafs,
        ):
            await annas.socket.send(json.dumps({"type": "viewing", "conversation_id": held["id"]}))
            await olafs.socket.send(json.dumps({"type": "viewing", "conversation_id": held["id"]}))
            await sues.socket.send(json.dumps({"type": "typing", "conversation_id": held["id"]}))

            async def both() -> bool:
                frames = [f for f in annas.frames if f["type"] == "presence"]
                return bool(frames) and len(frames[-1]["people"]) == 2

            for _ in range(100):
                if await both():
                    break
                await asyncio.sleep(0.05)
            people = [f for f in annas.frames if f["type"] == "presence"][-1]["people"]
            assert {p["name"]: p["typing"] for p in people} == {"Anna": False, "Sue": True}
            assert not [f for f in olafs.frames if f["type"] == "presence"]  # may not see it


async def test_a_socket_without_a_valid_token_is_closed(settings: Settings) -> None:
    async with app_client(settings) as (_, url), connect(url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": "forged"}))
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
