"""The reply-template language: channel kinds, languages, ``{{placeholders}}`` and the checks
a variant must pass before it is stored (pure; the API schema and the renderer share it).

Social replies are public: the placeholders of ``PERSONAL`` (full name, the conversation's
subject, reference numbers, amounts) are refused in social variants.
"""

from __future__ import annotations

import re

EMAIL, CHAT, SOCIAL, ANY = "email", "chat", "social", "any"
CHANNEL_KINDS = (EMAIL, CHAT, SOCIAL, ANY)
LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
MAX_LENGTH = {EMAIL: 5000, CHAT: 1000, SOCIAL: 640, ANY: 5000}

_KIND_OF_CHANNEL = {
    "email": EMAIL,
    "chat": CHAT,
    "api": CHAT,
    "messenger": SOCIAL,
    "instagram": SOCIAL,
    "whatsapp": SOCIAL,
    "x": SOCIAL,
}

#: Placeholder -> the kind of fact (router.customers.facts) that fills it.
FACT_PLACEHOLDERS = {
    "order_number": "order_number",
    "tracking_number": "tracking_number",
    "invoice_number": "invoice_number",
    "contract_number": "contract_number",
    "ticket_number": "ticket_number",
    "amount": "amount",
    "date": "date",
}
PLACEHOLDERS = frozenset(
    {
        "customer.first_name",
        "customer.name",
        "advisor.first_name",
        "advisor.name",
        "team.name",
        "conversation.id",
        "conversation.subject",
        *FACT_PLACEHOLDERS,
    }
)
#: Never in a public (social) reply: they identify the customer or their business with us.
PERSONAL = frozenset(
    {
        "customer.name",
        "conversation.subject",
        "order_number",
        "tracking_number",
        "invoice_number",
        "contract_number",
        "ticket_number",
        "amount",
    }
)

PLACEHOLDER_PATTERN = re.compile(r"\{\{([^{}]{0,80})\}\}")


def channel_kind(channel: str) -> str:
    """The template kind of a channel (an unknown channel is treated as chat)."""
    return _KIND_OF_CHANNEL.get(channel, CHAT)


def placeholders(text: str) -> list[str]:
    """The placeholders written in ``text``, in order, each once (spaces inside ignored)."""
    found = (match[1].strip() for match in PLACEHOLDER_PATTERN.finditer(text))
    return list(dict.fromkeys(found))


def without_placeholders(text: str) -> str:
    """The text with each placeholder replaced by a space (for comparing wordings)."""
    return PLACEHOLDER_PATTERN.sub(" ", text)


def variant_problems(kind: str, subject: str | None, body: str) -> list[str]:
    """Why a variant cannot be stored (empty when it can); used by the API schema."""
    problems: list[str] = []
    written = placeholders(body) + placeholders(subject or "")
    unknown = [name for name in written if name not in PLACEHOLDERS]
    if unknown:
        problems.append(f"unknown placeholders: {', '.join(sorted(set(unknown)))}")
    if any(("{{" in part or "}}" in part) for part in _outside(body) + _outside(subject or "")):
        problems.append("unbalanced '{{' or '}}'")
    if kind == SOCIAL:
        personal = sorted(set(written) & PERSONAL)
        if personal:
            problems.append(f"social replies are public: no personal data ({', '.join(personal)})")
    if len(body) > MAX_LENGTH[kind]:
        problems.append(f"a {kind} body is at most {MAX_LENGTH[kind]} characters")
    if subject is not None and kind not in (EMAIL, ANY):
        problems.append("only email (or any) variants have a subject")
    return problems


def _outside(text: str) -> list[str]:
    return PLACEHOLDER_PATTERN.split(text)[::2]
