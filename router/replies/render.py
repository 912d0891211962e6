"""Reply templates rendered for one conversation: pure, no I/O.

A template holds variants per (channel kind, language). ``render`` picks the variant for the
conversation's channel kind and language (exact, then ``any`` kind, then English), fills the
``{{placeholders}}`` from a ``Context`` and styles the text for the channel: email gets a
greeting and a signature, chat and social get the body alone. A placeholder that cannot be
filled is reported in ``Rendered.missing`` and left as written in the preview: a reply
refuses such a text, it is never sent raw.

Social replies are public: the placeholders of ``PERSONAL`` (full name, the conversation's
subject, reference numbers, amounts) are refused in social variants, and ``withheld`` when an
``any`` variant holding them is rendered for a social channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from router.customers.facts import Fact
from router.models.template_syntax import (
    ANY,
    DEFAULT_LANGUAGE,
    EMAIL,
    FACT_PLACEHOLDERS,
    LANGUAGES,
    PERSONAL,
    PLACEHOLDER_PATTERN,
    SOCIAL,
    channel_kind,
    placeholders,
)

_GREETING = {"en": ("Hello {name},", "Hello,"), "fr": ("Bonjour {name},", "Bonjour,")}
_SIGN_OFF = {"en": "Kind regards,", "fr": "Cordialement,"}


def pick_variant(
    variants: Sequence[Mapping[str, Any]], kind: str, language: str
) -> Mapping[str, Any] | None:
    """Exact (kind, language), then (any, language), then (kind, en), then (any, en)."""
    by_key = {(v.get("channel_kind"), v.get("language")): v for v in variants}
    for key in (
        (kind, language),
        (ANY, language),
        (kind, DEFAULT_LANGUAGE),
        (ANY, DEFAULT_LANGUAGE),
    ):
        if key in by_key:
            return by_key[key]
    return None


def first_name(name: str | None) -> str | None:
    """The first word of a person's name; None for no name or an address/handle."""
    if not name or "@" in name:
        return None
    words = name.split()
    return words[0] if words else None


def latest_facts(messages: Iterable[Sequence[Fact]]) -> dict[str, str]:
    """Fact values by kind from each message's facts, oldest message first: the latest wins."""
    values: dict[str, str] = {}
    for facts in messages:
        for fact in facts:
            values[fact.kind] = fact.value
    return values


@dataclass(frozen=True)
class Context:
    """What placeholders are filled from: the conversation, its customer and the sender."""

    channel: str
    language: str
    conversation_id: int
    customer_name: str | None = None
    advisor_name: str | None = None
    team_name: str | None = None
    subject: str | None = None
    facts: Mapping[str, str] = field(default_factory=dict)

    def values(self, language: str) -> dict[str, str | None]:
        filled: dict[str, str | None] = {
            "customer.first_name": first_name(self.customer_name),
            "customer.name": self.customer_name if first_name(self.customer_name) else None,
            "advisor.first_name": first_name(self.advisor_name),
            "advisor.name": self.advisor_name,
            "team.name": self.team_name,
            "conversation.id": str(self.conversation_id),
            "conversation.subject": self.subject,
        }
        for name, kind in FACT_PLACEHOLDERS.items():
            filled[name] = _localised(kind, self.facts.get(kind), language)
        return filled


def _localised(kind: str, value: str | None, language: str) -> str | None:
    """Facts are normalised ("129.90 EUR", "2026-03-14"); French readers write them French."""
    if value is None or language != "fr":
        return value
    if kind == "amount":
        return value.replace(".", ",", 1)
    if kind == "date" and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    return value


@dataclass(frozen=True)
class Rendered:
    """A template rendered for a conversation; sendable only when ``missing`` and
    ``withheld`` are empty."""

    text: str
    subject: str | None
    channel_kind: str
    language: str  # of the variant used
    variant_kind: str  # of the variant used: the channel kind or "any"
    fallback: bool  # the exact (kind, language) variant did not exist
    missing: list[str]  # placeholders that cannot be filled
    withheld: list[str]  # personal placeholders refused on a public (social) reply
    body: str  # the variant's body as written (what suggestions compare with a message)

    @property
    def sendable(self) -> bool:
        return not self.missing and not self.withheld


def _fill(text: str, values: Mapping[str, str | None], refused: frozenset[str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match[1].strip()
        value = values.get(name)
        return match[0] if value is None or name in refused else value

    return PLACEHOLDER_PATTERN.sub(one, text)


def _styled(body: str, kind: str, language: str, values: Mapping[str, str | None]) -> str:
    """Email: greeting, body, signature (formal). Chat and social: the body alone."""
    body = body.strip()
    if kind != EMAIL:
        return body
    name = values.get("customer.first_name")
    named, plain = _GREETING[language]
    greeting = named.format(name=name) if name else plain
    signature = [_SIGN_OFF[language], values.get("advisor.name"), values.get("team.name")]
    return "\n\n".join([greeting, body, "\n".join(line for line in signature if line)])


def render(variants: Sequence[Mapping[str, Any]], context: Context) -> Rendered | None:
    """The template for this conversation, or None when no variant fits (no English one)."""
    kind = channel_kind(context.channel)
    language = context.language if context.language in LANGUAGES else DEFAULT_LANGUAGE
    variant = pick_variant(variants, kind, language)
    if variant is None:
        return None
    used_language = str(variant["language"])
    values = context.values(used_language)
    body, subject = str(variant["body"]), variant.get("subject")
    written = placeholders(body) + placeholders(subject or "")
    refused = PERSONAL if kind == SOCIAL else frozenset()
    withheld = [name for name in dict.fromkeys(written) if name in refused]
    missing = [
        name for name in dict.fromkeys(written) if values.get(name) is None and name not in refused
    ]
    return Rendered(
        text=_styled(_fill(body, values, refused), kind, used_language, values),
        subject=_fill(subject, values, refused) if subject and kind == EMAIL else None,
        channel_kind=kind,
        language=used_language,
        variant_kind=str(variant["channel_kind"]),
        fallback=(variant["channel_kind"], used_language) != (kind, context.language),
        missing=missing,
        withheld=withheld,
        body=body,
    )
