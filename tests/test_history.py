"""The customer timeline (order, pages, filters, access) and the advisor's context card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from router.customers.dates import resolve_year
from router.models import ConversationTag, CsatSurvey, Note
from router.tickets import events
from tests.conftest import runtime_of, wait_for
from tests.routing_support import advisor, login, routed, set_rows, team

EMAIL = "marie.curie@example.fr"
FIRST_EMAIL = (
    "Bonjour Madame, Monsieur,\n\n"
    "Ma commande n° 12345 du 14 mars 2026 n'est toujours pas arrivée. "
    "Le suivi Colissimo 6A12345678901 ne bouge plus depuis une semaine.\n"
    "Pouvez-vous vérifier ?\n\nCordialement,\nMarie Curie"
)
CHAT_1 = "Re-bonjour, j'ai payé 129,90 € pour cette commande n° 12345 et je pars le 3 avril."
CHAT_2 = "Je voudrais être remboursée si le colis est perdu. Mon numéro : 06 12 34 56 78."


async def _post(
    http: httpx.AsyncClient, channel: str, sender_id: str, ext: str, text: str, **extra: Any
) -> int:
    body = {
        "channel": channel,
        "external_id": ext,
        "sender": {"id": sender_id, "name": "Marie Curie", "email": EMAIL},
        "text": text,
        **extra,
    }
    response = await http.post("/v1/messages", json=body)
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


async def _note(
    http: httpx.AsyncClient, conversation: dict[str, Any], author: int, text: str
) -> int:
    """An internal note and its event, as the notes endpoint records them."""
    async with runtime_of(http).db.session() as session:
        note = Note(conversation_id=conversation["id"], author_id=author, text=text)
        session.add(note)
        await session.flush()
        events.record(
            session,
            "note.added",
            customer_id=conversation["customer_id"],
            conversation_id=conversation["id"],
            advisor_id=author,
            note_id=note.id,
            by={"kind": "staff", "id": author},
        )
        await session.commit()
        assert note.id is not None
        return note.id


async def _story(http: httpx.AsyncClient) -> dict[str, Any]:
    """Marie writes by email, goes on in the chat (same conversation: channel switch), gets
    a chat reply and a note, is transferred to Ben, resolved, then opens a new chat."""
    front = await team(http, "Front")
    anna = await advisor(http, "Anna", team_id=front["id"], capacity_total=3)
    ben = await advisor(http, "Ben", team_id=front["id"], capacity_total=3, status="away")
    first = await routed(
        http, await _post(http, "email", EMAIL, "mail-1", FIRST_EMAIL, subject="Commande 12345")
    )
    assert first["assignee_id"] == anna["id"]
    chat = await _post(http, "chat", "visitor-42", "chat-1", CHAT_1)
    assert (await routed(http, chat))["id"] == first["id"]
    reply = await http.post(
        f"/v1/conversations/{first['id']}/replies",
        json={"text": "Nous vérifions auprès du transporteur."},
        headers=await login(http, anna),
    )
    assert reply.status_code == 202, reply.text
    note_id = await _note(http, first, anna["id"], "Client fidèle, geste commercial possible.")
    await http.patch(f"/v1/advisors/{ben['id']}", json={"status": "available"})
    moved = await http.post(
        f"/v1/conversations/{first['id']}/transfer",
        json={"to_advisor_id": ben["id"], "note": "Colis perdu, voir remboursement."},
    )
    assert moved.status_code == 200, moved.text
    assert (await http.post(f"/v1/conversations/{first['id']}/resolve")).status_code == 200
    # Past the reopen window: the customer's next message opens a new, linked conversation.
    await set_rows(http, first["id"], resolved_at=datetime.now(UTC) - timedelta(hours=73))
    await http.patch(f"/v1/advisors/{ben['id']}", json={"status": "away"})
    second = await routed(http, await _post(http, "chat", "visitor-42", "chat-2", CHAT_2))
    assert second["id"] != first["id"] and second["assignee_id"] == anna["id"]
    await _outbound_settled(http, first["id"])
    return {"first": first, "second": second, "anna": anna, "ben": ben, "note_id": note_id}


async def _outbound_settled(http: httpx.AsyncClient, conversation_id: int) -> None:
    """The reply and the satisfaction survey sent: no delivery event is still to come."""

    async def settled() -> bool:
        response = await http.get(f"/v1/conversations/{conversation_id}/messages")
        outbound = [m for m in response.json() if m["direction"] == "outbound"]
        return bool(outbound) and all(m["status"] not in ("queued", "sending") for m in outbound)

    await wait_for(settled)


async def _page(http: httpx.AsyncClient, customer_id: int, **params: Any) -> dict[str, Any]:
    response = await http.get(f"/v1/customers/{customer_id}/timeline", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _all_pages(
    http: httpx.AsyncClient, customer_id: int, order: str, limit: int
) -> list[dict[str, Any]]:
    cursor = "before" if order == "desc" else "after"
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"order": order, "limit": limit}
    for _ in range(100):
        page = await _page(http, customer_id, **params)
        items += page["items"]
        following = page[f"next_{cursor}"]
        if following is None:
            return items
        assert following == page["items"][-1]["id"]
        params[cursor] = following
    raise AssertionError("the pages never ended")


async def test_the_timeline_tells_the_whole_story_in_order(client: httpx.AsyncClient) -> None:
    story = await _story(client)
    customer_id = story["first"]["customer_id"]

    async def delivered() -> list[dict[str, Any]] | None:
        items = (await _page(client, customer_id, limit=200))["items"]
        return items if any(i["type"] == "message.queued" for i in items) else None

    items = await wait_for(delivered)
    ids = [i["id"] for i in items]
    assert ids == sorted(ids, reverse=True)  # newest first by default
    oldest_first = [i["type"] for i in reversed(items)]
    expected = [
        "customer.created",
        "conversation.opened",
        "message.received",  # the email
        "conversation.assigned",
        "customer.identity_linked",  # the chat visitor is the same person
        "conversation.channel_switched",
        "message.received",
        "message.queued",
        "note.added",
        "conversation.transferred",
        "conversation.resolved",
        "conversation.opened",
        "message.received",
        "conversation.assigned",
    ]
    remaining = iter(oldest_first)
    assert all(t in remaining for t in expected), oldest_first  # in this order
    kinds = {i["kind"] for i in items}
    assert {"message", "assignment", "channel", "note", "transfer", "status"} <= kinds

    messages = [i for i in items if i["kind"] == "message"]
    inbound = [i["message"] for i in messages if i["message"]["direction"] == "inbound"]
    assert [m["channel"] for m in reversed(inbound)] == ["email", "chat", "chat"]
    assert inbound[-1]["excerpt"].startswith("Bonjour Madame") and inbound[-1]["subject"]
    outbound = next(i for i in messages if i["type"] == "message.queued")["message"]
    assert outbound["direction"] == "outbound" and outbound["channel"] == "chat"
    assert outbound["excerpt"] == "Nous vérifions auprès du transporteur."
    assert outbound["advisor_id"] == story["anna"]["id"] and outbound["status"]
    note = next(i for i in items if i["kind"] == "note")
    assert (
        note["note"]["id"] == story["note_id"] and note["note"]["author_id"] == story["anna"]["id"]
    )
    assert note["note"]["excerpt"].startswith("Client fidèle")
    assigned = next(i for i in items if i["type"] == "conversation.assigned")
    assert "explanation" not in assigned["data"]  # on the conversation's own events
    switch = next(i for i in items if i["kind"] == "channel")
    assert switch["data"] == {"previous": "email", "current": "chat"}

    # Oldest first is the same list reversed.
    ascending = (await _page(client, customer_id, order="asc", limit=200))["items"]
    assert [i["id"] for i in ascending] == ids[::-1]


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_pages_never_skip_nor_repeat(client: httpx.AsyncClient, order: str) -> None:
    story = await _story(client)
    customer_id = story["first"]["customer_id"]
    whole = (await _page(client, customer_id, order=order, limit=200))["items"]
    assert len(whole) > 10
    paged = await _all_pages(client, customer_id, order, limit=3)
    assert [i["id"] for i in paged] == [i["id"] for i in whole]
    # A page between two cursors.
    middle = whole[3]["id"], whole[8]["id"]
    bounds = {"before": max(middle), "after": min(middle)}
    between = (await _page(client, customer_id, order=order, **bounds))["items"]
    assert [i["id"] for i in between] == [i["id"] for i in whole[4:8]]


async def test_filters(client: httpx.AsyncClient) -> None:
    story = await _story(client)
    customer_id, second = story["first"]["customer_id"], story["second"]
    whole = (await _page(client, customer_id, limit=200))["items"]

    only = (await _page(client, customer_id, kind=["transfer", "note"], limit=200))["items"]
    assert {i["kind"] for i in only} == {"transfer", "note"}
    assert len(only) == len([i for i in whole if i["kind"] in ("transfer", "note")])

    email = (await _page(client, customer_id, channel="email", limit=200))["items"]
    assert email and all(i["message"]["channel"] == "email" for i in email)
    assert any(i["type"] == "message.received" for i in email)

    theirs = (await _page(client, customer_id, conversation_id=second["id"], limit=200))["items"]
    assert theirs and {i["conversation_id"] for i in theirs} == {second["id"]}
    assert {i["type"] for i in theirs} >= {"message.received", "conversation.opened"}

    since = datetime.fromisoformat(whole[len(whole) // 2]["at"])
    later = (await _page(client, customer_id, since=since.isoformat(), limit=200))["items"]
    assert [i["id"] for i in later] == [
        i["id"] for i in whole if datetime.fromisoformat(i["at"]) >= since
    ]
    earlier = (await _page(client, customer_id, until=since.isoformat(), limit=200))["items"]
    assert {i["id"] for i in earlier} | {i["id"] for i in later} == {i["id"] for i in whole}
    assert not {i["id"] for i in earlier} & {i["id"] for i in later}


async def test_bad_timeline_requests_are_refused_with_a_reason(client: httpx.AsyncClient) -> None:
    story = await _story(client)
    url = f"/v1/customers/{story['first']['customer_id']}/timeline"
    now = datetime.now(UTC)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"limit": 201}, 422, "limit"),
        ({"limit": 0}, 422, "limit"),
        ({"kind": "gossip"}, 422, "kind"),
        ({"channel": "pigeon"}, 422, "channel"),
        ({"order": "sideways"}, 422, "order"),
        ({"before": 0}, 422, "before"),
        ({"since": "2026-03-14T10:00:00"}, 422, "timezone"),
        ({"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()}, 422, "since"),
        ({"since": "yesterday"}, 422, "since"),
        ({"since": "0001-01-01T00:00:00+14:00"}, 422, "out of range"),
        ({"kind": ["message"] * 21}, 422, "kind"),
    ]
    for params, status, words in cases:
        response = await client.get(url, params=params)
        assert response.status_code == status, (params, response.text)
        assert words in response.text, (params, response.text)
    assert (await client.get("/v1/customers/999999/timeline")).status_code == 404


async def test_staff_see_only_what_they_may_and_keys_never_see_notes(
    client: httpx.AsyncClient,
) -> None:
    story = await _story(client)
    first, second = story["first"], story["second"]
    customer_id = first["customer_id"]
    url = f"/v1/customers/{customer_id}/timeline"

    # Another team's advisor: the customer does not exist for them, nor the card.
    elsewhere = await team(client, "Elsewhere")
    outsider = await login(client, await advisor(client, "Olga", team_id=elsewhere["id"]))
    assert (await client.get(url, headers=outsider)).status_code == 404
    card = await client.get(f"/v1/conversations/{second['id']}/context", headers=outsider)
    assert card.status_code == 404

    # Anna now holds only the second conversation (the first went to Ben).
    anna = await login(client, story["anna"])
    seen = (await client.get(url, params={"limit": 200}, headers=anna)).json()["items"]
    assert seen and {i["conversation_id"] for i in seen} <= {second["id"], None}
    ben = await login(client, story["ben"])
    his = (await client.get(url, params={"limit": 200}, headers=ben)).json()["items"]
    assert first["id"] in {i["conversation_id"] for i in his}
    assert any(i["kind"] == "note" for i in his)  # staff read notes
    assert (
        await client.get(f"/v1/conversations/{first['id']}/context", headers=anna)
    ).status_code == 404

    key = await client.post("/v1/api-keys", json={"name": "crm", "scopes": ["conversations:read"]})
    assert key.status_code == 201, key.text
    integrator = {"Authorization": "", "X-API-Key": key.json()["secret"]}
    items = (await client.get(url, params={"limit": 200}, headers=integrator)).json()["items"]
    assert items and all(i["kind"] != "note" for i in items)
    assert first["id"] in {i["conversation_id"] for i in items}
    notes = await client.get(url, params={"kind": "note"}, headers=integrator)
    assert notes.status_code == 200 and notes.json()["items"] == []
    assert any(i["kind"] == "note" for i in (await _page(client, customer_id, limit=200))["items"])


async def test_the_context_card_of_a_multichannel_customer(client: httpx.AsyncClient) -> None:
    story = await _story(client)
    first, second = story["first"], story["second"]
    await set_rows(client, first["id"], status_reason="refund issued for the lost parcel")
    async with runtime_of(client).db.session() as session:
        session.add(
            CsatSurvey(
                conversation_id=first["id"],
                advisor_id=story["ben"]["id"],
                channel="chat",
                language="fr",
                token_hash="x" * 64,
                score=4,
                answered_at=datetime.now(UTC),
            )
        )
        session.add(ConversationTag(conversation_id=second["id"], tag="lost-parcel"))
        await session.commit()

    response = await client.get(f"/v1/conversations/{second['id']}/context")
    assert response.status_code == 200, response.text
    card = response.json()
    assert card["conversation_id"] == second["id"]
    assert card["customer"] == {
        "id": first["customer_id"],
        "name": "Marie Curie",
        "tier": "standard",
        "email": EMAIL,
        "phone": None,
    }
    assert {(i["channel"], i["address"]) for i in card["identities"]} == {
        ("email", EMAIL),
        ("chat", "visitor-42"),
    }
    recent = card["conversations"]
    assert [c["id"] for c in recent] == [second["id"], first["id"]]
    assert [c["current"] for c in recent] == [True, False]
    assert recent[0]["status"] == "assigned" and recent[0]["channel"] == "chat"
    assert recent[1]["status"] == "resolved" and recent[1]["ticket_status"] == "resolved"
    assert recent[1]["outcome"] == "refund issued for the lost parcel"
    assert recent[1]["csat_score"] == 4 and recent[0]["csat_score"] is None
    assert recent[1]["resolved_at"] and recent[1]["intent"]
    # Ben handled the first conversation last; Anna's current assignment does not count.
    assert card["last_advisor"]["id"] == story["ben"]["id"]
    assert card["last_advisor"]["name"] == "Ben"
    assert card["last_advisor"]["conversation_id"] == first["id"]

    facts = [(f["kind"], f["value"], f["conversation_id"]) for f in card["facts"]]
    assert facts == [
        ("phone", "+33612345678", second["id"]),  # this conversation first
        ("amount", "129.90 EUR", first["id"]),  # then the earlier ones, newest first
        ("order_number", "12345", first["id"]),
        ("date", _april_3rd(card["facts"]), first["id"]),
        ("date", "2026-03-14", first["id"]),
        ("tracking_number", "6A12345678901", first["id"]),
    ]
    assert card["summary"].startswith("Je voudrais être remboursée si le colis est perdu.")
    assert card["reading"]["language"] == "fr" and card["reading"]["intent"]
    assert card["tags"] == ["lost-parcel"]


def _april_3rd(facts: list[dict[str, Any]]) -> str:
    """The day "le 3 avril" names: the year nearest its message's day (never --04-03)."""
    said = next(f for f in facts if f["raw"] == "3 avril")
    resolved = resolve_year("--04-03", datetime.fromisoformat(said["at"]).date())
    assert resolved.endswith("-04-03") and not resolved.startswith("--")
    return resolved


async def test_the_context_card_of_the_current_conversation_summarises_it(
    client: httpx.AsyncClient,
) -> None:
    story = await _story(client)
    first = story["first"]
    card = (await client.get(f"/v1/conversations/{first['id']}/context")).json()
    assert card["summary"].startswith("Ma commande n° 12345 du 14 mars 2026")
    assert "129,90 €" in card["summary"] and "Cordialement" not in card["summary"]
    assert len(card["summary"]) <= 400
    mine = [f for f in card["facts"] if f["conversation_id"] == first["id"]]
    assert {(f["kind"], f["value"]) for f in mine} == {
        ("order_number", "12345"),
        ("date", "2026-03-14"),
        ("date", _april_3rd(card["facts"])),
        ("amount", "129.90 EUR"),
        ("tracking_number", "6A12345678901"),
    }
    assert card["facts"][0]["conversation_id"] == first["id"]
    assert card["reading"]["message_id"] is not None
    assert (await client.get("/v1/conversations/999999/context")).status_code == 404
