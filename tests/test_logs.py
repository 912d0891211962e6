"""Personal data and secrets never reach a log line."""

from __future__ import annotations

import logging

import pytest

from router.logs import Redact, redact


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
