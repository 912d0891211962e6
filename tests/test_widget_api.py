"""What the chat widget needs from the API: its files and demo page, file uploads, leaving a
message to be answered by e-mail, the offer to do so, and the origins allowed to embed it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from router.api.origins import socket_allowed
from router.errors import ConfigurationError
from router.intake import chat_presence
from router.models import Conversation
from router.settings import Settings, load_settings
from router.store.types import utcnow
from tests.conftest import admin_client, runtime_of
from tests.routing_support import routed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


async def _visitor(http: httpx.AsyncClient) -> dict[str, str]:
    session = (await http.post("/v1/chat/sessions")).json()
    return {"Authorization": f"Bearer {session['token']}"}


async def test_the_widget_files_are_cached_and_the_demo_page_needs_demo_mode(
    client: httpx.AsyncClient,
) -> None:
    script = await client.get("/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    assert script.headers["cache-control"] == "public, max-age=300"
    assert "document.currentScript" in script.text and script.text.startswith("(() => {")
    again = await client.get("/widget.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304
    assert (await client.get("/widget.css")).headers["content-type"].startswith("text/css")
    assert (await client.get("/widget-demo")).status_code == 404
    assert (await client.get("/widget-demo.css")).status_code == 404


async def test_the_demo_shop_page_in_demo_mode(settings: Settings) -> None:
    async with admin_client(settings.model_copy(update={"demo": True})) as demo:
        page = await demo.get("/widget-demo")
        assert page.status_code == 200
        assert '<script src="/widget.js"' in page.text and "<script>" not in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_a_visitor_sends_a_file_within_the_limits(client: httpx.AsyncClient) -> None:
    visitor = await _visitor(client)
    sent = await client.post(
        "/v1/chat/files",
        params={"id": "f-1", "filename": "photo.png", "name": "Alice"},
        content=PNG,
        headers={**visitor, "Content-Type": "image/png"},
    )
    assert sent.status_code == 202, sent.text
    message_id = sent.json()["ids"][0]
    [kept] = (await client.get(f"/v1/messages/{message_id}/attachments")).json()
    assert (kept["filename"], kept["content_type"], kept["size"], kept["kept"]) == (
        "photo.png",
        "image/png",
        len(PNG),
        True,
    )
    feed = (await client.get("/v1/chat/messages", headers=visitor)).json()
    assert feed["messages"][0]["attachments"][0]["filename"] == "photo.png"

    html = await client.post(
        "/v1/chat/files",
        params={"id": "f-2", "filename": "page.html"},
        content=b"<script>alert(1)</script>",
        headers={**visitor, "Content-Type": "text/html"},
    )
    assert html.status_code == 422 and html.json()["field"] == "content_type"
    anonymous = await client.post(
        "/v1/chat/files",
        params={"id": "f-3", "filename": "photo.png"},
        content=PNG,
        headers={"Content-Type": "image/png"},
    )
    assert anonymous.status_code == 401


async def test_a_file_above_the_limit_is_refused(settings: Settings) -> None:
    async with admin_client(
        settings.model_copy(update={"webchat_upload_max_bytes": 2048})
    ) as small:
        visitor = await _visitor(small)
        big = await small.post(
            "/v1/chat/files",
            params={"id": "f-4", "filename": "big.png"},
            content=PNG * 20,
            headers={**visitor, "Content-Type": "image/png"},
        )
        assert big.status_code == 413


async def test_a_message_left_for_email_is_answered_by_email_and_never_abandoned(
    settings: Settings,
) -> None:
    with_mail = settings.model_copy(update={"email_from_address": "support@shop.example"})
    async with admin_client(with_mail) as http:
        visitor = await _visitor(http)
        body: dict[str, Any] = {"id": "l-1", "text": "Call me back", "reply_by": "email"}
        missing = await http.post("/v1/chat/messages", json=body, headers=visitor)
        assert missing.status_code == 422
        body |= {"email": "jules@example.com", "name": "Jules"}
        left = await http.post("/v1/chat/messages", json=body, headers=visitor)
        assert left.status_code == 202, left.text
        conversation = await routed(http, left.json()["ids"][0])
        assert conversation["status"] == "waiting"

        rt = runtime_of(http)
        gone_at = utcnow() - timedelta(hours=1)
        async with rt.db.session() as session:
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation["id"])  # type: ignore[arg-type]
                .values(visitor_left_at=gone_at)
            )
            await session.commit()
        assert await chat_presence.abandon_departed(rt.db, rt.settings) == 0
        still = (await http.get(f"/v1/conversations/{conversation['id']}")).json()
        assert still["status"] == "waiting"

        reply = await http.post(
            f"/v1/conversations/{conversation['id']}/replies", json={"text": "Bonjour Jules"}
        )
        assert reply.status_code == 202, reply.text
        assert (reply.json()["channel"], reply.json()["recipient"]) == (
            "email",
            "jules@example.com",
        )


async def test_a_long_wait_offers_to_leave_a_message(client: httpx.AsyncClient) -> None:
    visitor = await _visitor(client)
    sent = await client.post(
        "/v1/chat/messages", json={"id": "w-1", "text": "Anyone?"}, headers=visitor
    )
    conversation = await routed(client, sent.json()["ids"][0])
    fresh = (await client.get("/v1/chat/queue", headers=visitor)).json()
    assert fresh["position"] == 1 and fresh["leave_message"] is None
    async with runtime_of(client).db.session() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation["id"])  # type: ignore[arg-type]
            .values(waiting_since=utcnow() - timedelta(minutes=5))
        )
        await session.commit()
    late = (await client.get("/v1/chat/queue", headers=visitor)).json()
    assert late["leave_message"] == "long_wait"


async def test_only_listed_origins_may_call_the_visitor_routes(settings: Settings) -> None:
    shop = "https://shop.example"
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    listed = settings.model_copy(update={"webchat_allowed_origins": shop})
    async with admin_client(listed) as http:
        allowed = await http.options("/v1/chat/messages", headers={"Origin": shop, **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == shop
        assert "access-control-allow-credentials" not in allowed.headers
        foreign = {"Origin": "https://evil.example", **preflight}
        assert (await http.options("/v1/chat/messages", headers=foreign)).status_code == 400
        staff = await http.get("/v1/conversations", headers={"Origin": shop})
        assert "access-control-allow-origin" not in staff.headers
        session = await http.post("/v1/chat/sessions", headers={"Origin": shop})
        assert session.headers["access-control-allow-origin"] == shop


def test_the_chat_socket_opens_from_this_service_or_a_listed_origin() -> None:
    own = load_settings(public_url="https://chat.example")
    host = {"host": "chat.example"}
    assert socket_allowed({}, own)  # no Origin: not a browser, the token decides
    assert socket_allowed({**host, "origin": "https://chat.example"}, own)
    assert not socket_allowed({**host, "origin": "https://shop.example"}, own)
    listed = load_settings(webchat_allowed_origins="https://shop.example/")
    assert socket_allowed({**host, "origin": "https://shop.example"}, listed)
    assert not socket_allowed({**host, "origin": "https://evil.example"}, listed)
    anyone = load_settings(webchat_allowed_origins="*")
    assert socket_allowed({**host, "origin": "https://evil.example"}, anyone)
    with pytest.raises(ConfigurationError, match="WEBCHAT_ALLOWED_ORIGINS"):
        load_settings(webchat_allowed_origins="https://shop.example/path")
