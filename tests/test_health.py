"""Probes and settings validation."""

from __future__ import annotations

import subprocess
import sys

import httpx


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_invalid_settings_stop_start_up_with_a_clear_message() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from router.cli.main import main; main()", "migrate"],
        env={"AIGUILLAGE_DATABASE_URL": "mysql://nope", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "AIGUILLAGE_DATABASE_URL" in result.stderr
    assert "postgresql://" in result.stderr


def test_separate_worker_refuses_the_in_process_broker() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from router.cli.main import main; main()", "worker"],
        env={"AIGUILLAGE_BROKER_URL": "memory://", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "amqp://" in result.stderr


async def test_console_page_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>Aiguillage console</title>" in page.text
    assert '<script type="module" src="/console/static/app.js">' in page.text
    entry = await client.get("/console/static/app.js")
    assert entry.status_code == 200 and "javascript" in entry.headers["content-type"]
