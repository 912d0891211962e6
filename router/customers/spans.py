"""Candidate facts with their place in the text, and how overlapping candidates are settled."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

#: Ties between overlapping candidates of the same length: the lower rank wins.
RANK = {
    "email": 0,
    "order_number": 1,
    "invoice_number": 1,
    "contract_number": 1,
    "ticket_number": 1,
    "tracking_number": 1,
    "date": 2,
    "amount": 3,
    "phone": 4,
}


@dataclass(frozen=True)
class Found:
    kind: str
    value: str
    start: int
    end: int
    raw: str
    keyed: bool = False  # introduced by a keyword ("order", "facture"...): the surest kind


def settle(candidates: Iterable[Found]) -> list[Found]:
    """Keep the best of overlapping candidates, then order what is left by position.

    A number introduced by a keyword ("order", "facture") is that, whatever it looks like;
    otherwise the longer reading wins ("06 12 34 56 78 €" is a phone number, not 78 €),
    then the kind's rank.
    """
    ordered = sorted(
        candidates,
        key=lambda f: (not f.keyed, -(f.end - f.start), RANK[f.kind], f.start),
    )
    starts: list[int] = []  # the kept candidates, by position (they never overlap)
    kept: list[Found] = []
    for candidate in ordered:
        at = bisect_right(starts, candidate.start)
        if at > 0 and kept[at - 1].end > candidate.start:
            continue
        if at < len(kept) and kept[at].start < candidate.end:
            continue
        starts.insert(at, candidate.start)
        kept.insert(at, candidate)
    return kept
