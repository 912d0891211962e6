"""Properties: no input makes a parser raise anything but its documented rejections."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapter import WebhookRequest
from channels.email.parse import parse_email
from channels.errors import MalformedPayload
from channels.meta.adapter import InstagramAdapter, MessengerAdapter, MetaConfig, WhatsAppAdapter
from channels.meta.graph import GraphTarget
from channels.meta.signature import sign
from channels.x.parse import parse_activity
from tests.channels.support import CHANNELS

# No example database: the suite must not write outside the tests it owns.
PROPERTIES = settings(database=None, deadline=None, max_examples=150)
EMAILS = sorted((CHANNELS / "email" / "fixtures").glob("*.eml"))
META = MetaConfig("secret", "verify", GraphTarget("token"))
HTTP = httpx.AsyncClient()
ADAPTERS = [MessengerAdapter(META, HTTP), InstagramAdapter(META, HTTP), WhatsAppAdapter(META, HTTP)]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)


def storable(text: str) -> bool:
    return "\x00" not in text and text.encode("utf-8", "strict") is not None


@PROPERTIES
@given(
    st.sampled_from(EMAILS),
    st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=8)), max_size=6),
    st.integers(0, 10_000),
)
def test_damaged_mail_never_crashes_the_parser(
    path: Path, edits: list[tuple[int, bytes]], cut: int
) -> None:
    raw = bytearray(path.read_bytes())
    for position, data in edits:
        raw[position % (len(raw) + 1) : position % (len(raw) + 1) + len(data)] = data
    message = parse_email(bytes(raw[: max(cut, len(raw) // 2)]))
    assert message.provider_message_id
    assert storable(message.text) and storable(message.full_text)
    assert message.sender_address or message.needs_review


@PROPERTIES
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_parser(raw: bytes) -> None:
    message = parse_email(raw)
    assert storable(message.text)


@PROPERTIES
@given(json_values, st.sampled_from(["page", "instagram", "whatsapp_business_account", None]))
def test_any_json_is_parsed_or_ignored_by_meta_adapters(value: object, obj: str | None) -> None:
    payload = {"object": obj, "entry": value} if obj else value
    body = json.dumps(payload).encode()
    request = WebhookRequest.of(body, {"X-Hub-Signature-256": sign(body, "secret")})
    for adapter in ADAPTERS:
        try:
            result = adapter.receive(request)
        except MalformedPayload:
            assert not isinstance(payload, dict)
            continue
        json.dumps([i.event for i in result.ignored])


@PROPERTIES
@given(st.dictionaries(st.text(max_size=30), json_values, max_size=5))
def test_any_json_object_is_parsed_or_ignored_by_x(payload: dict[str, object]) -> None:
    payload.setdefault("direct_message_events", [{"type": "message_create", "id": "1"}])
    result = parse_activity(payload)
    assert result.ignored or result.messages or result.statuses
