"""The broker contract (router/broker/base.py), run on the memory broker and on RabbitMQ.

Every case uses the topic ``jobs`` under a per-test prefix, so RabbitMQ runs never share
queues and the teardown knows exactly what to delete.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from uuid import uuid4

import aio_pika
import pytest

from router.broker import Broker, Delivery, open_broker
from router.errors import BrokerUnavailable, ConfigurationError, DeliveryAlreadySettled
from tests.services import TEST_BROKER_URL, require

TOPIC = "jobs"
DEAD = "jobs.dead"
LIMIT = 3
WAIT = 10.0  # upper bound for anything to arrive; tests finish as soon as it does


@dataclass
class Env:
    """A connected broker plus what is needed to reopen it."""

    kind: str
    prefix: str
    broker: Broker


@dataclass
class Inbox:
    """A handler that records deliveries and settles them as ``settle`` says."""

    settle: Callable[[Delivery], Awaitable[None]] | None = None
    received: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)

    async def __call__(self, delivery: Delivery) -> None:
        self.received.put_nowait(delivery)
        if self.settle is None:
            await delivery.ack()
        else:
            await self.settle(delivery)

    async def next(self) -> Delivery:
        return await asyncio.wait_for(self.received.get(), WAIT)


def _url(kind: str) -> str:
    return "memory://" if kind == "memory" else TEST_BROKER_URL


async def _delete_topology(prefix: str) -> None:
    """Leave nothing behind on the shared server."""
    connection = await aio_pika.connect(TEST_BROKER_URL)
    async with connection:
        channel = await connection.channel()
        for queue in (f"{prefix}.{TOPIC}", f"{prefix}.{DEAD}"):
            await channel.queue_delete(queue)
        await channel.exchange_delete(f"{prefix}.dlx")


@pytest.fixture(params=["memory", "rabbitmq"])
async def env(request: pytest.FixtureRequest) -> AsyncIterator[Env]:
    kind: str = request.param
    if kind == "rabbitmq":
        require("rabbitmq")
    prefix = f"test-{uuid4().hex[:8]}"
    broker = open_broker(_url(kind), prefix=prefix, delivery_limit=LIMIT)
    await broker.connect()
    try:
        yield Env(kind, prefix, broker)
    finally:
        await broker.close()
        if kind == "rabbitmq":
            await _delete_topology(prefix)


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll ``check`` until it holds; fail after WAIT seconds."""
    async with asyncio.timeout(WAIT):
        while not await check():
            await asyncio.sleep(0.02)


async def depth_is(broker: Broker, topic: str, expected: int) -> None:
    async def check() -> bool:
        return await broker.depth(topic) == expected

    await eventually(check)


def test_unknown_scheme_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="redis"):
        open_broker("redis://localhost", prefix="x", delivery_limit=LIMIT)


@pytest.mark.parametrize(
    "body",
    [b"", b'{"text": "bonjour"}', b"\xff\xfe\x00\x80 not utf-8", bytes(range(256)) * 2048],
    ids=["empty", "json", "binary", "512KiB"],
)
async def test_bytes_round_trip(env: Env, body: bytes) -> None:
    inbox = Inbox()
    await env.broker.publish(TOPIC, body)
    await env.broker.consume(TOPIC, inbox)
    delivery = await inbox.next()
    assert delivery.body == body
    assert type(delivery.body) is bytes
    assert (delivery.topic, delivery.attempts) == (TOPIC, 1)


@pytest.mark.parametrize("body", ["text", bytearray(b"x"), memoryview(b"x"), None])
async def test_publish_refuses_non_bytes(env: Env, body: object) -> None:
    with pytest.raises(TypeError, match="bytes"):
        await env.broker.publish(TOPIC, body)  # type: ignore[arg-type]


async def test_headers_round_trip(env: Env) -> None:
    headers = {"trace-id": "4bf92f35", "conversation": "c-42", "note": "réponse"}
    inbox = Inbox()
    await env.broker.publish(TOPIC, b"x", headers=headers)
    await env.broker.consume(TOPIC, inbox)
    assert (await inbox.next()).headers == headers


async def test_ack_removes_the_message(env: Env) -> None:
    await env.broker.publish(TOPIC, b"once")
    assert await env.broker.depth(TOPIC) == 1
    inbox = Inbox()
    await env.broker.consume(TOPIC, inbox)
    await inbox.next()
    # Unacknowledged messages would come back on close; an acked one must not.
    await env.broker.close()
    await env.broker.connect()
    assert await env.broker.depth(TOPIC) == 0


async def test_settling_twice_raises(env: Env) -> None:
    errors: asyncio.Queue[BaseException] = asyncio.Queue()

    async def settle(delivery: Delivery) -> None:
        await delivery.ack()
        for second in (delivery.ack(), delivery.reject(requeue=True)):
            try:
                await second
            except DeliveryAlreadySettled as exc:
                errors.put_nowait(exc)

    await env.broker.publish(TOPIC, b"x")
    await env.broker.consume(TOPIC, Inbox(settle))
    for _ in range(2):
        assert isinstance(await asyncio.wait_for(errors.get(), WAIT), DeliveryAlreadySettled)


async def test_reject_with_requeue_redelivers(env: Env) -> None:
    async def settle(delivery: Delivery) -> None:
        if delivery.attempts == 1:
            await delivery.reject(requeue=True)
        else:
            await delivery.ack()

    inbox = Inbox(settle)
    await env.broker.publish(TOPIC, b"again", headers={"k": "v"})
    await env.broker.consume(TOPIC, inbox)
    first, second = await inbox.next(), await inbox.next()
    assert (first.attempts, second.attempts) == (1, 2)
    assert (second.body, second.headers) == (b"again", {"k": "v"})


@pytest.mark.parametrize("failure", ["raises", "forgets to settle"])
async def test_failed_handler_is_redelivered(env: Env, failure: str) -> None:
    async def settle(delivery: Delivery) -> None:
        if delivery.attempts > 1:
            await delivery.ack()
        elif failure == "raises":
            raise RuntimeError("handler bug")

    inbox = Inbox(settle)
    await env.broker.publish(TOPIC, b"x")
    await env.broker.consume(TOPIC, inbox)
    assert [(await inbox.next()).attempts for _ in range(2)] == [1, 2]


async def test_delivery_limit_dead_letters_once(env: Env) -> None:
    async def settle(delivery: Delivery) -> None:
        raise RuntimeError(f"failing attempt {delivery.attempts}")

    inbox = Inbox(settle)
    await env.broker.publish(TOPIC, b"poison", headers={"k": "v"})
    await env.broker.consume(TOPIC, inbox)
    await depth_is(env.broker, DEAD, 1)
    seen = [inbox.received.get_nowait().attempts for _ in range(inbox.received.qsize())]
    assert seen == list(range(1, LIMIT + 1))
    assert await env.broker.depth(TOPIC) == 0

    dead = Inbox()
    await env.broker.consume(DEAD, dead)
    delivery = await dead.next()
    assert (delivery.topic, delivery.body, delivery.headers) == (DEAD, b"poison", {"k": "v"})
    await depth_is(env.broker, DEAD, 0)


async def test_reject_without_requeue_dead_letters(env: Env) -> None:
    async def settle(delivery: Delivery) -> None:
        await delivery.reject(requeue=False)

    inbox = Inbox(settle)
    await env.broker.publish(TOPIC, b"bad")
    await env.broker.consume(TOPIC, inbox)
    assert (await inbox.next()).attempts == 1
    dead = Inbox()
    await env.broker.consume(DEAD, dead)
    delivery = await dead.next()
    assert (delivery.body, delivery.attempts) == (b"bad", 1)
    assert inbox.received.empty()


async def test_concurrency_runs_handlers_side_by_side(env: Env) -> None:
    all_in = asyncio.Event()
    running: set[bytes] = set()

    async def slow(delivery: Delivery) -> None:
        running.add(delivery.body)
        if len(running) == 4:
            all_in.set()
        await asyncio.wait_for(all_in.wait(), WAIT)  # only four overlapping calls get past this
        await delivery.ack()

    for n in range(4):
        await env.broker.publish(TOPIC, str(n).encode())
    await env.broker.consume(TOPIC, slow, concurrency=4)
    await asyncio.wait_for(all_in.wait(), WAIT)


async def test_close_gives_unsettled_deliveries_back(env: Env) -> None:
    never = asyncio.Event()

    async def stuck(delivery: Delivery) -> None:
        await never.wait()

    inbox = Inbox(stuck)
    await env.broker.publish(TOPIC, b"in flight")
    await env.broker.consume(TOPIC, inbox)
    await inbox.next()
    await env.broker.close()

    await env.broker.connect()
    again = Inbox()
    await env.broker.consume(TOPIC, again)
    delivery = await again.next()
    # Both backends count a delivery interrupted by a shutdown as an attempt (quorum queues do).
    assert (delivery.body, delivery.attempts) == (b"in flight", 2)


async def test_many_messages_are_delivered_exactly_once(env: Env) -> None:
    bodies = [f"message {n}".encode() for n in range(500)]
    await asyncio.gather(*(env.broker.publish(TOPIC, body) for body in bodies))
    inbox = Inbox()
    await env.broker.consume(TOPIC, inbox, concurrency=8)
    got = [(await inbox.next()).body for _ in bodies]
    assert sorted(got) == sorted(bodies)
    await depth_is(env.broker, TOPIC, 0)
    assert inbox.received.empty()


async def test_closed_broker_refuses_to_publish(env: Env) -> None:
    await env.broker.close()
    with pytest.raises(BrokerUnavailable):
        await env.broker.publish(TOPIC, b"x")
    with pytest.raises(BrokerUnavailable):
        await env.broker.ping()
    await env.broker.connect()
    await env.broker.ping()


# RabbitMQ only: the connection drops and the consumer must carry on after the reconnect.


def _close_connection_named(name: str) -> None:
    """Force-close our connection on the server, as a network failure or a restart would."""
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None:
        pytest.skip("rabbitmqctl is needed to force-close a connection")
    listing = subprocess.run(
        [rabbitmqctl, "list_connections", "pid", "client_properties", "-q", "--no-table-headers"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # One row per connection: "<pid>\t[{...},{"connection_name","<name>"},...]"
    pids = [
        row.split("\t", 1)[0]
        for row in listing.splitlines()
        if f'{{"connection_name","{name}"}}' in row
    ]
    assert pids, f"no connection named {name!r} on the server"
    for pid in pids:
        subprocess.run(
            [rabbitmqctl, "close_connection", pid, "test"], check=True, capture_output=True
        )


async def _publish_when_back(broker: Broker, body: bytes) -> None:
    """What an outbox does: retry while the broker says it is unavailable."""
    async with asyncio.timeout(WAIT * 2):
        while True:
            try:
                await broker.publish(TOPIC, body)
                return
            except BrokerUnavailable:
                await asyncio.sleep(0.1)


@pytest.mark.parametrize("env", ["rabbitmq"], indirect=True)
async def test_consumer_survives_a_lost_connection(env: Env) -> None:
    never = asyncio.Event()

    async def settle(delivery: Delivery) -> None:
        if delivery.body == b"in flight" and delivery.attempts == 1:
            await never.wait()  # still unsettled when the connection drops
        await delivery.ack()

    inbox = Inbox(settle)
    await env.broker.consume(TOPIC, inbox)
    await env.broker.publish(TOPIC, b"in flight")
    assert (await inbox.next()).body == b"in flight"

    await asyncio.to_thread(_close_connection_named, env.prefix)
    await _publish_when_back(env.broker, b"after")
    got = sorted([(d.body, d.attempts) for d in (await inbox.next(), await inbox.next())])
    assert got == [(b"after", 1), (b"in flight", 2)]
    await env.broker.ping()


@pytest.mark.parametrize("env", ["rabbitmq"], indirect=True)
async def test_changed_delivery_limit_is_a_configuration_error(env: Env) -> None:
    await env.broker.publish(TOPIC, b"declares the queues")
    other = open_broker(TEST_BROKER_URL, prefix=env.prefix, delivery_limit=LIMIT + 1)
    await other.connect()
    try:
        with pytest.raises(ConfigurationError, match="delivery_limit"):
            await other.publish(TOPIC, b"x")
    finally:
        await other.close()


async def test_connection_errors_never_show_the_password() -> None:
    require("rabbitmq")
    parts = urlsplit(TEST_BROKER_URL)
    netloc = f"{parts.username or 'guest'}:wrong-s3cret@{parts.hostname}:{parts.port or 5672}"
    broker = open_broker(parts._replace(netloc=netloc).geturl(), prefix="x", delivery_limit=LIMIT)
    with pytest.raises(BrokerUnavailable) as caught:
        await broker.connect()
    assert "wrong-s3cret" not in str(caught.value)
