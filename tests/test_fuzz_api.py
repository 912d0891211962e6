"""Property-based fuzzing of the HTTP API with schemathesis, in-process, on both backends.

The app runs exactly as in the ``client`` fixture (``create_app`` + its lifespan, in-process
worker) on the test's event loop. Schemathesis and Hypothesis are synchronous, so they run in
a worker thread and every generated request is sent back to the test's loop through
``httpx.ASGITransport``. Each response must not be a 5xx and, where the OpenAPI document
describes it, must match its schema.

Bounded by examples *and* by time, derandomised: each operation gets up to
``EXAMPLES_PER_OPERATION`` examples, fewer when the machine is slow, so that the whole run
stays within ``BUDGET_SECONDS`` on a loaded machine (at least ``MIN_EXAMPLES`` each, so every
operation is still fuzzed). On a quiet machine it runs every example, well under a minute
per backend. Stateful (linked) scenarios are not
run here: with a real database behind it, Hypothesis cannot replay them deterministically.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from router.settings import Settings
from tests.conftest import admin_client

pytestmark = pytest.mark.slow

BASE_URL = "http://test"
CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES_PER_OPERATION = 100  # positive + negative together
MIN_EXAMPLES = 10
BUDGET_SECONDS = 60.0  # the test's timeout leaves room for start-up and a slow last batch
# Fuzzed as the admin: these two would end the admin's own session (logout, or a password
# set on the admin's id) and turn every later case into a 401. tests/test_auth.py covers them.
SESSION_ENDING = frozenset({"/v1/auth/logout", "/v1/auth/password/{advisor_id}"})
REQUEST_TIMEOUT = 30.0

Send = Callable[[dict[str, Any]], schemathesis.Response]


def _fuzz_settings(max_examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,  # the same inputs on every run: a failure here is a bug, not noise
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


def _httpx_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """Turn schemathesis' requests-style keyword arguments into httpx ones."""
    kwargs: dict[str, Any] = {
        "method": data["method"],
        "url": data["url"],
        "headers": data.get("headers") or None,
        "params": data.get("params") or None,
        "cookies": data.get("cookies") or None,
    }
    if "json" in data:
        kwargs["json"] = data["json"]
    body = data.get("data")
    if isinstance(body, (bytes, str)):
        kwargs["content"] = body
    elif body is not None:
        kwargs["data"] = body
    if data.get("files"):
        kwargs["files"] = data["files"]
    return kwargs


def _sender(http: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> Send:
    def send(data: dict[str, Any]) -> schemathesis.Response:
        future: Future[httpx.Response] = asyncio.run_coroutine_threadsafe(
            http.request(**_httpx_kwargs(data)), loop
        )
        return schemathesis.Response.from_any(future.result(timeout=REQUEST_TIMEOUT))

    return send


class Pace:
    """How many examples the next operation can afford within the budget."""

    def __init__(self, operations: int, budget: float) -> None:
        self.left = operations
        self.deadline = time.monotonic() + budget
        self.requests = 0
        self.spent = 0.0

    def examples(self) -> int:
        if not self.requests:
            return EXAMPLES_PER_OPERATION
        per_request = self.spent / self.requests
        share = max(self.deadline - time.monotonic(), 0.0) / max(self.left, 1)
        return max(MIN_EXAMPLES, min(EXAMPLES_PER_OPERATION, int(share / per_request)))

    def counted(self, send: Send) -> Send:
        def counted_send(data: dict[str, Any]) -> schemathesis.Response:
            self.requests += 1
            return send(data)

        return counted_send

    def done(self, seconds: float) -> None:
        """One operation fuzzed in ``seconds`` (generation and requests: wall time)."""
        self.spent += seconds
        self.left -= 1


def _fuzz_operations(schema: Any, send: Send) -> None:
    """Positive and negative examples for every operation; collects every failure."""
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [o for o in operations if o.path not in SESSION_ENDING]
    pace = Pace(len(operations), BUDGET_SECONDS)
    send = pace.counted(send)
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @_fuzz_settings(pace.examples())
        @given(case=strategy)
        def check(case: schemathesis.Case) -> None:
            response = send(case.as_transport_kwargs(base_url=BASE_URL))
            case.validate_response(response, checks=CHECKS)

        started = time.monotonic()
        try:
            check()
        except Exception as error:  # keep going: one report with every failing operation
            failures.append(f"{operation.label}:\n{error}")
        pace.done(time.monotonic() - started)
    assert not failures, "\n\n".join(failures)


@pytest.mark.timeout(300)
async def test_api_fuzz(settings: Settings) -> None:
    async with admin_client(settings, raise_app_exceptions=False) as http:
        schema = schemathesis.openapi.from_dict(http.app.openapi())  # type: ignore[attr-defined]
        send = _sender(http, asyncio.get_running_loop())
        await asyncio.to_thread(_fuzz_operations, schema, send)
