"""GDPR: export, erasure and the retention purge, on both backends."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update
from typer.testing import CliRunner

from router.cli.main import app as cli
from router.customers.privacy import purge_closed
from router.models import Conversation
from router.settings import Settings
from router.store.types import utcnow
from tests.conftest import message_payload, runtime_of, wait_for

EMAIL = "jeanne.client@example.fr"


async def _conversation_of(client: httpx.AsyncClient, message_id: int) -> dict[str, Any]:
    async def ready() -> dict[str, Any] | None:
        message = (await client.get(f"/v1/messages/{message_id}")).json()
        if message["status"] != "processed":
            return None
        response = await client.get(f"/v1/conversations/{message['conversation_id']}")
        return dict(response.json())

    return dict(await wait_for(ready))


async def _customer_with_history(client: httpx.AsyncClient) -> dict[str, Any]:
    sender = {"id": EMAIL, "name": "Jeanne Client", "email": EMAIL}
    payload = message_payload(EMAIL, "gdpr-1", "Ma commande CMD-4411 n'est pas arrivée", "email")
    posted = await client.post("/v1/messages", json={**payload, "sender": sender})
    assert posted.status_code == 202, posted.text
    return await _conversation_of(client, posted.json()["id"])


async def test_export_then_erase_a_customer(demo: Settings, client: httpx.AsyncClient) -> None:
    conversation = await _customer_with_history(client)
    customer_id = conversation["customer_id"]
    export = (await client.get(f"/v1/customers/{customer_id}/export")).json()
    assert export["customer"]["email"] == EMAIL
    assert [i["address"] for i in export["identities"]] == [EMAIL]
    assert export["messages"][0]["text"].startswith("Ma commande")
    assert export["conversations"][0]["id"] == conversation["id"]
    assert export["events"], "the timeline is part of the export"
    assert {"originals", "attachments", "receipts"} <= set(export)

    refused = await client.post(f"/v1/customers/{customer_id}/erase")
    assert refused.status_code == 409 and "open conversation" in refused.json()["detail"]
    assert (await client.post(f"/v1/conversations/{conversation['id']}/resolve")).is_success
    erased = await client.post(f"/v1/customers/{customer_id}/erase")
    assert erased.status_code == 200, erased.text
    assert erased.json()["messages_redacted"] == 1 and erased.json()["identities_deleted"] == 1

    after = (await client.get(f"/v1/customers/{customer_id}/export")).json()
    assert EMAIL not in str(after) and "Jeanne" not in str(after) and "CMD-4411" not in str(after)
    assert after["identities"] == []
    assert after["conversations"][0]["intent"] == conversation["intent"]  # aggregates kept
    assert [m["text"] for m in after["messages"]] == ["[erased]"]
    audit = (await client.get("/v1/audit")).json()
    entry = next(e for e in audit if e["action"] == "customer.erased")
    assert entry["target"] == f"customer/{customer_id}" and EMAIL not in str(entry)
    # The same person writing again is a new customer: nothing links back to the erased one.
    again = await client.post(
        "/v1/messages", json=message_payload(EMAIL, "gdpr-2", "Bonjour, c'est encore moi", "email")
    )
    assert (await _conversation_of(client, again.json()["id"]))["customer_id"] != customer_id


async def test_erasing_an_unknown_customer_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/customers/987654/erase")).status_code == 404
    assert (await client.get("/v1/customers/987654/export")).status_code == 404


async def test_retention_purge_dry_run_then_apply(
    demo: Settings, client: httpx.AsyncClient
) -> None:
    conversation = await _customer_with_history(client)
    assert (await client.post(f"/v1/conversations/{conversation['id']}/resolve")).is_success
    db = runtime_of(client).db
    async with db.session() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation["id"])  # type: ignore[arg-type]
            .values(resolved_at=utcnow() - timedelta(days=100))
        )
        await session.commit()
    assert (await purge_closed(db, 365, apply=False)).conversations == 0
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["purge", "--older-than-days", "90"],
        env={"AIGUILLAGE_DATABASE_URL": demo.database_url},
    )
    assert result.exit_code == 0, result.output
    assert "would purge (dry run; add --apply): 1 conversations" in result.output
    assert (await client.get(f"/v1/conversations/{conversation['id']}")).status_code == 200
    plan = await purge_closed(db, 90, apply=True)
    assert plan.conversations == 1 and plan.messages == 1
    assert (await client.get(f"/v1/conversations/{conversation['id']}")).status_code == 404
