"""Fact extraction: French and English formats, normalised values, no false friends."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from router.customers.facts import FACT_KINDS, MAX_SCAN, Fact, extract_facts, extract_facts_each

PROPERTIES = settings(database=None, deadline=None, max_examples=300)


def values(text: str, kind: str) -> list[str]:
    return [f.value for f in extract_facts(text) if f.kind == kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Where is my order #12345?", "12345"),
        ("ma commande n° 12345 n'est pas arrivée", "12345"),
        ("Numéro de commande : 88812", "88812"),
        ("see CMD-2024-0042 please", "CMD-2024-0042"),
        ("order number: AB123456", "AB123456"),
        ("my order number is ab123456.", "AB123456"),
        ("votre commande nº 4567-B", "4567-B"),
    ],
)
def test_order_numbers(text: str, expected: str) -> None:
    assert values(text, "order_number") == [expected]


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("invoice INV-2024-001 is wrong", "invoice_number", "INV-2024-001"),
        ("la facture F2024-118 est fausse", "invoice_number", "F2024-118"),
        ("facture n° FA-20391 au format PDF", "invoice_number", "FA-20391"),
        ("Hello, INV-7781 was charged twice", "invoice_number", "INV-7781"),
        ("contract no. CT-889912", "contract_number", "CT-889912"),
        ("mon contrat n°4455-77 se termine", "contract_number", "4455-77"),
        ("numéro de contrat : EL-2231-X9", "contract_number", "EL-2231-X9"),
    ],
)
def test_invoice_and_contract_numbers(text: str, kind: str, expected: str) -> None:
    assert values(text, kind) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UPS says 1Z999AA10123456784 is in transit", "1Z999AA10123456784"),
        ("Colissimo 6A12345678901 bloqué", "6A12345678901"),
        ("lettre suivie LX123456789FR", "LX123456789FR"),
        ("le colis LX 123 456 789 FR", "LX123456789FR"),
        ("tracking number: 9400111899223", "9400111899223"),
        ("numéro de suivi : XY-778899", "XY-778899"),
    ],
)
def test_tracking_numbers(text: str, expected: str) -> None:
    assert values(text, "tracking_number") == [expected]


def test_emails_are_lower_cased_and_need_a_real_domain() -> None:
    text = "Write to Jean.Dupont@Example.FR, not to jean@localhost; cc x@y.co.uk."
    assert values(text, "email") == ["jean.dupont@example.fr", "x@y.co.uk"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("appelez-moi au 06 12 34 56 78", "+33612345678"),
        ("tel: 06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("+33 06 12 34 56 78", "+33612345678"),
        ("London office +44 20 7946 0958", "+442079460958"),
        ("call +1 415-555-0132 today", "+14155550132"),
    ],
)
def test_phone_numbers_in_e164(text: str, expected: str) -> None:
    assert values(text, "phone") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j'ai payé 129,90 €", "129.90 EUR"),
        ("I paid €129.90", "129.90 EUR"),
        ("a refund of $1,250.00", "1250.00 USD"),
        ("montant : 1 250,00 EUR", "1250.00 EUR"),
        ("1\u202f250,00\u00a0€", "1250.00 EUR"),
        ("1.250,00€", "1250.00 EUR"),
        ("45 euros de trop", "45.00 EUR"),
        ("£30 fee", "30.00 GBP"),
        ("CHF 45.50", "45.50 CHF"),
        ("12.5 dollars", "12.50 USD"),
    ],
)
def test_amounts(text: str, expected: str) -> None:
    assert values(text, "amount") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("livré le 14/03/2026", "2026-03-14"),
        ("on 2026-03-14", "2026-03-14"),
        ("le 14 mars 2026", "2026-03-14"),
        ("le 1er mars 2026", "2026-03-01"),
        ("mardi 3 février 2026", "2026-02-03"),
        ("on March 14, 2026", "2026-03-14"),
        ("the 14th of March 2026", "2026-03-14"),
        ("14.03.2026", "2026-03-14"),
        ("14/03/26", "2026-03-14"),
        ("03/14/2026", "2026-03-14"),  # cannot be day first: read as the US order
        ("le 3 janvier", "--01-03"),  # no year: kept partial, never guessed
        ("since March 14th", "--03-14"),
        ("le 29 février", "--02-29"),
    ],
)
def test_dates_in_iso(text: str, expected: str) -> None:
    assert values(text, "date") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "le 31/02/2026",  # no such day
        "version 1.10.20",
        "you may 3 times",
        "3/4 du prix",
        "à 10:30",
        "12/2026",
    ],
)
def test_things_that_are_not_dates(text: str) -> None:
    assert values(text, "date") == []


def test_a_phone_number_is_not_an_amount_nor_a_date() -> None:
    facts = extract_facts("Rappelez-moi au 06 12 34 56 78 €, merci")
    assert [(f.kind, f.value) for f in facts] == [("phone", "+33612345678")]
    assert [f.kind for f in extract_facts("06/12/2026")] == ["date"]


def test_a_date_or_an_amount_is_not_an_order_number() -> None:
    assert [(f.kind, f.value) for f in extract_facts("commande du 14/03/2026")] == [
        ("date", "2026-03-14")
    ]
    assert [(f.kind, f.value) for f in extract_facts("commande 2026-03-14")] == [
        ("date", "2026-03-14")
    ]
    assert [(f.kind, f.value) for f in extract_facts("facture 1290 € payée")] == [
        ("amount", "1290.00 EUR")
    ]
    assert extract_facts("I ordered 3 items, in order to save, order 300 units") == []


def test_a_keyword_number_wins_over_what_it_looks_like() -> None:
    facts = extract_facts("order number 0612345678")
    assert [(f.kind, f.value) for f in facts] == [("order_number", "0612345678")]


def test_bare_numbers_and_plain_words_are_not_facts() -> None:
    assert extract_facts("I have 3 kids and 12345 reasons to be angry, 100% sure") == []
    assert extract_facts("Bonjour, je n'ai toujours rien reçu. Merci de me rappeler.") == []


def test_order_of_appearance_duplicates_removed_raw_kept() -> None:
    text = (
        "Commande n° 12345 du 14 mars 2026, payée 129,90 €. "
        "Rappel : commande n° 12345, 129,90 € le 14/03/2026. Contact : marie@exemple.fr"
    )
    assert extract_facts(text) == [
        Fact("order_number", "12345", "Commande n° 12345"),
        Fact("date", "2026-03-14", "14 mars 2026"),
        Fact("amount", "129.90 EUR", "129,90 €"),
        Fact("email", "marie@exemple.fr", "marie@exemple.fr"),
    ]


def test_a_sentence_end_is_not_part_of_the_date() -> None:
    assert extract_facts("je pars le 3 avril.") == [Fact("date", "--04-03", "3 avril")]
    assert extract_facts("le 3 janv. 2026") == [Fact("date", "2026-01-03", "3 janv. 2026")]


def test_many_texts_at_once_are_read_apart() -> None:
    texts = [
        "commande n° 12345",
        "le 14 mars",
        "2026 à 10h",
        "",
        "06 12 34 56 78 et 06 12 34 56 78",
    ]
    assert extract_facts_each(texts) == [extract_facts(t) for t in texts]
    # "14 mars" and "2026" are two messages: no 2026-03-14 made of both.
    assert extract_facts_each(texts)[1] == [Fact("date", "--03-14", "14 mars")]
    # Past the budget, texts get nothing.
    assert extract_facts_each(texts, budget=20) == [extract_facts(texts[0]), [], [], [], []]
    assert extract_facts_each([]) == []


def test_only_the_head_of_a_huge_text_is_read() -> None:
    head = "order #12345 " + "x " * MAX_SCAN
    facts = extract_facts(head + "invoice INV-99999")
    assert [f.value for f in facts] == ["12345"]


@pytest.mark.parametrize(
    "text",
    [
        "order " + " " * 50_000 + "x",
        "0" * 100_000,
        "1/" * 50_000,
        "+1 " * 30_000,
        "06 12 " * 20_000,
        "a@" + "b." * 40_000,
        "€1," * 30_000,
        "commande n° " * 5_000,
        "14 mars " * 10_000,
    ],
)
def test_pathological_inputs_come_back(text: str) -> None:
    facts = extract_facts(text)
    assert all(f.kind in FACT_KINDS for f in facts)


_NORMALISED = {
    "email": re.compile(r"[^A-Z\s]+@[^\s@]+\.[a-z]{2,}"),
    "phone": re.compile(r"\+[1-9][0-9]{7,14}"),
    "amount": re.compile(r"[0-9]+\.[0-9]{2} (EUR|USD|GBP|CHF|CAD)"),
    "date": re.compile(r"([0-9]{4}|-)-[01][0-9]-[0-3][0-9]"),
}
_PIECES = st.sampled_from(
    [
        "commande n° ",
        "order #",
        "facture ",
        "INV-",
        "CT-",
        "1Z",
        "LX",
        "FR",
        "06 12 34 56 78",
        "+33",
        " (0)",
        "€",
        "$",
        " euros",
        ",",
        ".",
        "/",
        "-",
        " ",
        "\n",
        "14",
        "03",
        "2026",
        "mars",
        "March",
        "1er",
        "@",
        "exemple.fr",
        "é",
        "\u00a0",
    ]
)
_TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=60).map("".join),
)


@PROPERTIES
@given(texts=st.lists(_TEXTS, max_size=5))
def test_reading_texts_together_changes_nothing(texts: list[str]) -> None:
    assert extract_facts_each(texts) == [extract_facts(t) for t in texts]


@PROPERTIES
@given(text=_TEXTS)
def test_never_raises_and_values_are_normalised(text: str) -> None:
    facts = extract_facts(text)
    assert len({(f.kind, f.value) for f in facts}) == len(facts)
    for fact in facts:
        assert fact.kind in FACT_KINDS
        assert fact.raw and fact.raw in text
        pattern = _NORMALISED.get(fact.kind)
        if pattern is not None:
            assert pattern.fullmatch(fact.value), fact
        else:
            assert re.fullmatch(r"[A-Z0-9][A-Z0-9_/-]*", fact.value), fact
