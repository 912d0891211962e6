"""The web chat widget: REST and a WebSocket through uvicorn, live replies, resume."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from router.intake import chat_presence
from router.models import Conversation, Message
from router.security.staff import create_admin
from router.settings import Settings
from router.store import Database
from router.store.types import utcnow
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, bearer, runtime_of, wait_for
from tests.live.support import processed, reply_status, runtime_of_app, served


async def _session(http: httpx.AsyncClient, authorization: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": authorization} if authorization else {}
    response = await http.post("/v1/chat/sessions", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_rest_send_poll_and_resume(live: httpx.AsyncClient) -> None:
    session = await _session(live)
    visitor = {"Authorization": f"Bearer {session['token']}"}
    message = {"id": "c-1", "text": "Bonjour, je n'arrive pas à payer.", "name": "Inès"}
    first = await live.post("/v1/chat/messages", json=message, headers=visitor)
    again = await live.post("/v1/chat/messages", json=message, headers=visitor)
    assert first.status_code == again.status_code == 202
    assert again.json()["duplicates"] == 1 and again.json()["ids"] == first.json()["ids"]
    forged = await live.post(
        "/v1/chat/messages", json=message, headers={"Authorization": "Bearer nope"}
    )
    assert forged.status_code == 401 and forged.json()["code"] == "invalid_visitor_token"
    renewed = await _session(live, visitor["Authorization"])
    assert renewed["visitor_id"] == session["visitor_id"]  # a returning visitor keeps their id

    stored = await processed(live, first.json()["ids"][0])
    reply = await live.post(
        f"/v1/conversations/{stored.conversation_id}/replies", json={"text": "Je regarde."}
    )
    assert reply.json()["channel"] == "chat"
    await reply_status(live, reply.json()["id"], "sent", "delivered")
    feed = (await live.get("/v1/chat/messages", headers=visitor)).json()
    assert [(m["author"], m["text"]) for m in feed["messages"]] == [
        ("visitor", "Bonjour, je n'arrive pas à payer."),
        ("agent", "Je regarde."),
    ]
    assert feed["messages"][0]["id"] == "c-1"
    resumed = await live.get("/v1/chat/messages", params={"after": feed["after"]}, headers=visitor)
    assert resumed.json() == {"messages": [], "after": feed["after"]}
    delivered = (await live.get(f"/v1/messages/{reply.json()['id']}")).json()
    assert delivered["status"] == "delivered"


async def _frame(
    socket: ClientConnection, kind: str = "message", timeout: float = 15
) -> dict[str, Any]:
    """The next frame of this kind (others, e.g. queue updates, are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            frame: dict[str, Any] = json.loads(await socket.recv())
            if frame["type"] == kind:
                return frame


async def test_invalid_chat_messages_are_422_naming_the_field(live: httpx.AsyncClient) -> None:
    session = await _session(live)
    visitor = {"Authorization": f"Bearer {session['token']}"}
    invalid = await live.post(
        "/v1/chat/messages", json={"id": "c-1", "text": "x", "email": "nope"}, headers=visitor
    )
    assert invalid.status_code == 422, invalid.text
    assert invalid.json()["code"] == "invalid_request" and invalid.json()["field"] == "email"
    malformed = await live.post("/v1/chat/messages", content=b"not json", headers=visitor)
    assert malformed.status_code == 400 and malformed.json()["code"] == "malformed_payload"


async def test_websocket_live_replies_and_resume_without_loss_or_duplicates(
    live_settings: Settings,
) -> None:
    async with served(live_settings) as (url, app), httpx.AsyncClient(base_url=url) as http:
        await create_admin(runtime_of_app(app).db, ADMIN_EMAIL, "Admin", ADMIN_PASSWORD)
        staff = {"Authorization": await bearer(http, ADMIN_EMAIL, ADMIN_PASSWORD)}
        session = await _session(http)
        ws_url = url.replace("http", "ws") + f"/v1/chat/ws?token={session['token']}"

        async with connect(ws_url) as socket:
            await socket.send(json.dumps({"type": "message", "id": "w-1", "text": "Allô ?"}))
            ack = await _frame(socket, "ack")
            assert (ack["id"], ack["duplicate"]) == ("w-1", False)
            mine = await _frame(socket)
            assert (mine["seq"], mine["author"]) == (ack["seq"], "visitor")
            await socket.send(json.dumps({"type": "ping"}))
            assert (await _frame(socket, "pong"))["type"] == "pong"
            await socket.send("not json")
            assert (await _frame(socket, "error"))["code"] == "malformed_frame"

            conversation_id = await _conversation_of(http, staff, ack["seq"])
            standing = await _frame(socket, "queue")  # nobody on duty: it waits, first
            assert (standing["position"], standing["ahead"]) == (1, 0)
            assert standing["estimated_wait_seconds"] is None
            first = await http.post(
                f"/v1/conversations/{conversation_id}/replies",
                json={"text": "Oui, je suis là."},
                headers=staff,
            )
            pushed = await _frame(socket)  # pushed live, no polling by the widget
            assert (pushed["author"], pushed["text"]) == ("agent", "Oui, je suis là.")
            last_seen = pushed["seq"]
        await reply_status_http(http, staff, first.json()["id"], "delivered")

        # Disconnected: two replies are sent meanwhile; the widget resumes from last_seen.
        for text in ("Vous êtes toujours là ?", "Je reste disponible."):
            queued = await http.post(
                f"/v1/conversations/{conversation_id}/replies", json={"text": text}, headers=staff
            )
            await reply_status_http(http, staff, queued.json()["id"], "sent")
        async with connect(f"{ws_url}&after={last_seen}") as socket:
            missed = [await _frame(socket), await _frame(socket)]
            assert [m["text"] for m in missed] == [
                "Vous êtes toujours là ?",
                "Je reste disponible.",
            ]
            assert missed[0]["seq"] > last_seen
            with pytest.raises(TimeoutError):  # nothing twice
                await _frame(socket, "message", timeout=0.6)

        with pytest.raises((InvalidStatus, ConnectionClosedError)):
            async with connect(url.replace("http", "ws") + "/v1/chat/ws?token=forged") as bad:
                await bad.recv()


async def _conversation_of(http: httpx.AsyncClient, staff: dict[str, str], message_id: int) -> int:
    for _ in range(300):
        message = (await http.get(f"/v1/messages/{message_id}", headers=staff)).json()
        if message["conversation_id"]:
            return int(message["conversation_id"])
        await asyncio.sleep(0.05)
    raise AssertionError("the visitor's message was not routed")


async def reply_status_http(
    http: httpx.AsyncClient, staff: dict[str, str], message_id: int, state: str
) -> None:
    for _ in range(300):
        message = (await http.get(f"/v1/messages/{message_id}", headers=staff)).json()
        if message["status"] == state:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"reply {message_id} never reached {state}")


async def test_replies_sent_by_another_process_wake_the_visitor_socket(
    live: httpx.AsyncClient,
) -> None:
    """A separate worker (RabbitMQ) sends the reply: this process's poller finds it."""
    session = await _session(live)
    visitor = {"Authorization": f"Bearer {session['token']}"}
    posted = await live.post("/v1/chat/messages", json={"id": "p-1", "text": "Hi"}, headers=visitor)
    stored = await processed(live, posted.json()["ids"][0])
    hub = runtime_of(live).chat_hub
    with hub.subscribe(session["visitor_id"]) as woken:
        reply = await live.post(
            f"/v1/conversations/{stored.conversation_id}/replies", json={"text": "Hello"}
        )
        await reply_status(live, reply.json()["id"], "sent")
        woken.clear()  # forget this process's own wake-up: only the poller may set it now
        async with runtime_of(live).db.session() as db_session:
            await db_session.execute(
                update(Message).where(Message.id == reply.json()["id"]).values(sent_at=utcnow())  # type: ignore[arg-type]
            )
            await db_session.commit()
        await asyncio.wait_for(woken.wait(), timeout=5)


# --- a visitor who leaves a waiting chat -------------------------------------------------


async def _left_at(db: Database, conversation_id: int) -> datetime | None:
    async with db.read_session() as session:
        found = await session.get(Conversation, conversation_id)
        assert found is not None
        return found.visitor_left_at


async def _waiting_chat(
    http: httpx.AsyncClient, staff: dict[str, str], ws_url: str, message_id: str
) -> int:
    """A visitor writes over the socket, nobody takes it, the visitor closes the socket:
    their conversation's id."""
    async with connect(ws_url) as socket:
        await socket.send(json.dumps({"type": "message", "id": message_id, "text": "Allô ?"}))
        ack = await _frame(socket, "ack")
        conversation_id = await _conversation_of(http, staff, ack["seq"])
        opened = await http.get(f"/v1/conversations/{conversation_id}", headers=staff)
        assert opened.json()["status"] == "waiting"  # no advisor on duty
    return conversation_id


async def test_a_visitor_who_leaves_a_waiting_chat_abandons_it(live_settings: Settings) -> None:
    async with served(live_settings) as (url, app), httpx.AsyncClient(base_url=url) as http:
        rt = runtime_of_app(app)
        await create_admin(rt.db, ADMIN_EMAIL, "Admin", ADMIN_PASSWORD)
        staff = {"Authorization": await bearer(http, ADMIN_EMAIL, ADMIN_PASSWORD)}
        session = await _session(http)
        ws_url = url.replace("http", "ws") + f"/v1/chat/ws?token={session['token']}"
        conversation_id = await _waiting_chat(http, staff, ws_url, "l-1")
        left = await wait_for(lambda: _left_at(rt.db, conversation_id))

        grace = timedelta(seconds=rt.settings.webchat_abandon_grace_seconds)
        early = left + grace - timedelta(seconds=1)
        assert await chat_presence.abandon_departed(rt.db, rt.settings, early) == 0
        late = left + grace + timedelta(seconds=1)
        assert await chat_presence.abandon_departed(rt.db, rt.settings, late) == 1
        gone = (await http.get(f"/v1/conversations/{conversation_id}", headers=staff)).json()
        assert (gone["status"], gone["status_reason"]) == ("resolved", "abandoned")
        async with rt.db.read_session() as db_session:
            row = await db_session.get(Conversation, conversation_id)
            assert row is not None and row.abandoned_at == late
        events = (
            await http.get(f"/v1/conversations/{conversation_id}/events", headers=staff)
        ).json()
        [abandoned] = [e for e in events if e["type"] == "conversation.abandoned"]
        assert abandoned["data"]["waited_seconds"] >= grace.total_seconds()
        assert abandoned["data"]["channel"] == "chat"


async def test_a_visitor_who_writes_or_comes_back_has_not_left(live_settings: Settings) -> None:
    async with served(live_settings) as (url, app), httpx.AsyncClient(base_url=url) as http:
        rt = runtime_of_app(app)
        await create_admin(rt.db, ADMIN_EMAIL, "Admin", ADMIN_PASSWORD)
        staff = {"Authorization": await bearer(http, ADMIN_EMAIL, ADMIN_PASSWORD)}
        session = await _session(http)
        visitor = {"Authorization": f"Bearer {session['token']}"}
        ws_url = url.replace("http", "ws") + f"/v1/chat/ws?token={session['token']}"
        conversation_id = await _waiting_chat(http, staff, ws_url, "b-1")
        await wait_for(lambda: _left_at(rt.db, conversation_id))
        much_later = utcnow() + timedelta(hours=1)

        # Writing again, even without a socket, says they are there.
        posted = await http.post(
            "/v1/chat/messages", json={"id": "b-2", "text": "Toujours là"}, headers=visitor
        )
        assert await _conversation_of(http, staff, posted.json()["ids"][0]) == conversation_id
        assert await chat_presence.abandon_departed(rt.db, rt.settings, much_later) == 0
        assert await _left_at(rt.db, conversation_id) is not None

        async with connect(ws_url) as socket:  # back: the mark goes
            await socket.send(json.dumps({"type": "ping"}))
            await _frame(socket, "pong")
            assert await wait_for(lambda: _cleared(rt.db, conversation_id))
            assert await chat_presence.abandon_departed(rt.db, rt.settings, much_later) == 0
        still = (await http.get(f"/v1/conversations/{conversation_id}", headers=staff)).json()
        assert still["status"] == "waiting"


async def _cleared(db: Database, conversation_id: int) -> bool:
    return await _left_at(db, conversation_id) is None
