"""The waiting room: escalation steps relax requirements, and waiting work is retried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from router.settings import Settings
from tests.conftest import admin_client, message_payload, wait_for


@pytest.fixture
async def lively(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the waiting room's round every 0.2 s."""
    async with admin_client(
        settings.model_copy(update={"escalation_interval_seconds": 0.2})
    ) as http:
        yield http


async def _conversation(http: httpx.AsyncClient, message_id: int) -> dict[str, Any]:
    async def ready() -> dict[str, Any] | None:
        body = (await http.get(f"/v1/messages/{message_id}")).json()
        if not body["conversation_id"]:
            return None
        return dict((await http.get(f"/v1/conversations/{body['conversation_id']}")).json())

    result: dict[str, Any] = await wait_for(ready)
    return result


async def _billing_advisor(http: httpx.AsyncClient, name: str, status: str) -> httpx.Response:
    """An English-speaking advisor with billing at level 2 (the skill is created first)."""
    assert (await http.post("/v1/skills", json={"name": "billing"})).status_code == 201
    return await http.post(
        "/v1/advisors",
        json={
            "name": name,
            "email": f"{name.lower()}@example.com",
            "languages": ["en"],
            "status": status,
            "skills": {"billing": 2},
        },
    )


async def _billing_rule_relaxed_after_one_second(http: httpx.AsyncClient) -> httpx.Response:
    """Invoices need billing level 4, then level 2 once they have waited a second."""
    return await http.post(
        "/v1/rules",
        json={
            "name": "Billing experts",
            "conditions": {"keywords": ["invoice"]},
            "required_skills": {"billing": 4},
            "escalation": [{"after_seconds": 1, "required_skills": {"billing": 2}}],
        },
    )


async def test_a_waiting_conversation_is_escalated_then_assigned(
    lively: httpx.AsyncClient,
) -> None:
    junior = await _billing_advisor(lively, "Junior", "available")
    rule = await _billing_rule_relaxed_after_one_second(lively)
    assert rule.status_code == 201, rule.text
    assert rule.json()["escalation"][0]["after_seconds"] == 1
    posted = await lively.post(
        "/v1/messages", json=message_payload("late", "l-1", "Hello, my invoice is wrong")
    )
    conversation = await _conversation(lively, posted.json()["id"])
    assert conversation["status"] == "waiting"
    assert conversation["requirements"]["skills"] == {"billing": 4}

    async def assigned() -> dict[str, Any] | None:
        body = (await lively.get(f"/v1/conversations/{conversation['id']}")).json()
        return body if body["status"] == "assigned" else None

    done = await wait_for(assigned, timeout=15)
    assert done["assignee_id"] == junior.json()["id"]
    assert done["requirements"]["skills"] == {"billing": 2}
    timeline = (await lively.get(f"/v1/conversations/{conversation['id']}/events")).json()
    escalated = [e for e in timeline if e["type"] == "conversation.escalated"]
    assert len(escalated) == 1 and escalated[0]["data"]["step"] == 1


async def test_waiting_work_is_retried_when_capacity_appears_without_a_push(
    lively: httpx.AsyncClient, settings: Settings
) -> None:
    """Capacity that appears without an event (an advisor edited in the database) is still
    found by the next round."""
    from sqlalchemy import update

    from router.models import Advisor
    from router.store import Database

    advisor = await lively.post(
        "/v1/advisors",
        json={"name": "Back", "email": "back@example.com", "languages": ["en"], "status": "away"},
    )
    posted = await lively.post(
        "/v1/messages", json=message_payload("patient", "p-1", "Hello, anyone there?")
    )
    conversation = await _conversation(lively, posted.json()["id"])
    assert conversation["status"] == "waiting"
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            await session.execute(update(Advisor).values(status="available"))
            await session.commit()
    finally:
        await db.dispose()

    async def assigned() -> bool:
        body = (await lively.get(f"/v1/conversations/{conversation['id']}")).json()
        return bool(body["assignee_id"] == advisor.json()["id"])

    await wait_for(assigned, timeout=15)


async def test_escalation_steps_apply_while_nobody_has_room(lively: httpx.AsyncClient) -> None:
    """With every advisor away the round locks only the conversations whose step is due
    (not its whole page), and still relaxes their requirements on time."""
    away = await _billing_advisor(lively, "Away", "away")
    assert away.status_code == 201, away.text
    rule = await _billing_rule_relaxed_after_one_second(lively)
    assert rule.status_code == 201, rule.text
    due = await _conversation(
        lively,
        (
            await lively.post(
                "/v1/messages", json=message_payload("due", "d-1", "Hello, my invoice is wrong")
            )
        ).json()["id"],
    )
    calm = await _conversation(
        lively,
        (
            await lively.post("/v1/messages", json=message_payload("calm", "c-1", "Hello there"))
        ).json()["id"],
    )

    async def escalated() -> dict[str, Any] | None:
        body = (await lively.get(f"/v1/conversations/{due['id']}")).json()
        return body if body["requirements"]["skills"] == {"billing": 2} else None

    done = await wait_for(escalated, timeout=15)
    assert done["status"] == "waiting" and done["assignee_id"] is None
    timeline = (await lively.get(f"/v1/conversations/{due['id']}/events")).json()
    assert [e["data"]["step"] for e in timeline if e["type"] == "conversation.escalated"] == [1]
    untouched = (await lively.get(f"/v1/conversations/{calm['id']}")).json()
    assert untouched["requirements"] == calm["requirements"]
    assert untouched["status"] == "waiting"
