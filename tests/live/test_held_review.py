"""Held email: it reads back whatever it lacks (no usable From), and supervisors review it
(list with the reason, route into the pipeline or dismiss), role-checked and audited."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import bearer, wait_for
from tests.live.support import messages, processed
from tests.live.test_email import RAW, mail
from tests.live.test_email_participants import _customer_thread

THREAD = "<c1@example.fr>"
NO_FROM = (
    "To: support@aiguillage.test\r\nSubject: x\r\nMessage-ID: <nf@e>\r\n"
    f"In-Reply-To: {THREAD}\r\n\r\nbody\r\n"
).encode()
BAD_FROM = (
    "From: <<<@>>>\r\nTo: support@aiguillage.test\r\nSubject: x\r\nMessage-ID: <bf@e>\r\n"
    f"References: {THREAD}\r\n\r\nbody\r\n"
).encode()
NO_HEADERS = b"\r\nnothing but a body\r\n"


def auto_reply(sender: str, message_id: str, in_reply_to: str | None = None) -> bytes:
    extra = "Auto-Submitted: auto-replied\r\n"
    return mail(
        sender, message_id, "Absent", "Je suis absente.", in_reply_to=in_reply_to, extra=extra
    )


async def _post(http: httpx.AsyncClient, raw: bytes) -> int:
    answer = await http.post("/v1/email/inbound", content=raw, headers=RAW)
    assert answer.status_code == 202, answer.text
    message_id: int = answer.json()["ids"][0]
    return message_id


@pytest.mark.parametrize("raw", [NO_FROM, BAD_FROM, NO_HEADERS], ids=["none", "bad", "bare"])
async def test_an_email_without_a_usable_from_reads_back(
    live: httpx.AsyncClient, raw: bytes
) -> None:
    conversation_id, _ = await _customer_thread(live)
    message_id = await _post(live, raw)
    (stored,) = await messages(live, id=message_id)
    assert stored.status == "held"
    read = await live.get(f"/v1/messages/{message_id}")
    assert read.status_code == 200, read.text
    assert read.json()["sender"]["id"] is None
    listed = await live.get(f"/v1/conversations/{conversation_id}/messages")
    assert listed.status_code == 200, listed.text
    if raw is not NO_HEADERS:  # in the thread it names
        assert message_id in [m["id"] for m in listed.json()]


async def test_held_mail_is_listed_with_its_reason_then_routed_or_dismissed(
    live: httpx.AsyncClient,
) -> None:
    conversation_id, _ = await _customer_thread(live)
    away = await _post(live, auto_reply("ana@example.fr", "<a1@example.fr>", THREAD))
    nobody = await _post(live, NO_FROM)
    bob = await _post(live, auto_reply("bob@example.org", "<b1@example.org>"))
    held = (await live.get("/v1/held-messages")).json()
    assert [m["id"] for m in held] == [away, nobody, bob]
    assert [m["conversation_id"] for m in held] == [conversation_id, conversation_id, None]
    assert held[0]["held_because"] == "automated mail (auto_reply)"
    assert "no sender" in held[1]["held_because"]  # the parser's reason
    page = (await live.get("/v1/held-messages", params={"after_id": away, "limit": 1})).json()
    assert [m["id"] for m in page] == [nobody]

    # A supervisor sees the held mail of conversations they see, never unattached mail.
    team = (await live.post("/v1/teams", json={"name": "Review"})).json()
    boss = await live.post(
        "/v1/advisors",
        json={
            "name": "Sue",
            "email": "sue@example.com",
            "team_id": team["id"],
            "role": "supervisor",
        },
    )
    password = "a long enough password"
    assert (
        await live.put(f"/v1/auth/password/{boss.json()['id']}", json={"new_password": password})
    ).status_code == 204
    sue = {"Authorization": await bearer(live, "sue@example.com", password)}
    seen = (await live.get("/v1/held-messages", headers=sue)).json()
    assert bob not in [m["id"] for m in seen]
    assert (await live.post(f"/v1/held-messages/{bob}/route", headers=sue)).status_code == 404

    # Route: a person read it, it is a real message; it goes through the pipeline.
    routed = await live.post(f"/v1/held-messages/{bob}/route")
    assert routed.status_code == 200, routed.text
    assert routed.json()["status"] == "received"
    joined = await processed(live, bob)
    assert joined.status == "processed" and joined.conversation_id != conversation_id
    # Nobody to answer: it cannot be routed, only dismissed.
    refused = await live.post(f"/v1/held-messages/{nobody}/route")
    assert refused.status_code == 409 and "no sender" in refused.json()["detail"]
    dismissed = await live.post(f"/v1/held-messages/{nobody}/dismiss")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert (await live.post(f"/v1/held-messages/{nobody}/dismiss")).status_code == 409
    assert [m["id"] for m in (await live.get("/v1/held-messages")).json()] == [away]

    events = (await live.get(f"/v1/conversations/{conversation_id}/events")).json()
    assert [e["message_id"] for e in events if e["type"] == "message.dismissed"] == [nobody]

    async def audited() -> list[str]:
        entries = (await live.get("/v1/audit")).json()
        return [e["action"] for e in entries if "held-messages" in e["action"]]

    assert await wait_for(audited) == [
        "POST /v1/held-messages/{message_id}/route",
        "POST /v1/held-messages/{message_id}/dismiss",
    ]
