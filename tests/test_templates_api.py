"""Reply templates through the API: admin CRUD, suggestions for a conversation, replies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import message_payload, wait_for
from tests.routing_support import advisor, login, routed, team

DELIVERY = (
    "Where is my parcel? My order CMD-2024-0042 has not arrived, tracking number 1Z999AA10123456784"
)


async def say(http: httpx.AsyncClient, sender: dict[str, str], text: str, **extra: Any) -> int:
    """A customer message from a named sender; its id."""
    payload = {
        **message_payload(sender["id"], f"{sender['id']}-1", text, **extra),
        "sender": sender,
    }
    response = await http.post("/v1/messages", json=payload)
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def variant(kind: str, language: str, body: str, subject: str | None = None) -> dict[str, Any]:
    return {"channel_kind": kind, "language": language, "subject": subject, "body": body}


LATE = "Bonjour, ma commande CMD-2024-0042 de 129,90 € n'est toujours pas arrivée. Merci."


async def create(http: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "variants": [variant("any", "en", f"{name} text")], **fields}
    response = await http.post("/v1/templates", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_admin_crud(client: httpx.AsyncClient) -> None:
    created = await create(
        client,
        "Delivery: shipped",
        intent="order_delivery",
        variants=[
            variant("email", "en", "Order {{order_number}} shipped.", "Order {{order_number}}"),
            variant("chat", "fr", "Commande {{order_number}} expédiée."),
        ],
    )
    assert created["active"] is True and len(created["variants"]) == 2
    await create(client, "Billing: copy", intent="billing", active=False)
    template_id = created["id"]
    assert (await client.get(f"/v1/templates/{template_id}")).json() == created

    listed = (await client.get("/v1/templates", params={"intent": "order_delivery"})).json()
    assert [t["name"] for t in listed] == ["Delivery: shipped"]
    inactive = (await client.get("/v1/templates", params={"active": "false"})).json()
    assert [t["name"] for t in inactive] == ["Billing: copy"]

    patched = await client.patch(
        f"/v1/templates/{template_id}", json={"active": False, "intent": None}
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["active"], patched.json()["intent"]) == (False, None)
    assert patched.json()["variants"] == created["variants"]  # not given: unchanged

    duplicate = await client.patch(f"/v1/templates/{template_id}", json={"name": "Billing: copy"})
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "name"
    again = await client.post(
        "/v1/templates", json={"name": "Billing: copy", "variants": [variant("chat", "en", "x")]}
    )
    assert again.status_code == 409

    assert (await client.delete(f"/v1/templates/{template_id}")).status_code == 204
    assert (await client.get(f"/v1/templates/{template_id}")).status_code == 404
    assert (await client.delete(f"/v1/templates/{template_id}")).status_code == 404
    assert (await client.patch(f"/v1/templates/{template_id}", json={})).status_code == 404


async def test_invalid_templates_are_422_with_the_reason(client: httpx.AsyncClient) -> None:
    unknown = await client.post(
        "/v1/templates",
        json={"name": "t", "variants": [variant("chat", "en", "Hi {{customer.age}} {{x}}")]},
    )
    assert unknown.status_code == 422
    assert "unknown placeholders: customer.age, x" in unknown.json()["detail"]
    public = await client.post(
        "/v1/templates",
        json={"name": "t", "variants": [variant("social", "fr", "Facture {{invoice_number}}")]},
    )
    assert public.status_code == 422 and "no personal data" in public.json()["detail"]
    too_many = [
        variant(k, lang, "x") for k in ("email", "chat", "social", "any") for lang in ("en", "fr")
    ]
    many = await client.post("/v1/templates", json={"name": "t", "variants": too_many * 2})
    assert many.status_code == 422
    long_name = await client.post(
        "/v1/templates", json={"name": "n" * 121, "variants": [variant("chat", "en", "x")]}
    )
    assert long_name.status_code == 422
    bad_filter = await client.get("/v1/templates", params={"intent": "DROP TABLE"})
    assert bad_filter.status_code == 422
    assert (await client.get("/v1/templates")).json() == []  # nothing was stored


async def test_advisors_read_but_do_not_write(client: httpx.AsyncClient) -> None:
    created = await create(client, "Greeting")
    anna = await login(client, await advisor(client, "Anna"))
    assert (await client.get("/v1/templates", headers=anna)).status_code == 200
    assert (await client.get(f"/v1/templates/{created['id']}", headers=anna)).status_code == 200
    body = {"name": "Mine", "variants": [variant("chat", "en", "x")]}
    assert (await client.post("/v1/templates", json=body, headers=anna)).status_code == 403
    path = f"/v1/templates/{created['id']}"
    assert (await client.patch(path, json={"active": False}, headers=anna)).status_code == 403
    assert (await client.delete(path, headers=anna)).status_code == 403


async def _intent_of(http: httpx.AsyncClient, message_id: int) -> str:
    message = (await http.get(f"/v1/messages/{message_id}")).json()
    return str(message["classification"]["intent"])


async def test_suggestions_rank_render_and_respect_visibility(client: httpx.AsyncClient) -> None:
    anna = await advisor(client, "Anna")
    message_id = await say(client, {"id": "claire", "name": "Claire Martin"}, DELIVERY)
    ticket = await routed(client, message_id)
    assert ticket["assignee_id"] == anna["id"]
    intent = await _intent_of(client, message_id)
    other = "billing" if intent != "billing" else "technical"
    parcel = await create(
        client,
        "Parcel tracking",
        intent=intent,
        variants=[
            variant(
                "chat",
                "en",
                "Hi {{customer.first_name}}, order {{order_number}}: tracking {{tracking_number}}.",
            ),
            variant("chat", "fr", "Commande {{order_number}} : suivi {{tracking_number}}."),
        ],
    )
    invoice = await create(
        client,
        "Invoice copy",
        intent=other,
        variants=[variant("any", "en", "Invoice {{invoice_number}} attached.")],
    )
    worded = await create(
        client,
        "Parcel not arrived",
        variants=[variant("any", "en", "Sorry your parcel has not arrived; we are checking.")],
    )
    await create(client, "Retired", intent=intent, active=False)

    response = await client.get(
        f"/v1/conversations/{ticket['id']}/suggestions", headers=await login(client, anna)
    )
    assert response.status_code == 200, response.text
    suggestions = response.json()
    assert [s["template_id"] for s in suggestions] == [parcel["id"], worded["id"], invoice["id"]]
    best = suggestions[0]
    assert best["reasons"][0] == "same intent" and best["sendable"] and best["missing"] == []
    assert best["text"] == "Hi Claire, order CMD-2024-0042: tracking 1Z999AA10123456784."
    assert (best["channel_kind"], best["variant_kind"], best["language"]) == ("chat", "chat", "en")
    assert suggestions[1]["reasons"] == ["similar wording"]
    assert suggestions[2]["missing"] == ["invoice_number"] and not suggestions[2]["sendable"]
    assert "{{invoice_number}}" in suggestions[2]["text"]
    one = await client.get(f"/v1/conversations/{ticket['id']}/suggestions", params={"limit": 1})
    assert [s["template_id"] for s in one.json()] == [parcel["id"]]

    back = await team(client, "Back office")
    sam = await login(client, await advisor(client, "Sam", team_id=back["id"]))
    hidden = await client.get(f"/v1/conversations/{ticket['id']}/suggestions", headers=sam)
    assert hidden.status_code == 404
    assert (await client.get("/v1/conversations/999999/suggestions")).status_code == 404
    too_many = await client.get(
        f"/v1/conversations/{ticket['id']}/suggestions", params={"limit": 99}
    )
    assert too_many.status_code == 422


async def test_an_email_suggestion_is_formal_in_the_customer_language(
    client: httpx.AsyncClient,
) -> None:
    marie = {"id": "marie@example.org", "email": "marie@example.org", "name": "Marie Curie"}
    message_id = await say(client, marie, LATE, channel="email", subject="Commande en retard")
    ticket = await routed(client, message_id)
    assert (await client.get(f"/v1/messages/{message_id}")).json()["classification"][
        "language"
    ] == "fr"
    await create(
        client,
        "Retard",
        variants=[
            variant(
                "email",
                "fr",
                "Votre commande {{order_number}} ({{amount}}) est en route.",
                "Re : {{conversation.subject}}",
            ),
            variant("any", "en", "Your order is on its way."),
        ],
    )
    (suggestion,) = (await client.get(f"/v1/conversations/{ticket['id']}/suggestions")).json()
    assert suggestion["text"] == (
        "Bonjour Marie,\n\nVotre commande CMD-2024-0042 (129,90 EUR) est en route.\n\n"
        "Cordialement,\nTest Admin"
    )
    assert suggestion["subject"] == "Re : Commande en retard"
    assert (suggestion["variant_kind"], suggestion["language"], suggestion["fallback"]) == (
        "email",
        "fr",
        False,
    )


async def _reply(http: httpx.AsyncClient, conversation_id: int, **body: Any) -> httpx.Response:
    return await http.post(f"/v1/conversations/{conversation_id}/replies", json=body)


async def test_replying_with_a_template(client: httpx.AsyncClient) -> None:
    message_id = await say(client, {"id": "paul", "name": "Paul Durand"}, DELIVERY)
    ticket = await routed(client, message_id)
    filled = await create(
        client,
        "Tracking",
        variants=[
            variant("any", "en", "Hi {{customer.first_name}}, tracking: {{tracking_number}}.")
        ],
    )
    unfillable = await create(
        client, "Invoice", variants=[variant("any", "en", "Invoice {{invoice_number}}, {{date}}.")]
    )
    retired = await create(client, "Retired", active=False)

    sent = await _reply(client, ticket["id"], template_id=filled["id"], idempotency_key="t1")
    assert sent.status_code == 202, sent.text
    assert sent.json()["text"] == "Hi Paul, tracking: 1Z999AA10123456784."
    assert sent.json()["metadata"]["template_id"] == filled["id"]

    refused = await _reply(client, ticket["id"], template_id=unfillable["id"])
    assert refused.status_code == 422 and refused.json()["field"] == "template_id"
    assert "invoice_number, date" in refused.json()["detail"]

    edited = await _reply(
        client, ticket["id"], template_id=unfillable["id"], text="Your invoice is attached."
    )
    assert edited.status_code == 202, edited.text
    assert edited.json()["text"] == "Your invoice is attached."
    assert edited.json()["metadata"]["template_id"] == unfillable["id"]

    raw = await _reply(
        client, ticket["id"], template_id=unfillable["id"], text="Invoice {{invoice_number}}"
    )
    assert raw.status_code == 422 and raw.json()["field"] == "text"
    inactive = await _reply(client, ticket["id"], template_id=retired["id"])
    assert inactive.status_code == 422 and "inactive" in inactive.json()["detail"]
    unknown = await _reply(client, ticket["id"], template_id=999_999)
    assert unknown.status_code == 422 and unknown.json()["field"] == "template_id"
    assert (await _reply(client, ticket["id"])).status_code == 422  # neither text nor template
    plain = await _reply(client, ticket["id"], text="Anything else?")
    assert plain.status_code == 202 and "template_id" not in plain.json()["metadata"]

    async def all_sent() -> bool:
        messages = (await client.get(f"/v1/conversations/{ticket['id']}/messages")).json()
        outbound = [m for m in messages if m["direction"] == "outbound"]
        return len(outbound) == 3 and all(m["status"] != "queued" for m in outbound)

    await wait_for(all_sent)  # the outbound worker takes them; nothing refused was stored


@pytest.mark.usefixtures("demo")
async def test_demo_templates_serve_a_french_delivery_question(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/v1/templates")).json()
    assert {t["intent"] for t in listed} >= {"order_delivery", "refund_return", "billing"}
    message_id = await say(
        client,
        {"id": "lea", "name": "Léa Petit"},
        "Bonjour, où en est ma commande CMD-2024-0042 ? Le colis n'est pas arrivé, numéro de "
        "suivi 1Z999AA10123456784.",
    )
    ticket = await routed(client, message_id)
    best = (await client.get(f"/v1/conversations/{ticket['id']}/suggestions")).json()[0]
    assert best["name"] == "Delivery: where is my parcel" and best["sendable"]
    assert best["text"] == "Votre commande CMD-2024-0042 est expédiée : suivi 1Z999AA10123456784."
