"""Helpers shared by the routing-engine tests (offers, transfer, care, waiting order)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import update

from router.models import Conversation
from tests.conftest import bearer, message_payload, runtime_of, wait_for

PASSWORD = "a long enough password"


async def post(http: httpx.AsyncClient, sender: str, ext: str, text: str, **extra: Any) -> int:
    response = await http.post(
        "/v1/messages", json=message_payload(sender, f"{sender}-{ext}", text, **extra)
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


async def routed(http: httpx.AsyncClient, message_id: int) -> dict[str, Any]:
    """The conversation of a message once the pipeline has handled it."""

    async def ready() -> dict[str, Any] | None:
        message = (await http.get(f"/v1/messages/{message_id}")).json()
        if message.get("status") != "processed" or not message["conversation_id"]:
            return None
        return dict((await http.get(f"/v1/conversations/{message['conversation_id']}")).json())

    result: dict[str, Any] = await wait_for(ready)
    return result


async def conversation(http: httpx.AsyncClient, conversation_id: int) -> dict[str, Any]:
    response = await http.get(f"/v1/conversations/{conversation_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def timeline(http: httpx.AsyncClient, conversation_id: int) -> list[dict[str, Any]]:
    return list((await http.get(f"/v1/conversations/{conversation_id}/events")).json())


async def advisor(http: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "email": f"{name.lower()}@example.com",
        "languages": ["en", "fr"],
        "status": "available",
        "capacity_total": 1,
        **fields,
    }
    response = await http.post("/v1/advisors", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def team(http: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    response = await http.post("/v1/teams", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def login(http: httpx.AsyncClient, person: dict[str, Any]) -> dict[str, str]:
    """Give a staff member a password and log them in: their Authorization header."""
    response = await http.put(f"/v1/auth/password/{person['id']}", json={"new_password": PASSWORD})
    assert response.status_code == 204, response.text
    return {"Authorization": await bearer(http, person["email"], PASSWORD)}


async def set_rows(http: httpx.AsyncClient, conversation_id: int, **values: Any) -> None:
    """Move a conversation's clock-related columns (as if time had passed)."""
    async with runtime_of(http).db.session() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(**values)  # type: ignore[arg-type]
        )
        await session.commit()


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)
