"""Should a retrained candidate replace the current model? Only if it is not worse.

Both must have been measured on the same held-out rows, or the comparison means nothing.
Every figure that matters must hold (within ``tolerance``): better intents bought with worse
anger precision would page supervisors for nothing, so no figure may pay for another.
"""

from __future__ import annotations

from dataclasses import dataclass

from router.classify.training.metrics import ModelMetrics


@dataclass(frozen=True, slots=True)
class Verdict:
    promote: bool
    reason: str


def compare(
    candidate: ModelMetrics, current: ModelMetrics | None, *, tolerance: float = 0.0
) -> Verdict:
    if current is None:
        return Verdict(True, "promoted: there is no current model")
    if candidate.evaluated_on != current.evaluated_on:
        return Verdict(
            False,
            "kept current: the models were evaluated on different data "
            f"({candidate.evaluated_on} vs {current.evaluated_on})",
        )
    checks = [
        (name, new, old)
        for name, new, old in _figures(candidate, current)
        if new is not None and old is not None
    ]
    worse = [f"{n} {new:.4f} < {old:.4f}" for n, new, old in checks if new < old - tolerance]
    if worse:
        return Verdict(False, "kept current: candidate is worse on " + "; ".join(worse))
    held = "; ".join(f"{n} {new:.4f} vs {old:.4f}" for n, new, old in checks)
    return Verdict(True, f"promoted: not worse on any figure ({held})")


def _figures(
    candidate: ModelMetrics, current: ModelMetrics
) -> list[tuple[str, float | None, float | None]]:
    return [
        ("intent macro-F1", candidate.intent.macro_f1, current.intent.macro_f1),
        ("intent accuracy", candidate.intent.accuracy, current.intent.accuracy),
        (
            "emotion macro-F1",
            candidate.emotion.macro_f1 if candidate.emotion else None,
            current.emotion.macro_f1 if current.emotion else None,
        ),
        ("anger precision", candidate.anger_precision, current.anger_precision),
    ]
