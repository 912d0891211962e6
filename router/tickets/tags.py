"""Tags on conversations: read in one batched query, changed within a use case's transaction.

Tags are lower-cased and checked by the API schema (router.models.tickets.TagName); a
conversation carries at most ``MAX_TAGS``. Nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import InvalidRequest
from router.models import Conversation
from router.models.conversations import ConversationPublic
from router.models.tickets import MAX_TAGS, ConversationTag


async def tags_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[str]]:
    """Each conversation's tags, sorted (conversations without any are left out)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(ConversationTag.conversation_id, ConversationTag.tag)
        .where(col(ConversationTag.conversation_id).in_(sorted(set(ids))))
        .order_by(col(ConversationTag.conversation_id), col(ConversationTag.tag))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for conversation_id, tag in rows:
        found[conversation_id].append(tag)
    return dict(found)


async def public(session: AsyncSession, conversation: Conversation) -> ConversationPublic:
    """What the API returns of one conversation, tags filled."""
    found = await tags_of(session, [conversation.id or 0])
    return public_with(conversation, found.get(conversation.id or 0, []))


def public_with(conversation: Conversation, found: list[str]) -> ConversationPublic:
    """What the API returns of one conversation whose tags were read already."""
    return ConversationPublic.model_validate(conversation, from_attributes=True).model_copy(
        update={"tags": found}
    )


def joined_column() -> Any:
    """The tags of the conversation a statement reads, joined by spaces (tags hold none),
    as a column: read with the conversation rather than by a statement of their own."""
    return (
        select(func.aggregate_strings(col(ConversationTag.tag), " "))
        .where(col(ConversationTag.conversation_id) == col(Conversation.id))
        .correlate(Conversation)
        .scalar_subquery()
    )


def split_joined(joined: str | None) -> list[str]:
    """joined_column's value as tags_of gives them (sorted)."""
    return sorted(joined.split(" ")) if joined else []


async def change(
    session: AsyncSession,
    conversation_id: int,
    add: Sequence[str],
    remove: Sequence[str],
    author_id: int | None,
) -> tuple[list[str], list[str]]:
    """Add and remove tags (the conversation row locked by the caller); returns what was
    really added and removed (adding a tag it has, or removing one it lacks, is no change)."""
    current = (await tags_of(session, [conversation_id])).get(conversation_id, [])
    added = [tag for tag in dict.fromkeys(add) if tag not in current]
    removed = [tag for tag in dict.fromkeys(remove) if tag in current]
    count = len(current) + len(added) - len(removed)
    if count > MAX_TAGS:
        raise InvalidRequest(
            f"a conversation has at most {MAX_TAGS} tags; this change would leave {count}",
            field="add_tags",
        )
    if removed:
        await session.execute(
            delete(ConversationTag).where(
                col(ConversationTag.conversation_id) == conversation_id,
                col(ConversationTag.tag).in_(removed),
            )
        )
    session.add_all(
        ConversationTag(conversation_id=conversation_id, tag=tag, created_by=author_id)
        for tag in added
    )
    return added, removed


TAG_EVENT_FIELDS = frozenset({"added", "removed"})
"""The fields of a ``conversation.tagged`` event that carry tags (free text)."""


async def forget(session: AsyncSession, customer_id: int) -> int:
    """GDPR erasure: tags are free text ("called back 06 12 34 56 78", "jeanne-vip"), so
    the tags of the customer's conversations go; returns how many. Their tagging events lose
    ``TAG_EVENT_FIELDS`` with the other personal event fields (router.customers.privacy)."""
    result = await session.execute(
        delete(ConversationTag).where(
            col(ConversationTag.conversation_id).in_(
                select(Conversation.id).where(col(Conversation.customer_id) == customer_id)
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
