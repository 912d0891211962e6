"""Every message of the shared real-world corpus parses: a sender and some text, or a
recorded reason (public mail-parsing test suites: bounces, torture tests, odd charsets)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from channels.email.parse import parse_email
from tests.services import shared_data

CORPUS = Path(os.environ.get("AIGUILLAGE_EMAIL_CORPUS", shared_data("email-fixtures")))
MESSAGES = sorted(CORPUS.rglob("*.eml")) if CORPUS.is_dir() else []


def corpus_missing() -> None:
    """Skip with a message, or fail when CI=true (the pattern of tests/services.py)."""
    message = (
        f"the shared email corpus is not at {CORPUS}: set AIGUILLAGE_EMAIL_CORPUS to a folder"
        " of .eml files (../shared/data/email-fixtures next to the repository)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


def _name(path: Path) -> str:
    return str(path.relative_to(CORPUS))


@pytest.mark.parametrize(
    "path", MESSAGES or [None], ids=[_name(p) for p in MESSAGES] or ["missing"]
)
def test_corpus_message_parses(path: Path | None) -> None:
    if path is None:
        corpus_missing()
        return
    raw = path.read_bytes()
    message = parse_email(raw)
    assert message.raw == raw
    assert message.provider_message_id
    assert message.sender_address or "no sender address" in (message.review_reason or "")
    assert message.text.strip() or "no text content" in (message.review_reason or "")
    assert "\x00" not in message.text and "\x00" not in message.full_text
    message.text.encode("utf-8")  # no lone surrogates: storable as is
    message.full_text.encode("utf-8")


def test_the_corpus_is_complete_enough_to_mean_something() -> None:
    if not MESSAGES:
        corpus_missing()
    assert len(MESSAGES) >= 60
