"""Where the real servers are for the ``services`` backend, and what to do when they are not.

Without PostgreSQL/RabbitMQ (or Redis, for the shared rate limits) the tests that need them
skip with a message; with ``CI=true`` a missing service is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

TEST_DATABASE_URL = os.environ.get(
    "AIGUILLAGE_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
TEST_BROKER_URL = os.environ.get("AIGUILLAGE_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")
TEST_REDIS_URL = os.environ.get("AIGUILLAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def require(service: str) -> None:
    """Skip (or fail under CI=true) when ``service`` ('postgresql', 'rabbitmq' or 'redis')
    is down."""
    url, port = {
        "postgresql": (TEST_DATABASE_URL, 5432),
        "rabbitmq": (TEST_BROKER_URL, 5672),
        "redis": (TEST_REDIS_URL, 6379),
    }[service]
    if _reachable(url, port):
        return
    unavailable(f"{service} at {urlsplit(url).netloc.split('@')[-1]}")


def unavailable(what: str) -> None:
    """Skip with a message, or fail when CI=true: CI must run every test."""
    message = f"{what} is not available"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(f"{message}; start it or set AIGUILLAGE_TEST_*_URL to run these tests")


def shared_data(name: str) -> Path:
    """A data set of ../shared/data: next to the repository, else where the machine keeps
    it (a CI clone may live elsewhere), else AIGUILLAGE_SHARED_DATA. May not exist."""
    candidates = [
        os.environ.get("AIGUILLAGE_SHARED_DATA", ""),
        str(Path(__file__).resolve().parents[2] / "shared" / "data"),
        "/work/shared/data",
    ]
    for folder in filter(None, candidates):
        if (Path(folder) / name).exists():
            return Path(folder) / name
    return Path(candidates[1]) / name
