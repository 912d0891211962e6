"""Reply templates without I/O: validation, variant choice, placeholders, styling, ranking."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from router.customers.facts import extract_facts
from router.demo.templates import TEMPLATES
from router.models.templates import ReplyTemplateCreate
from router.replies.render import Context, channel_kind, latest_facts, pick_variant, render
from router.replies.suggest import SAME_INTENT, SIMILAR_WORDING, Candidate, rank


def variant(kind: str, language: str, body: str, subject: str | None = None) -> dict[str, Any]:
    return {"channel_kind": kind, "language": language, "subject": subject, "body": body}


ORDER = [
    variant(
        "email",
        "fr",
        "Votre commande {{order_number}} ({{amount}}) part le {{date}}.",
        "Commande {{order_number}}",
    ),
    variant("email", "en", "Your order {{order_number}} ships on {{date}}."),
    variant("chat", "en", "Order {{order_number}} ships on {{date}}."),
    variant("any", "fr", "Commande {{order_number}} : expédition le {{date}}."),
    variant("social", "en", "Hi {{customer.first_name}}, it ships soon!"),
]
FACTS = {"order_number": "CMD-2024-0042", "date": "2026-03-14", "amount": "129.90 EUR"}


def context(channel: str, language: str, **extra: Any) -> Context:
    fields: dict[str, Any] = {
        "customer_name": "Claire Martin",
        "advisor_name": "Anna Roy",
        "team_name": "Front office",
        "facts": FACTS,
        **extra,
    }
    return Context(channel=channel, language=language, conversation_id=42, **fields)


def test_email_gets_a_localised_greeting_and_signature_and_french_formats() -> None:
    rendered = render(ORDER, context("email", "fr"))
    assert rendered is not None and rendered.sendable
    assert rendered.text == (
        "Bonjour Claire,\n\n"
        "Votre commande CMD-2024-0042 (129,90 EUR) part le 14/03/2026.\n\n"
        "Cordialement,\nAnna Roy\nFront office"
    )
    assert rendered.subject == "Commande CMD-2024-0042"
    assert (rendered.variant_kind, rendered.language, rendered.fallback) == ("email", "fr", False)


def test_english_email_without_a_customer_name_says_hello_alone() -> None:
    rendered = render(ORDER, context("email", "en", customer_name=None, team_name=None))
    assert rendered is not None
    assert rendered.text == (
        "Hello,\n\nYour order CMD-2024-0042 ships on 2026-03-14.\n\nKind regards,\nAnna Roy"
    )
    assert rendered.subject is None  # the variant has none: the thread's subject is kept


def test_chat_is_the_body_alone() -> None:
    rendered = render(ORDER, context("api", "en"))
    assert rendered is not None
    assert rendered.text == "Order CMD-2024-0042 ships on 2026-03-14."
    assert rendered.channel_kind == "chat" and rendered.subject is None


@pytest.mark.parametrize(
    ("channel", "language", "used"),
    [
        ("chat", "fr", ("any", "fr")),  # no French chat variant: the any one in French
        ("chat", "de", ("chat", "en")),  # no German at all: English
        ("whatsapp", "fr", ("any", "fr")),  # no French social variant
        ("instagram", "en", ("social", "en")),
        ("email", "fr", ("email", "fr")),
    ],
)
def test_variant_fallback_order(channel: str, language: str, used: tuple[str, str]) -> None:
    chosen = pick_variant(ORDER, channel_kind(channel), language)
    assert chosen is not None and (chosen["channel_kind"], chosen["language"]) == used
    rendered = render(ORDER, context(channel, language))
    assert rendered is not None and (rendered.variant_kind, rendered.language) == used
    assert rendered.fallback == (used != (channel_kind(channel), language))


def test_no_variant_without_an_english_fallback() -> None:
    assert render([variant("email", "fr", "Bonjour")], context("chat", "en")) is None


def test_channel_kinds() -> None:
    kinds = {
        c: channel_kind(c)
        for c in ("email", "chat", "api", "messenger", "instagram", "whatsapp", "x")
    }
    assert kinds == {
        "email": "email",
        "chat": "chat",
        "api": "chat",
        "messenger": "social",
        "instagram": "social",
        "whatsapp": "social",
        "x": "social",
    }


def test_unfillable_placeholders_are_reported_never_filled_with_nothing() -> None:
    rendered = render(ORDER, context("chat", "en", facts={}, customer_name=None))
    assert rendered is not None
    assert rendered.missing == ["order_number", "date"] and not rendered.sendable
    assert "{{order_number}}" in rendered.text  # visible in the preview, refused on send


def test_an_address_is_not_a_first_name() -> None:
    rendered = render(ORDER, context("x", "en", customer_name="claire@example.org"))
    assert rendered is not None and rendered.missing == ["customer.first_name"]


def test_personal_placeholders_are_withheld_from_a_public_reply() -> None:
    variants = [variant("any", "en", "Hi {{customer.first_name}}, order {{order_number}} is late.")]
    rendered = render(variants, context("messenger", "en"))
    assert rendered is not None and not rendered.sendable
    assert rendered.withheld == ["order_number"] and rendered.missing == []
    assert "CMD-2024-0042" not in rendered.text
    assert render(variants, context("chat", "en")).sendable  # type: ignore[union-attr]


def test_facts_the_latest_message_wins() -> None:
    older = extract_facts("Commande CMD-2024-0001, facture INV-2024-7")
    newer = extract_facts("Sorry, my order is CMD-2024-0042")
    assert latest_facts([older, newer]) == {
        "order_number": "CMD-2024-0042",
        "invoice_number": "INV-2024-7",
    }


def body(kind: str, text: str, subject: str | None = None) -> dict[str, Any]:
    return {"name": "t", "variants": [variant(kind, "en", text, subject)]}


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            body("chat", "Hi {{customer.email}} {{foo.bar}}"),
            "unknown placeholders: customer.email, foo.bar",
        ),
        (body("social", "Your order {{order_number}}"), "no personal data (order_number)"),
        (body("social", "Dear {{customer.name}}"), "no personal data (customer.name)"),
        (body("social", "x" * 641), "at most 640 characters"),
        (body("chat", "x" * 1001), "at most 1000 characters"),
        (body("chat", "Hi", subject="Hello"), "only email (or any) variants have a subject"),
        (body("email", "Hi {{customer.first_name}"), "unbalanced"),
        (body("email", "   "), "needs some text"),
        ({"name": "t", "variants": []}, "at least 1 item"),
        ({"name": " ", "variants": [variant("chat", "en", "x")]}, "needs a name"),
        (
            {"name": "t", "intent": "Not An Intent", "variants": [variant("chat", "en", "x")]},
            "pattern",
        ),
        ({"name": "t", "variants": [variant("chat", "de", "x")]}, "'en' or 'fr'"),
        (
            {"name": "t", "variants": [variant("chat", "en", "a"), variant("chat", "en", "b")]},
            "twice: chat/en",
        ),
    ],
)
def test_invalid_templates_are_refused_with_a_reason(document: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        ReplyTemplateCreate.model_validate(document)


def test_limits_are_inclusive_and_demo_templates_are_valid() -> None:
    ReplyTemplateCreate.model_validate(body("social", "x" * 640))
    ReplyTemplateCreate.model_validate(
        body("email", "{{ order_number }} " + "x" * 4000, "{{order_number}}")
    )
    for template in TEMPLATES:
        ReplyTemplateCreate.model_validate(template)


CANDIDATES = [
    Candidate(1, "billing", "Invoice copy\nPlease find attached a copy of your invoice."),
    Candidate(
        2,
        "order_delivery",
        "Where is my parcel\nYour parcel has shipped; follow it with the tracking number.",
    ),
    Candidate(3, "refund_return", "Refund\nYour refund will reach your account within 5 days."),
    Candidate(4, "order_delivery", "Delivery delay\nWe are sorry the delivery is late."),
    Candidate(5, "refund_return", "Remboursement\nVotre remboursement sera crédité sous 5 jours."),
]


def test_the_same_intent_comes_first_then_similar_wording() -> None:
    ranked = rank("Where is my parcel? I have no tracking number", "order_delivery", CANDIDATES, 5)
    assert [r.id for r in ranked][:2] == [2, 4]
    assert ranked[0].reasons == [SAME_INTENT, SIMILAR_WORDING]
    assert ranked[0].score > ranked[1].score > 1 > ranked[2].score


def test_without_an_intent_wording_decides_accents_folded() -> None:
    french = rank("Je voudrais etre rembourse, merci", None, CANDIDATES, 2)
    assert french[0].id == 5 and french[0].reasons == [SIMILAR_WORDING]
    assert french[1].reasons == []  # nothing else is worded like it
    english = rank("I want my refund, it has been 10 days", None, CANDIDATES, 1)
    assert english[0].id == 3 and english[0].reasons == [SIMILAR_WORDING]


def test_ranking_edge_cases() -> None:
    assert rank("anything", "billing", [], 5) == []
    assert [r.id for r in rank("", "billing", CANDIDATES, 2)] == [1, 2]  # no text: intent, then id
    tiny = rank("?", None, [Candidate(9, None, "!")], 3)
    assert tiny[0].similarity == 0 and tiny[0].reasons == []
    assert len(rank("parcel", None, CANDIDATES, 3)) == 3


def test_spaces_inside_braces_are_the_same_placeholder() -> None:
    rendered = render([variant("chat", "en", "Order {{ order_number }}.")], context("chat", "en"))
    assert rendered is not None and rendered.text == "Order CMD-2024-0042." and rendered.sendable
    spaced = rank("order", None, [Candidate(1, None, "{{ order_number }}")], 1)
    assert spaced[0].similarity == 0  # placeholders are not wording
