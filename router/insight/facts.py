"""Facts a customer gave in their messages (to be written: issue 6)."""

from __future__ import annotations

from dataclasses import dataclass

FACT_KINDS = (
    "order_number",
    "invoice_number",
    "contract_number",
    "tracking_number",
    "email",
    "phone",
    "amount",
    "date",
)


@dataclass(frozen=True)
class Fact:
    kind: str  # one of FACT_KINDS
    value: str  # normalised: "FR-2024-00123", "+33612345678", "129.90 EUR", "2026-03-14"
    raw: str  # as written


def extract_facts(text: str) -> list[Fact]:
    """Facts in the order they appear, duplicates (same kind and value) removed."""
    return []
