"""Reading and writing Message-ID / In-Reply-To / References, and reply subjects."""

from __future__ import annotations

import pytest

from channels.base import Threading
from channels.email.threading import (
    MAX_REFERENCES,
    message_ids,
    read_threading,
    reply_references,
    reply_subject,
)


def test_messy_references_are_read_by_pattern() -> None:
    value = "<a@x>,<b@x>\n\t<a@x> (comment) <c@x>"
    assert message_ids(value) == ("<a@x>", "<b@x>", "<c@x>")
    assert message_ids("bare@example.com other@example.com") == (
        "<bare@example.com>",
        "<other@example.com>",
    )


def test_parent_defaults_to_the_last_reference() -> None:
    threading = read_threading("<me@x>", None, "<root@x> <parent@x>")
    assert threading.in_reply_to == "<parent@x>"


def test_reply_references_chain_and_trim() -> None:
    parent = Threading("<p@x>", "<g@x>", tuple(f"<r{i}@x>" for i in range(40)))
    in_reply_to, references = reply_references(parent)
    assert in_reply_to == "<p@x>"
    assert len(references) == MAX_REFERENCES
    assert references[0] == "<r0@x>"  # the thread root is kept
    assert references[-1] == "<p@x>"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Order 10293", "Re: Order 10293"),
        ("Re: RE: Order", "Re: Order"),
        ("AW: TR: Réf: commande", "Re: commande"),
        ("Re[2]: Order", "Re: Order"),
        (None, "Re:"),
    ],
)
def test_reply_subject(subject: str | None, expected: str) -> None:
    assert reply_subject(subject) == expected
