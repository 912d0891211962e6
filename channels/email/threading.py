"""Email threading (RFC 5322 §3.6.4): reading Message-ID, In-Reply-To and References, and
writing them on a reply so that the customer's mail client threads it.

Ids are kept in their canonical ``<left@right>`` form. Real headers are messy (comments,
missing brackets, ids separated by commas or nothing), so reading is by pattern, not by the
strict grammar.
"""

from __future__ import annotations

import re

from channels.base import Threading

_BRACKETED = re.compile(r"<([^<>\s]+)>")
_BARE = re.compile(r"[^<>\s,;()\"]+@[^<>\s,;()\"]+")
_REPLY_PREFIX = re.compile(
    r"^\s*((re|aw|sv|antw|réf|ref|rép|rep|tr|fw|fwd|wg)\s*(\[\d+\])?\s*:\s*)+", re.I
)
#: References kept on a reply: the thread root plus the most recent ones (RFC 5322 allows
#: trimming; long threads otherwise grow the header without bound).
MAX_REFERENCES = 20


def message_ids(value: str | None) -> tuple[str, ...]:
    """Every message id in a header value, in order, without duplicates."""
    if not value:
        return ()
    found = [f"<{m}>" for m in _BRACKETED.findall(value)]
    if not found:
        found = [f"<{m}>" for m in _BARE.findall(value)]
    return tuple(dict.fromkeys(found))


def first_id(value: str | None) -> str | None:
    ids = message_ids(value)
    if ids:
        return ids[0]
    token = (value or "").strip().strip("<>").strip()
    return f"<{token}>" if token and " " not in token and len(token) < 990 else None


def read_threading(
    message_id: str | None, in_reply_to: str | None, references: str | None
) -> Threading:
    """Threading ids from raw header values (any of which may be missing)."""
    own = first_id(message_id)
    refs = tuple(ref for ref in message_ids(references) if ref != own)
    parent = first_id(in_reply_to)
    # Some clients send only References: its last id is the parent.
    if parent is None and refs:
        parent = refs[-1]
    return Threading(message_id=own, in_reply_to=parent, references=refs)


def reply_references(parent: Threading) -> tuple[str | None, tuple[str, ...]]:
    """In-Reply-To and References for a reply to ``parent``."""
    chain = list(parent.references)
    if parent.message_id:
        chain.append(parent.message_id)
    elif parent.in_reply_to and parent.in_reply_to not in chain:
        chain.append(parent.in_reply_to)
    chain = list(dict.fromkeys(chain))
    if len(chain) > MAX_REFERENCES:
        chain = chain[:1] + chain[-(MAX_REFERENCES - 1) :]
    return parent.message_id, tuple(chain)


def reply_subject(subject: str | None) -> str:
    """``Re: <subject>`` without piling up prefixes (Re: RE: AW: TR: Réf. ...)."""
    base = _REPLY_PREFIX.sub("", subject or "").strip()
    return f"Re: {base}" if base else "Re:"
