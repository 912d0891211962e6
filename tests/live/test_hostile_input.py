"""Hostile input on the channel paths (web chat, webhooks, raw e-mail): 4xx or a stored
message with the problem recorded, never a 5xx; the idempotency key means the same on
every path."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from router.settings import Settings
from tests.conftest import admin_client
from tests.live.conftest import SUPPORT
from tests.live.support import messages, messenger_text, meta_request

RAW = {"Content-Type": "message/rfc822"}
EXTREME_MOMENTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


async def _visitor(http: httpx.AsyncClient) -> dict[str, str]:
    response = await http.post("/v1/chat/sessions")
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.mark.parametrize("moment", [*EXTREME_MOMENTS, 1717409695, "1717409695"])
async def test_chat_dates_out_of_range_or_numeric_are_refused_not_500(
    live: httpx.AsyncClient, moment: Any
) -> None:
    visitor = await _visitor(live)
    body = {"id": "d-1", "text": "Bonjour", "sent_at": moment}
    response = await live.post("/v1/chat/messages", json=body, headers=visitor)
    assert response.status_code in (400, 422), response.text
    assert "sent_at" in response.json()["detail"]
    assert await messages(live) == []


async def test_chat_message_id_reused_for_other_text_is_409(live: httpx.AsyncClient) -> None:
    visitor = await _visitor(live)
    message = {"id": "c-1", "text": "Bonjour, je n'arrive pas à payer."}
    first = await live.post("/v1/chat/messages", json=message, headers=visitor)
    again = await live.post("/v1/chat/messages", json=message, headers=visitor)
    assert first.status_code == again.status_code == 202
    assert again.json()["ids"] == first.json()["ids"]
    other = await live.post(
        "/v1/chat/messages", json={**message, "text": "Autre chose"}, headers=visitor
    )
    assert other.status_code == 409, other.text
    assert other.json()["code"] == "idempotency_conflict"
    assert other.json()["message_id"] == first.json()["ids"][0]
    stored = await messages(live)
    assert [m.text for m in stored] == [message["text"]]


async def test_webhook_retry_is_a_duplicate_and_reused_id_is_kept_as_stored(
    live: httpx.AsyncClient,
) -> None:
    payload = messenger_text("m_AbC1", "2411", "Bonjour")
    first = await live.post("/v1/webhooks/meta", **meta_request(payload))
    retry = await live.post("/v1/webhooks/meta", **meta_request(payload))
    assert first.status_code == retry.status_code == 200, retry.text
    assert retry.json()["duplicates"] == 1 and retry.json()["conflicts"] == 0
    # The provider cannot fix a reused id: still a 2xx, counted, the stored text kept.
    other = await live.post(
        "/v1/webhooks/meta", **meta_request(messenger_text("m_AbC1", "2411", "Changed"))
    )
    assert other.status_code == 200 and other.json()["conflicts"] == 1
    # The key keeps its case (provider ids are case-sensitive) and loses surrounding spaces,
    # as on POST /v1/messages.
    spaced = await live.post(
        "/v1/webhooks/meta", **meta_request(messenger_text(" m_abc1 ", "2411", "Salut"))
    )
    assert spaced.json()["messages"] == 1
    stored = {m.external_id: m.text for m in await messages(live)}
    assert stored == {"m_AbC1": "Bonjour", "m_abc1": "Salut"}


@pytest.mark.parametrize(
    "date", ["Fri, 31 Dec 9999 23:59:59 -1400", "Mon, 1 Jan 0001 00:00:00 +1400"]
)
async def test_email_date_out_of_range_is_a_note_not_500(
    live: httpx.AsyncClient, date: str
) -> None:
    raw = (
        f"From: ann@example.org\r\nTo: {SUPPORT}\r\nSubject: Dates\r\n"
        f"Message-ID: <date@example.org>\r\nDate: {date}\r\n\r\nHello\r\n"
    ).encode()
    response = await live.post("/v1/email/inbound", content=raw, headers=RAW)
    assert response.status_code == 202, response.text
    message = (await live.get(f"/v1/messages/{response.json()['ids'][0]}")).json()
    assert message["text"] == "Hello"


def _many_parts(count: int) -> bytes:
    parts = "".join(
        f"--b\r\nContent-Type: application/octet-stream\r\n"
        f'Content-Disposition: attachment; filename="f{i}.bin"\r\n\r\nx{i}\r\n'
        for i in range(count)
    )
    return (
        f"From: ann@example.org\r\nTo: {SUPPORT}\r\nSubject: Parts\r\n"
        f"Message-ID: <parts@example.org>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        f"--b\r\nContent-Type: text/plain\r\n\r\nSee attached\r\n{parts}--b--\r\n"
    ).encode()


async def test_email_parts_are_capped_and_attachments_paged(live_settings: Settings) -> None:
    capped = live_settings.model_copy(update={"email_max_parts": 20})
    async with admin_client(capped) as http:
        response = await http.post("/v1/email/inbound", content=_many_parts(2000), headers=RAW)
        assert response.status_code == 202, response.text
        message_id = response.json()["ids"][0]
        message = (await http.get(f"/v1/messages/{message_id}")).json()
        assert message["text"] == "See attached"
        # 20 parts read (the text and 19 files), the 1,981 others described in one row.
        assert "1981 MIME parts beyond the limit of 20" in message["review_reason"]
        url = f"/v1/messages/{message_id}/attachments"
        first = (await http.get(url, params={"limit": 15})).json()
        assert [a["filename"] for a in first] == [f"f{i}.bin" for i in range(15)]
        rest = (await http.get(url, params={"after_id": first[-1]["id"]})).json()
        assert [a["filename"] for a in rest] == [f"f{i}.bin" for i in range(15, 19)] + [None]
        assert not rest[-1]["kept"] and "1981 MIME parts" in rest[-1]["omitted"]
        assert (await http.get(url, params={"limit": 501})).status_code == 422
