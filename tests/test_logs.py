"""Log lines: personal data and secrets never reach them; JSON lines carry the request,
conversation and message ids; routing decisions, alerts, refused replies and failed logins
each write one INFO line."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from router.logs import Context, JsonFormatter, Redact, TextFormatter, bound, redact
from router.settings import Settings
from tests.conftest import ADMIN_EMAIL, admin_client, message_payload
from tests.routing_support import advisor, post, routed

ANGRY = {"metadata": {"emotion": "anger", "emotion_intensity": 0.9}}


@pytest.mark.parametrize(
    ("line", "leaked"),
    [
        ("login for jane.doe@example.com failed", "jane.doe@example.com"),
        ("customer +33 6 12 34 56 78 wrote", "12 34 56"),
        ("Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi"),
        ("key agk_0123456789ab_" + "x" * 43 + " used", "x" * 43),
        ("GET /webhooks?hub.verify_token=s3cr3t&x=1", "s3cr3t"),
        ("password=hunter2hunter2", "hunter2"),
    ],
)
def test_redact_masks_personal_data_and_secrets(line: str, leaked: str) -> None:
    assert leaked not in redact(line)
    assert "[redacted]" in redact(line)


def test_redact_keeps_ids_and_counts() -> None:
    line = "conversation 42 assigned to advisor 7 after 3 attempts"
    assert redact(line) == line


def test_filter_cleans_arguments_and_tracebacks() -> None:
    try:
        raise ValueError("duplicate key (email)=(bob@example.org)")
    except ValueError as error:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "failed for %s", ("bob@example.org",), None
        )
        record.exc_info = (type(error), error, error.__traceback__)
    Redact().filter(record)
    text = logging.Formatter().format(record)
    assert "bob@example.org" not in text and "[redacted]" in text


# -- structured lines ------------------------------------------------------------------


class Capture(logging.Handler):
    """The root handler a CLI process would have, writing JSON lines into a list."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.addFilter(Context())
        self.addFilter(Redact())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def parsed(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    def about(self, needle: str) -> list[dict[str, Any]]:
        return [line for line in self.parsed() if needle in line["message"]]


@pytest.fixture
def captured() -> Iterator[Capture]:
    root = logging.getLogger()
    handler, level = Capture(), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_json_line_carries_the_bound_ids_and_extra_fields(captured: Capture) -> None:
    with bound(request_id="r-1", conversation_id=12):
        logging.getLogger("t").info("about %s", "it", extra={"message_id": 7})
    logging.getLogger("t").info("outside")
    inside, outside = captured.parsed()
    assert inside["timestamp"].endswith("Z") and inside["level"] == "INFO"
    assert (inside["logger"], inside["message"]) == ("t", "about it")
    assert (inside["request_id"], inside["conversation_id"], inside["message_id"]) == ("r-1", 12, 7)
    assert "request_id" not in outside


def test_the_text_format_appends_the_ids() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "routed", None, None)
    record.conversation_id = 12
    assert TextFormatter().format(record).endswith("routed conversation_id=12")


# The lines do not depend on the backend: the embedded one only (CI time).
@pytest.mark.parametrize("backend", ["embedded"])
async def test_requests_and_routing_log_json_lines_with_their_ids(
    settings: Settings, captured: Capture
) -> None:
    async with admin_client(settings) as http:
        ann = await advisor(http, "Ann")
        first = await http.post(
            "/v1/messages",
            json=message_payload("a1", "a1-1", "Where is my order?! Disgraceful", **ANGRY),
            headers={"X-Request-ID": "it-req-1"},
        )
        assert first.headers["X-Request-ID"] == "it-req-1"
        served = await routed(http, int(first.json()["id"]))
        waiting = await routed(http, await post(http, "b2", "1", "Hello, about my order"))
        generated = await http.get("/healthz", headers={"X-Request-ID": "jane@example.com"})
        refused = await http.post("/v1/conversations/999999/replies", json={"text": "Hi"})
        wrong = await http.post(
            "/v1/auth/token", data={"username": ADMIN_EMAIL, "password": "not it"}
        )
    assert wrong.status_code == 401 and refused.status_code == 404

    access = captured.about("POST /v1/messages 202")[0]
    assert access["logger"] == "router.access" and access["request_id"] == "it-req-1"
    assert access["route"] == "/v1/messages" and access["duration_ms"] >= 0
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["X-Request-ID"])
    read = captured.about("GET /v1/conversations/{conversation_id} 200")
    assert read and read[0]["conversation_id"] == served["id"]
    routing = captured.about(f"routed conversation {served['id']} to advisor {ann['id']}")
    assert routing and routing[0]["message_id"] == int(first.json()["id"])
    assert routing[0]["conversation_id"] == served["id"]
    waits = captured.about(f"conversation {waiting['id']} waits (rule default)")
    assert waits and "1 at capacity" in waits[0]["message"]
    alert = captured.about(f"alert.angry_first_message about conversation {served['id']}")
    assert alert and alert[0]["conversation_id"] == served["id"]
    reply = captured.about("reply to conversation 999999 refused (not_found)")
    assert reply[0]["conversation_id"] == 999999 and reply[0]["request_id"]
    login = captured.about("failed login for staff")
    assert login and login[0]["level"] == "INFO"
    everything = "\n".join(captured.lines)
    assert ADMIN_EMAIL not in everything and "not it" not in everything
    assert "jane@example.com" not in everything
