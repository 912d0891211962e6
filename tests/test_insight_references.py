"""Issue 19's facts: references as French and English customers write them (n°, réf., #,
dashes and slashes), dates without a year given the message's year, amounts in currencies."""

from __future__ import annotations

from datetime import date

import pytest

from router.customers.dates import resolve_year
from router.customers.facts import extract_facts

SENT = date(2026, 12, 8)


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in extract_facts(text, SENT)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Ma facture n° FA-2026-11-0042 est fausse", "invoice_number", "FA-2026-11-0042"),
        ("facture numéro 2026-0042 en double", "invoice_number", "2026-0042"),
        ("Voir FA-2026-11-0042 ci-jointe", "invoice_number", "FA-2026-11-0042"),
        ("Invoice #INV/2026/0042 is wrong", "invoice_number", "INV/2026/0042"),
        ("invoice no. 2026/0042 charged twice", "invoice_number", "2026/0042"),
        ("Commande réf. CMD/2026/118 pas reçue", "order_number", "CMD/2026/118"),
        ("réf : CMD-2026-118", "order_number", "CMD-2026-118"),
        ("order no. A-123-456 never arrived", "order_number", "A-123-456"),
        ("my order #48213 is late", "order_number", "48213"),
        ("contrat n° CT/2025/0091 résilié ?", "contract_number", "CT/2025/0091"),
        ("contrat n°2025-77812", "contract_number", "2025-77812"),
        ("my contract number is AB-2025/77", "contract_number", "AB-2025/77"),
        ("Suite à mon ticket #48213, rien", "ticket_number", "48213"),
        ("dossier n° 2026-118 toujours ouvert", "ticket_number", "2026-118"),
        ("réclamation n° R-5521 sans réponse", "ticket_number", "R-5521"),
        ("about support case 00123456", "ticket_number", "00123456"),
        ("ticket no. 48213 was closed", "ticket_number", "48213"),
    ],
)
def test_references_in_french_and_english_forms(text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("payé 49,90 € hier", "49.90 EUR"),
        ("débité de €49.90", "49.90 EUR"),
        ("EUR 1 200 prélevés", "1200.00 EUR"),
        ("1 200 euros prélevés", "1200.00 EUR"),
        ("I paid $30 for nothing", "30.00 USD"),
        ("charged 30 dollars", "30.00 USD"),
        ("£12.50 delivery fee", "12.50 GBP"),
    ],
)
def test_amounts_with_currencies(text: str, value: str) -> None:
    assert found(text) == [("amount", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("livré le 2 décembre, abîmé", "2026-12-02"),  # the recent past
        ("rendez-vous le 3 janvier ?", "2027-01-03"),  # the near future, across new year
        ("delivered on December 2nd", "2026-12-02"),
        ("can you come on January 3?", "2027-01-03"),
        ("le 14 mars 2025 déjà", "2025-03-14"),  # a year written is kept
    ],
)
def test_a_date_without_a_year_takes_the_year_nearest_the_message(text: str, value: str) -> None:
    assert found(text) == [("date", value)]


def test_without_a_message_date_a_day_stays_partial_rather_than_guessed() -> None:
    assert [(f.kind, f.value) for f in extract_facts("livré le 2 décembre")] == [
        ("date", "--12-02")
    ]


def test_29_february_takes_the_nearest_leap_year() -> None:
    assert resolve_year("--02-29", date(2027, 1, 10)) == "2028-02-29"
    assert resolve_year("--02-29", date(2024, 3, 1)) == "2024-02-29"
    assert resolve_year("2025-01-01", SENT) == "2025-01-01"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ma facture, appelez-moi au 06 12 34 56 78", [("phone", "+33612345678")]),
        ("invoice question, call +44 20 7946 0958", [("phone", "+442079460958")]),
        ("facture du 12/03/2026", [("date", "2026-03-12")]),
        ("commande 12/03/2026 pas reçue", [("date", "2026-03-12")]),
        ("order 2026-03-14 missing", [("date", "2026-03-14")]),
        ("facture 49,90 €", [("amount", "49.90 EUR")]),
        ("in case 2 items are missing", []),
        ("ma demande de remboursement", []),
        ("le dossier est complet", []),
    ],
)
def test_a_phone_number_a_date_or_an_amount_is_not_a_reference(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text) == expected
