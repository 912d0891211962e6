"""The classifier in service: messages read on the way in, versions, corrections, retraining."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, update
from sqlmodel import select
from typer.testing import CliRunner

from router.classify.errors import ArtifactRejected
from router.cli.main import app as cli
from router.models import ClassifierModel
from router.pipeline import classifier
from router.settings import Settings
from tests.conftest import message_payload, runtime_of, wait_for


async def _processed(client: httpx.AsyncClient, message_id: int) -> dict[str, Any]:
    async def ready() -> dict[str, Any] | None:
        message = dict((await client.get(f"/v1/messages/{message_id}")).json())
        return message if message["status"] == "processed" else None

    return dict(await wait_for(ready))


async def test_every_customer_message_is_read_on_the_way_in(
    demo: Settings, client: httpx.AsyncClient
) -> None:
    text = "J'ai été débité deux fois pour ma facture de novembre, remboursez-moi"
    posted = await client.post("/v1/messages", json=message_payload("cl-1", "cl-1", text))
    message = await _processed(client, posted.json()["id"])
    read = message["classification"]
    assert read["language"] == "fr" and read["intent"] == "billing"
    assert read["model_version"] and 0 <= read["emotion_intensity"] <= 1
    conversation = (await client.get(f"/v1/conversations/{message['conversation_id']}")).json()
    assert conversation["intent"] == "billing" and conversation["language"] == "fr"


async def test_integrator_hints_win_over_the_classifier(
    demo: Settings, client: httpx.AsyncClient
) -> None:
    payload = message_payload("cl-2", "cl-2", "my invoice is wrong", metadata={"intent": "vip"})
    message = await _processed(
        client, (await client.post("/v1/messages", json=payload)).json()["id"]
    )
    conversation = (await client.get(f"/v1/conversations/{message['conversation_id']}")).json()
    assert conversation["intent"] == "vip"
    assert message["classification"]["intent"] == "billing"  # what it read is kept anyway


async def _answered_then(
    client: httpx.AsyncClient, conversation_id: int, sender: str, ext: str, text: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Resolve the conversation, then the customer writes again (it reopens)."""
    resolved = await client.post(
        f"/v1/conversations/{conversation_id}/status",
        json={"status": "resolved", "reason": "answered"},
    )
    assert resolved.status_code == 200, resolved.text
    posted = await client.post("/v1/messages", json=message_payload(sender, ext, text))
    message = await _processed(client, posted.json()["id"])
    assert message["conversation_id"] == conversation_id  # reopened, not a new one
    conversation = (await client.get(f"/v1/conversations/{conversation_id}")).json()
    return message, conversation


async def test_a_follow_up_read_as_unknown_keeps_the_known_intent(
    demo: Settings, client: httpx.AsyncClient
) -> None:
    text = "J'ai été débité deux fois pour ma facture de novembre, remboursez-moi"
    posted = await client.post("/v1/messages", json=message_payload("cl-k", "cl-k1", text))
    first = await _processed(client, posted.json()["id"])
    cid = first["conversation_id"]
    assert (await client.get(f"/v1/conversations/{cid}")).json()["intent"] == "billing"

    message, conversation = await _answered_then(client, cid, "cl-k", "cl-k2", "🙂🙂🙂")
    assert message["classification"]["intent"] == "unknown"
    assert conversation["intent"] == "billing"
    card = (await client.get(f"/v1/conversations/{cid}/context")).json()
    current = [c for c in card["conversations"] if c["current"]]
    assert [c["intent"] for c in current] == ["billing"]

    # A confident new reading does replace it.
    text = "Mon colis n'est toujours pas livré, où en est ma commande ? Le suivi ne bouge plus"
    message, conversation = await _answered_then(client, cid, "cl-k", "cl-k3", text)
    read = message["classification"]["intent"]
    assert read not in ("unknown", "billing")
    assert conversation["intent"] == read


@pytest.mark.parametrize(
    ("text", "reason"), [("", "empty"), ("🙂🙂🙂", "no words"), ("x" * 100_000, None)]
)
async def test_classify_never_fails(
    client: httpx.AsyncClient, text: str, reason: str | None
) -> None:
    response = await client.post("/v1/classify", json={"text": text})
    assert response.status_code == 200, response.text
    body = response.json()
    if reason is not None:
        assert body["intent"] == "unknown" and any(reason in r for r in body["reasons"])


async def test_corrections_retraining_promotion_and_rollback(
    demo: Settings, client: httpx.AsyncClient
) -> None:
    posted = await client.post(
        "/v1/messages", json=message_payload("cl-3", "cl-3", "Can someone call me back tomorrow?")
    )
    message_id = (await _processed(client, posted.json()["id"]))["id"]
    bad = await client.post(f"/v1/messages/{message_id}/corrections", json={"intent": "nope"})
    assert bad.status_code == 422 and bad.json()["field"] == "intent"
    empty = await client.post(f"/v1/messages/{message_id}/corrections", json={})
    assert empty.status_code == 422
    fixed = await client.post(
        f"/v1/messages/{message_id}/corrections",
        json={"intent": "appointment_callback", "emotion": "anxiety", "emotion_intensity": 0.6},
    )
    assert fixed.status_code == 201, fixed.text
    db = runtime_of(client).db
    assert [e.intent for e in await classifier.correction_examples(db)] == ["appointment_callback"]

    first = (await client.get("/v1/classifier/models")).json()
    assert [m["active"] for m in first] == [True]
    report = await classifier.train_candidate(db, include_corrections=True)
    assert report.corrections == 1 and report.verdict.reason
    models = (await client.get("/v1/classifier/models")).json()
    assert len(models) == 2 and models[0]["source"] == "shipped+corrections"
    assert models[0]["active"] is report.verdict.promote
    assert models[0]["metrics"]["intent"]["per_class"], "per-class figures are recorded"
    if not models[0]["active"]:
        promoted = await client.post(f"/v1/classifier/models/{models[0]['version']}/promote")
        assert promoted.status_code == 200
    again = await client.post(f"/v1/classifier/models/{models[0]['version']}/promote")
    assert again.status_code == 409
    rolled = await client.post("/v1/classifier/rollback")
    assert rolled.status_code == 200 and rolled.json()["version"] == first[0]["version"]
    unknown = await client.post("/v1/classifier/models/nope/promote")
    assert unknown.status_code == 404


async def _set_payload(client: httpx.AsyncClient, payload: bytes) -> None:
    async with runtime_of(client).db.session() as session:
        await session.execute(
            update(ClassifierModel)
            .where(ClassifierModel.active)  # type: ignore[arg-type]
            .values(payload=payload)
        )
        await session.commit()


async def test_a_tampered_model_is_refused(client: httpx.AsyncClient) -> None:
    db = runtime_of(client).db
    async with db.read_session() as session:
        row = (await session.scalars(select(ClassifierModel).where(ClassifierModel.active))).one()  # type: ignore[arg-type]
    original = bytes(row.payload)
    await _set_payload(client, b"\x00" + original[1:])
    try:
        with pytest.raises(ArtifactRejected):
            await classifier.active_artifact(db)
    finally:  # the PostgreSQL test database is shared by the session's tests
        await _set_payload(client, original)


async def test_first_start_trains_a_model_and_the_cli_lists_it(settings: Settings) -> None:
    from router.store import Database

    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            await session.execute(delete(ClassifierModel))
            await session.commit()
        await classifier.ensure_model(db)
        models = await classifier.list_models(db)
        assert len(models) == 1 and models[0].active and models[0].source == "shipped"
    finally:
        await db.dispose()
    env = {"AIGUILLAGE_DATABASE_URL": settings.database_url}
    listed = await asyncio.to_thread(CliRunner().invoke, cli, ["classifier", "list"], env=env)
    assert listed.exit_code == 0 and models[0].version in listed.output
