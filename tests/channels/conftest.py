"""Fixtures for the channel adapters: a loopback HTTP provider and a loopback SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.channels.support import FakeProvider


@pytest.fixture(scope="session")
def provider_server() -> Iterator[FakeProvider]:
    server = FakeProvider()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def provider(provider_server: FakeProvider) -> Iterator[FakeProvider]:
    provider_server.reset()
    yield provider_server
    provider_server.reset()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as client:
        yield client


@dataclass
class SmtpRecorder:
    """aiosmtpd handler: keeps accepted envelopes; answers with a scripted reply if set."""

    envelopes: list[Envelope] = field(default_factory=list)
    rcpt_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    recorder: SmtpRecorder
    port: int


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a loopback port, in the test's event loop."""

    recorder = SmtpRecorder()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(recorder, hostname="mx.test.example"), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    yield SmtpServer(recorder, port)
    server.close()
    await server.wait_closed()
