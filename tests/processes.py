"""Real server processes for end-to-end tests: uvicorn and workers on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(args: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``aiguillage ARGS`` with its output in ``log`` (shown when a test fails)."""
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "router", *args],
        # No SMTP listener unless a test asks: port 2525 may be taken on a shared machine.
        env={**os.environ, "AIGUILLAGE_SMTP_LISTEN_PORT": "0", **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def run_cli(args: Sequence[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "router", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def wait_ready(
    base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server not ready after {timeout}s:\n{log.read_text()}")


@contextmanager
def stopping(*processes: subprocess.Popen[bytes]) -> Iterator[None]:
    """Terminate (SIGTERM, then SIGKILL) whatever is still running at the end."""
    try:
        yield
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def demo_admin_headers(base_url: str, credentials: Path) -> dict[str, str]:
    """Log in as the demo admin whose password ``demo-data`` wrote to ``credentials``."""
    logins = dict(line.split() for line in credentials.read_text().splitlines() if line)
    email = next(e for e in logins if e.startswith("admin@"))
    response = httpx.post(
        f"{base_url}/v1/auth/token", data={"username": email, "password": logins[email]}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
