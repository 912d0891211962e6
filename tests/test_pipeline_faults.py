"""The pipeline under faults: lost publishes, poison messages, redelivery of handled ones."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from router.intake.outbox import INBOUND_TOPIC, group_body, inbound_body
from router.models import Event, Message
from router.settings import Settings
from router.store import Database
from router.store.types import utcnow
from tests.conftest import admin_client, message_payload, runtime_of, wait_for


async def test_a_stored_message_whose_publish_was_lost_is_swept(client: httpx.AsyncClient) -> None:
    runtime = runtime_of(client)
    async with runtime.db.session() as session:
        message = Message(
            channel="chat",
            external_id="lost-1",
            sender_address="ghost",
            text="Hello, is anyone there?",
            received_at=utcnow() - timedelta(seconds=5),
        )
        session.add(message)
        await session.commit()
        message_id = message.id

    async def processed() -> bool:
        body = (await client.get(f"/v1/messages/{message_id}")).json()
        return body["status"] == "processed" and body["conversation_id"] is not None

    await wait_for(processed, timeout=15)


async def test_redelivered_message_is_handled_once(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/messages", json=message_payload("twice", "t-1", "Hello"))
    message_id = response.json()["id"]

    async def processed() -> bool:
        return (await client.get(f"/v1/messages/{message_id}")).json()["status"] == "processed"

    await wait_for(processed)
    runtime = runtime_of(client)
    worker = runtime.workers[0]
    before = worker.handled
    for _ in range(3):  # as if the broker redelivered it after a crash
        await runtime.broker.publish(INBOUND_TOPIC, inbound_body(message_id))

    async def redeliveries_handled() -> bool:
        return worker.handled >= before + 3

    await wait_for(redeliveries_handled)
    async with runtime_of(client).db.session() as session:
        received = await session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.type == "message.received", Event.message_id == message_id)
        )
    assert received == 1


async def test_poison_messages_go_to_the_dead_letter_queue(client: httpx.AsyncClient) -> None:
    runtime = runtime_of(client)
    await runtime.broker.publish(INBOUND_TOPIC, b"not json at all")
    await runtime.broker.publish(INBOUND_TOPIC, b'{"message_id": "seven"}')

    async def both_dead() -> bool:
        return await runtime.broker.depth(f"{INBOUND_TOPIC}.dead") == 2

    await wait_for(both_dead, timeout=30)
    # The pipeline keeps working afterwards.
    response = await client.post("/v1/messages", json=message_payload("after", "a-1", "Hello"))
    message_id = response.json()["id"]

    async def processed() -> bool:
        return (await client.get(f"/v1/messages/{message_id}")).json()["status"] == "processed"

    await wait_for(processed)


async def test_a_failing_group_is_split_so_only_the_poison_message_is_dead_lettered(
    client: httpx.AsyncClient,
) -> None:
    """Messages stored together travel as one group; when the group fails, its healthy
    messages are still routed and only the poison one (a channel nobody knows, as a bad
    migration or a hand-edited row would leave) fails and goes to the dead-letter queue."""
    runtime = runtime_of(client)
    async with runtime.db.session() as session:
        rows = [
            Message(
                channel=channel,
                external_id=f"group-{n}",
                sender_address=f"group-sender-{n}",
                text="Bonjour, ma commande n'est pas arrivée",
                published_at=utcnow(),  # the sweeper leaves them to this test
            )
            for n, channel in enumerate(["chat", "pigeon", "email"])
        ]
        session.add_all(rows)
        await session.commit()
        healthy, poison = [rows[0].id, rows[2].id], rows[1].id
    assert poison is not None and None not in healthy
    await runtime.broker.publish(INBOUND_TOPIC, group_body([healthy[0], poison, healthy[1]]))

    async def settled() -> bool:
        statuses = {
            m: (await client.get(f"/v1/messages/{m}")).json()["status"] for m in [*healthy, poison]
        }
        return statuses == {healthy[0]: "processed", healthy[1]: "processed", poison: "failed"}

    await wait_for(settled, timeout=60)
    assert await runtime.broker.depth(f"{INBOUND_TOPIC}.dead") == 1


async def test_in_process_broker_requeues_unprocessed_messages_on_start(
    settings: Settings,
) -> None:
    """The memory:// queue dies with its process: what was stored but not processed (even if
    it had been published) is queued again when the service starts."""
    if settings.broker_scheme != "memory":
        pytest.skip("a RabbitMQ queue is durable: published messages survive a restart")
    db = Database(settings.database_url)
    async with db.session() as session:
        message = Message(
            channel="chat",
            external_id="crash-1",
            sender_address="survivor",
            text="Hello, still there?",
            published_at=utcnow(),
        )
        session.add(message)
        await session.commit()
        message_id = message.id
    await db.dispose()
    async with admin_client(settings) as http:

        async def processed() -> bool:
            body = (await http.get(f"/v1/messages/{message_id}")).json()
            return body["status"] == "processed"

        await wait_for(processed)


async def test_accepted_messages_are_marked_published(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/messages", json=message_payload("pub", "p-1", "Hello"))
    message_id = response.json()["id"]

    async def published() -> bool:
        async with runtime_of(client).db.read_session() as session:
            message = await session.get(Message, message_id)
            return message is not None and message.published_at is not None

    await wait_for(published)
