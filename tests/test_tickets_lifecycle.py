"""The ticket lifecycle: status changes by people (and their refusals), the customer writing
again (pending -> queue, reopened within the window, else a new linked conversation), and
the ticket clock closing and resolving what has waited too long."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from router.errors import Conflict, InvalidRequest
from router.models.conversations import ConversationStatus, TicketStatus
from router.models.tickets import StatusTarget
from router.settings import Settings
from router.store.types import utcnow
from router.tickets import lifecycle
from router.tickets.transitions import transition
from tests.conftest import QUIET, admin_client, runtime_of
from tests.routing_support import (
    advisor,
    conversation,
    login,
    post,
    routed,
    set_rows,
    team,
    timeline,
)

S, T = ConversationStatus, TicketStatus


@pytest.fixture
async def quiet(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose background ticket clock stays out of the way of tests that move a
    conversation's times into the past."""
    async with admin_client(settings.model_copy(update={"ticket_clock_seconds": QUIET})) as http:
        yield http


# --- the rules alone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ticket", "target", "owned", "reason", "event"),
    [
        (S.assigned, T.open, StatusTarget.pending, True, None, "conversation.pending"),
        (S.offered, T.new, StatusTarget.pending, True, None, "conversation.pending"),
        (S.assigned, T.open, StatusTarget.resolved, True, None, "conversation.resolved"),
        (S.pending, T.pending, StatusTarget.resolved, True, None, "conversation.resolved"),
        (S.waiting, T.new, StatusTarget.resolved, False, "spam", "conversation.resolved"),
        (S.waiting, T.open, StatusTarget.resolved, False, None, "conversation.resolved"),
        (S.resolved, T.resolved, StatusTarget.closed, True, None, "conversation.closed"),
        (S.waiting, T.new, StatusTarget.closed, False, "spam", "conversation.closed"),
        (S.pending, T.pending, StatusTarget.open, True, None, "conversation.resumed"),
        (S.resolved, T.resolved, StatusTarget.open, True, None, "conversation.reopened"),
    ],
)
def test_allowed_transitions(
    status: S, ticket: T, target: StatusTarget, owned: bool, reason: str | None, event: str
) -> None:
    assert transition(status, ticket, target, owned=owned, reason=reason) == event


def test_the_older_resolve_route_needs_no_reason() -> None:
    args = (S.waiting, T.new, StatusTarget.resolved)
    assert transition(*args, owned=False, reason=None, lenient=True) == "conversation.resolved"
    with pytest.raises(Conflict, match="final"):
        transition(S.closed, T.closed, StatusTarget.resolved, owned=True, reason=None, lenient=True)


@pytest.mark.parametrize(
    ("status", "ticket", "target", "owned", "reason", "error", "words"),
    [
        (S.waiting, T.new, StatusTarget.resolved, False, None, InvalidRequest, "reason"),
        (S.waiting, T.new, StatusTarget.closed, False, None, InvalidRequest, "spam"),
        (S.assigned, T.open, StatusTarget.closed, True, None, InvalidRequest, "resolve it"),
        (S.waiting, T.new, StatusTarget.pending, False, None, Conflict, "nobody owns"),
        (S.resolved, T.resolved, StatusTarget.pending, True, None, Conflict, "reopen it"),
        (S.assigned, T.open, StatusTarget.open, True, None, Conflict, "already open"),
        (S.pending, T.pending, StatusTarget.pending, True, None, Conflict, "already pending"),
        (S.resolved, T.resolved, StatusTarget.resolved, True, "x", Conflict, "already resolved"),
        (S.closed, T.closed, StatusTarget.open, True, "x", Conflict, "final"),
        (S.closed, T.closed, StatusTarget.closed, True, "x", Conflict, "final"),
    ],
)
def test_refused_transitions_say_why(
    status: S,
    ticket: T,
    target: StatusTarget,
    owned: bool,
    reason: str | None,
    error: type[Exception],
    words: str,
) -> None:
    with pytest.raises(error, match=words):
        transition(status, ticket, target, owned=owned, reason=reason)


# --- through the API ---------------------------------------------------------------------


async def _status(
    http: httpx.AsyncClient, conversation_id: int, status: str, **extra: Any
) -> httpx.Response:
    body: dict[str, Any] = {"status": status}
    if "reason" in extra:
        body["reason"] = extra.pop("reason")
    return await http.post(f"/v1/conversations/{conversation_id}/status", json=body, **extra)


async def _ok(http: httpx.AsyncClient, conversation_id: int, status: str, **extra: Any) -> Any:
    response = await _status(http, conversation_id, status, **extra)
    assert response.status_code == 200, response.text
    return response.json()


async def _loads(http: httpx.AsyncClient) -> dict[int, int]:
    return {a["id"]: a["load_total"] for a in (await http.get("/v1/advisors")).json()}


def _of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


async def test_pending_frees_the_seat_and_keeps_the_owner(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna")  # one seat
    first = await routed(client, await post(client, "p1", "1", "Hello, my parcel is late"))
    second = await routed(client, await post(client, "p2", "1", "Hello, me too"))
    assert first["assignee_id"] == anna["id"] and second["status"] == "waiting"

    body = await _ok(client, first["id"], "pending", reason="asked for the tracking number")
    assert body["status"] == "pending" and body["ticket_status"] == "pending"
    assert body["assignee_id"] == anna["id"] and body["pending_since"]
    assert body["status_reason"] == "asked for the tracking number"
    # The freed seat took the waiting conversation at once.
    assert (await conversation(client, second["id"]))["assignee_id"] == anna["id"]
    assert (await _loads(client))[anna["id"]] == 1
    history = (await client.get(f"/v1/conversations/{first['id']}/assignments")).json()
    assert [(h["advisor_name"], h["end_reason"]) for h in history] == [("Anna", "pending")]
    event = _of_type(await timeline(client, first["id"]), "conversation.pending")[0]
    assert event["advisor_id"] == anna["id"]
    assert event["data"]["from"] == "assigned" and event["data"]["to"] == "pending"
    assert event["data"]["reason"] == "asked for the tracking number"
    assert event["data"]["by"]["kind"] == "staff"
    again = await _status(client, first["id"], "pending")
    assert again.status_code == 409 and "already pending" in again.json()["detail"]
    transfer = await client.post(
        f"/v1/conversations/{first['id']}/transfer",
        json={"to_advisor_id": anna["id"], "note": "x"},
    )
    assert transfer.status_code == 409 and "waiting on the customer" in transfer.json()["detail"]


async def test_customer_answer_brings_a_pending_ticket_back_to_its_advisor(
    client: httpx.AsyncClient,
) -> None:
    anna = await advisor(client, "Anna", capacity_total=3)
    first = await routed(client, await post(client, "r1", "1", "Hello, my parcel is late"))
    await routed(client, await post(client, "r2", "1", "Another customer"))  # Anna: 2 now
    await _ok(client, first["id"], "pending")
    ben = await advisor(client, "Ben", capacity_total=3)  # less busy than Anna
    answer = await post(client, "r1", "2", "Here it is: 1Z999AA10123456784")
    back = await routed(client, answer)
    assert back["id"] == first["id"]  # the same ticket, not a new one
    assert back["status"] == "assigned" and back["assignee_id"] == anna["id"]
    assert back["pending_since"] is None
    events = await timeline(client, first["id"])
    resumed = _of_type(events, "conversation.resumed")[0]
    assert resumed["data"]["by"] == {"kind": "customer"}
    assert resumed["data"]["from"] == "pending" and resumed["data"]["to"] == "waiting"
    assert (await _loads(client))[ben["id"]] == 0


async def test_set_back_to_open_by_hand(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna")
    first = await routed(client, await post(client, "o1", "1", "Hello"))
    await _ok(client, first["id"], "pending")
    body = await _ok(client, first["id"], "open", reason="customer phoned")
    assert body["status"] == "assigned" and body["assignee_id"] == anna["id"]
    assert _of_type(await timeline(client, first["id"]), "conversation.resumed")


async def test_refusals_on_a_new_ticket_then_resolve_close_and_final(
    client: httpx.AsyncClient,
) -> None:
    ticket = await routed(client, await post(client, "n1", "1", "Buy cheap watches"))
    assert ticket["status"] == "waiting" and ticket["ticket_status"] == "new"
    cid = ticket["id"]
    for status, code, field in (
        ("resolved", 422, "reason"),
        ("closed", 422, "reason"),
        ("pending", 409, "status"),
        ("open", 409, "status"),
    ):
        refused = await _status(client, cid, status)
        assert refused.status_code == code, (status, refused.text)
        assert refused.json()["field"] == field and refused.json()["detail"]
    other = await routed(client, await post(client, "n2", "1", "Hello"))
    legacy = await client.post(f"/v1/conversations/{other['id']}/resolve")  # takes no reason
    assert legacy.status_code == 200 and legacy.json()["status"] == "resolved"
    bad = await _status(client, cid, "resolved", reason="x" * 501)
    assert bad.status_code == 422
    wrong = await _status(client, cid, "archived")
    assert wrong.status_code == 422

    closed = await _ok(client, cid, "closed", reason="spam")
    assert (
        closed["status"] == "closed" and closed["closed_at"] and closed["status_reason"] == "spam"
    )
    for status in ("open", "resolved", "closed", "pending"):
        refused = await _status(client, cid, status, reason="please")
        assert refused.status_code == 409 and "final" in refused.json()["detail"]
    reply = await client.post(f"/v1/conversations/{cid}/replies", json={"text": "Hello"})
    assert reply.status_code == 409 and "closed" in reply.json()["detail"]
    event = _of_type(await timeline(client, cid), "conversation.closed")[0]
    assert event["data"]["from"] == "waiting" and event["data"]["reason"] == "spam"


async def test_resolve_reopen_and_close(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna")
    ticket = await routed(client, await post(client, "z1", "1", "Hello, I need help"))
    cid = ticket["id"]
    resolved = await client.post(f"/v1/conversations/{cid}/resolve")  # the older route
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert resolved.json()["assignee_id"] == anna["id"]  # still the owner
    assert (await _loads(client))[anna["id"]] == 0
    again = await _status(client, cid, "resolved")
    assert again.status_code == 409
    reply = await client.post(f"/v1/conversations/{cid}/replies", json={"text": "Hello"})
    assert reply.status_code == 409 and "reopen it first" in reply.json()["detail"]
    pending = await _status(client, cid, "pending")
    assert pending.status_code == 409 and "reopen" in pending.json()["detail"]

    reopened = await _ok(client, cid, "open")
    assert reopened["status"] == "assigned" and reopened["assignee_id"] == anna["id"]
    assert reopened["resolved_at"] is None
    await _ok(client, cid, "resolved")
    closed = await _ok(client, cid, "closed")  # from resolved: no reason needed
    assert closed["status"] == "closed"
    kinds = [e["type"] for e in await timeline(client, cid) if e["type"].startswith("conv")]
    assert kinds[-4:] == [
        "conversation.reopened",
        "conversation.assigned",
        "conversation.resolved",
        "conversation.closed",
    ]


async def test_who_may_change_the_status(client: httpx.AsyncClient) -> None:
    front, back = await team(client, "Front"), await team(client, "Back")
    anna = await advisor(client, "Anna", team_id=front["id"])
    colleague = await advisor(client, "Cleo", team_id=front["id"], status="away")
    outsider = await advisor(client, "Omar", team_id=back["id"], status="away")
    ticket = await routed(client, await post(client, "w1", "1", "Hello, I need help"))
    assert ticket["assignee_id"] == anna["id"]
    cid = ticket["id"]
    hidden = await _status(client, cid, "pending", headers=await login(client, outsider))
    assert hidden.status_code == 404
    colleague_auth = await login(client, colleague)
    # Cleo sees her team's queue, not Anna's assigned work: not found, either.
    assert (await _status(client, cid, "pending", headers=colleague_auth)).status_code == 404
    owner = await _status(client, cid, "pending", headers=await login(client, anna))
    assert owner.status_code == 200, owner.text
    key = await client.post("/v1/api-keys", json={"name": "crm", "scopes": ["conversations:write"]})
    api = {"X-API-Key": key.json()["secret"], "Authorization": ""}
    by_key = await _status(client, cid, "resolved", headers=api)
    assert by_key.status_code == 200, by_key.text
    event = _of_type(await timeline(client, cid), "conversation.resolved")[0]
    assert event["data"]["by"]["kind"] == "api_key"
    # A waiting ticket in Cleo's team queue: she sees it, but it is not hers to close.
    await client.patch(f"/v1/advisors/{anna['id']}", json={"status": "away"})
    waiting = await routed(client, await post(client, "w2", "1", "Hello?"))
    assert waiting["status"] == "waiting"
    refused = await _status(client, waiting["id"], "closed", reason="spam", headers=colleague_auth)
    assert refused.status_code == 403


async def test_customer_writes_again_within_the_window_reopens(
    client: httpx.AsyncClient,
) -> None:
    anna = await advisor(client, "Anna")
    first = await routed(client, await post(client, "k1", "1", "Hello, my parcel is late"))
    await _ok(client, first["id"], "resolved")
    later = await routed(client, await post(client, "k1", "2", "It still has not arrived"))
    assert later["id"] == first["id"]
    assert later["status"] == "assigned" and later["assignee_id"] == anna["id"]
    event = _of_type(await timeline(client, first["id"]), "conversation.reopened")[0]
    assert event["data"]["by"] == {"kind": "customer"} and event["data"]["from"] == "resolved"


async def test_after_the_window_or_a_close_a_new_linked_conversation(
    client: httpx.AsyncClient,
) -> None:
    await advisor(client, "Anna", capacity_total=3)
    first = await routed(client, await post(client, "q1", "1", "Hello, my parcel is late"))
    resolved = await _ok(client, first["id"], "resolved")
    resolved_at = resolved["resolved_at"]
    assert resolved_at
    await set_rows(
        client,
        first["id"],
        resolved_at=utcnow() - timedelta(hours=73),  # the default window is 72 h
    )
    second = await routed(client, await post(client, "q1", "2", "A new question"))
    assert second["id"] != first["id"]
    assert second["previous_conversation_id"] == first["id"]
    opened = _of_type(await timeline(client, second["id"]), "conversation.opened")[0]
    assert opened["data"]["previous_conversation_id"] == first["id"]

    await _ok(client, second["id"], "resolved")
    await _ok(client, second["id"], "closed")  # closed: final, even within the window
    third = await routed(client, await post(client, "q1", "3", "And another"))
    assert third["id"] not in (first["id"], second["id"])
    assert third["previous_conversation_id"] == second["id"]


async def test_reopening_while_another_is_open_is_refused(quiet: httpx.AsyncClient) -> None:
    client = quiet
    await advisor(client, "Anna", capacity_total=3)
    first = await routed(client, await post(client, "m1", "1", "Hello"))
    await _ok(client, first["id"], "resolved")
    await set_rows(client, first["id"], resolved_at=utcnow() - timedelta(hours=100))
    second = await routed(client, await post(client, "m1", "2", "Hello again"))
    assert second["id"] != first["id"]
    refused = await _status(client, first["id"], "open")
    assert refused.status_code == 409 and str(second["id"]) in refused.json()["detail"]


async def test_the_ticket_clock(client: httpx.AsyncClient) -> None:
    rt = runtime_of(client)
    await advisor(client, "Anna", capacity_total=3)
    done = await routed(client, await post(client, "x1", "1", "Hello"))
    waiting_on_them = await routed(client, await post(client, "x2", "1", "Hello"))
    reply = await client.post(
        f"/v1/conversations/{waiting_on_them['id']}/replies", json={"text": "Your order number?"}
    )
    assert reply.status_code == 202, reply.text
    resolved = await _ok(client, done["id"], "resolved")
    pending = await _ok(client, waiting_on_them["id"], "pending")
    now = utcnow()
    assert await lifecycle.expire(rt.db, rt.settings, now=now) == 0  # nothing due yet

    in_4_days = now + timedelta(days=4)  # past the 72 h window, not the 168 h wait
    assert await lifecycle.expire(rt.db, rt.settings, now=in_4_days) == 1
    closed = await conversation(client, done["id"])
    assert closed["status"] == "closed" and closed["status_reason"] == "reopen window passed"
    assert closed["resolved_at"] == resolved["resolved_at"]
    event = _of_type(await timeline(client, done["id"]), "conversation.closed")[0]
    assert event["data"]["by"] == {"kind": "system"} and event["data"]["from"] == "resolved"
    assert (await conversation(client, waiting_on_them["id"]))["status"] == "pending"

    in_8_days = now + timedelta(days=8)
    assert await lifecycle.expire(rt.db, rt.settings, now=in_8_days) == 1
    gave_up = await conversation(client, waiting_on_them["id"])
    assert gave_up["status"] == "resolved"
    assert gave_up["status_reason"] == "no answer from the customer"
    assert gave_up["assignee_id"] == pending["assignee_id"]
    events = await timeline(client, waiting_on_them["id"])
    assert _of_type(events, "conversation.resolved")[0]["data"]["by"] == {"kind": "system"}
    assert _of_type(events, "csat.sent")  # an advisor had answered: a survey goes out
    # Idempotent: nothing left to do.
    assert await lifecycle.expire(rt.db, rt.settings, now=in_8_days) == 0


async def test_the_ticket_clock_is_bounded_and_safe_with_several_workers(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = runtime_of(client)
    await advisor(client, "Anna", capacity_total=5)
    ids = []
    for sender in ("c1", "c2", "c3", "c4", "c5"):
        ticket = await routed(client, await post(client, sender, "1", "Hello"))
        assert (await client.post(f"/v1/conversations/{ticket['id']}/resolve")).is_success
        ids.append(ticket["id"])
    monkeypatch.setattr(lifecycle, "BATCH", 2)
    monkeypatch.setattr(lifecycle, "MAX_BATCHES", 1)
    later = utcnow() + timedelta(days=4)  # the background clock runs on the real time
    assert await lifecycle.expire(rt.db, rt.settings, now=later) == 2  # one batch a round
    # Two workers at once: each row is taken by one of them only.
    rounds = await asyncio.gather(*(lifecycle.expire(rt.db, rt.settings, now=later) for _ in "ab"))
    assert sum(rounds) == 3
    assert await lifecycle.expire(rt.db, rt.settings, now=later) == 0
    for cid in ids:
        assert (await conversation(client, cid))["status"] == "closed"
        assert len(_of_type(await timeline(client, cid), "conversation.closed")) == 1
