"""The alert webhook against a real HTTP server on the loopback: signed, retried, once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from router.settings import Settings, load_settings
from tests.conftest import admin_client, wait_for
from tests.routing_support import advisor, post, routed

SECRET = "webhook-secret-for-tests-0123456789"


class Receiver(ThreadingHTTPServer):
    """Answers 500 to the first ``failures`` requests, then 204; keeps what it received."""

    def __init__(self, failures: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/alerts"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            status = 500 if len(self.server.received) < self.server.failures else 204
            self.server.received.append((dict(self.headers), body, status))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
async def hooked(settings: Settings, receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(
        update={
            "alert_webhook_url": receiver.url,
            "alert_webhook_secret": SecretStr(SECRET),
            "alert_webhook_retry_seconds": 0.2,
        }
    )
    async with admin_client(configured) as http:
        yield http


async def test_rising_anger_is_posted_signed_and_retried(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    await advisor(hooked, "Anna", capacity_total=2)
    for i, level in enumerate((0.2, 0.5, 0.85)):
        meta = {"emotion": "anger", "emotion_intensity": level}
        await routed(hooked, await post(hooked, "w1", str(i), "grr", metadata=meta))

    async def delivered() -> list[tuple[dict[str, str], bytes, int]]:
        with receiver.lock:
            return [r for r in receiver.received if r[2] == 204]

    (headers, body, _), *more = await wait_for(delivered, timeout=30)
    assert more == []
    assert len(receiver.received) == 2  # one failure, then the retry
    assert receiver.received[0][1] == body  # the retry sends the same alert
    expected = hmac.new(
        SECRET.encode(), headers["X-Aiguillage-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Aiguillage-Signature"] == f"sha256={expected}"
    assert headers["X-Aiguillage-Event"] == "alert.anger_rising"
    alert = json.loads(body)
    assert alert["type"] == "alert.anger_rising" and "anger rising" in alert["reason"]
    assert headers["X-Aiguillage-Alert-Id"] == str(alert["id"])

    async def marked() -> bool:
        rows = (await hooked.get("/v1/alerts")).json()
        return bool(rows and rows[0]["delivered_at"])

    await wait_for(marked)


def test_a_webhook_url_needs_a_secret() -> None:
    from router.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="ALERT_WEBHOOK_SECRET"):
        load_settings(alert_webhook_url="http://127.0.0.1:9/x")
    with pytest.raises(ConfigurationError, match="ALERT_WEBHOOK_URL"):
        load_settings(alert_webhook_url="not a url", alert_webhook_secret=SECRET)
