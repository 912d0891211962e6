"""The pipeline use case: stored inbound messages become part of routed conversations.

The stages, in order (``process_inbound``): 1. identity -> customer
(``router.customers.identities``, ``_ensure_identities``); 2. thread -> conversation
(``router.tickets.threads``, ``_join_or_open``); 3. classification
(``router.pipeline.classification``: read before any lock, applied inside); 4. care for
advisors and anger alerts (``router.routing.care``); 5. routing
(``router.routing.assignment``); then the alerts about first messages already very angry
(addressed to whoever routing gave the conversation) and the SLA policy
(``router.tickets.sla``).

Order per sender is guaranteed by the database, not by the broker: the senders' channel
identity rows are locked, then *all* their unprocessed messages are handled in arrival
order. A later delivery of a message already handled is a no-op, so several workers,
redeliveries and out-of-order deliveries are all safe.

Messages are handled in batches (one transaction, a fixed number of queries per batch
rather than per message): the worker hands over whatever deliveries are waiting.

One exception to "a use case commits once": senders seen for the first time are created in
a short transaction of their own before the main one (see ``_ensure_identities``), so that
no transaction ever waits on another worker's new identity while holding identity locks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Table, and_, delete, update
from sqlalchemy import select as core_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.classify.language import detect_language
from router.customers import identities as contacts
from router.models import ChannelIdentity, Conversation, Customer, Message
from router.models.channels import Channel
from router.models.conversations import OPEN_STATUSES, ConversationStatus, MessageStatus
from router.observability import metrics
from router.pipeline import classification
from router.pipeline.classifier import ModelHolder
from router.routing import assignment, care, profiles
from router.routing.assignment import Decisions
from router.routing.context import RoutingContext
from router.settings import Settings
from router.store import Database, insert_ignoring_duplicates
from router.store.hints import unindexed
from router.store.pairs import pairs_in
from router.store.types import utcnow
from router.tickets import events, participants, sla, threads
from skills import Facts

log = logging.getLogger(__name__)

#: The default reopen window (the worker passes the configured one).
REOPEN_WINDOW = timedelta(hours=Settings.model_fields["reopen_window_hours"].default)

SenderKey = tuple[str, str]  # (channel, sender address)
IDENTITY_TABLE: Table = ChannelIdentity.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    processed: int  # messages handled by this call (0: nothing left to do)
    assigned: int = 0  # conversations given to an advisor on arrival


async def process_inbound(
    db: Database,
    message_ids: Sequence[int],
    classifier: ModelHolder | None = None,
    *,
    reopen_window: timedelta = REOPEN_WINDOW,
) -> Outcome:
    """Handle these messages, and their senders' whole backlog, in one transaction.

    ``reopen_window``: a customer writing within it after a resolution reopens that
    conversation (``Settings.reopen_window_hours``)."""
    # One lock-free read first: who wrote, what to classify, who is new.
    async with db.read_session() as session:
        senders, missing = await _pending_senders(session, message_ids)
        if not senders:
            return Outcome(processed=0)
        texts = await classification.unread(session, senders) if classifier else []
    ahead = await classification.read_ahead(classifier, texts)  # no lock held
    first_contacts = await _ensure_identities(db, senders, missing) if missing else set()
    async with db.session() as session:
        identities = await _lock_identities(session, senders)
        backlog = await _backlog(session, senders)
        customer_ids = {identity.customer_id for identity in identities.values()}
        open_conversations = await _lock_open_conversations(session, customer_ids)
        customer_of = {key: identity.customer_id for key, identity in identities.items()}
        await contacts.remember_contacts(session, backlog, customer_of)
        # Answers to another customer's open thread join it as a participant's messages.
        own = await participants.join_threads(session, backlog, customer_of)
        new, opened = await _join_or_open(
            session, own, customer_of, open_conversations, reopen_window
        )
        for message in own:
            identity = identities[(message.channel, message.sender_address)]
            _attach(session, open_conversations[identity.customer_id], message)
        readings = await classification.apply(classifier, backlog, ahead)
        angry_first = await care.observe(session, own, open_conversations, readings)
        decisions = await _route(session, new, open_conversations, first_contacts)
        # After routing: a new conversation's queue (or advisor) says whom to alert.
        await care.alert_angry_first(session, angry_first)
        # After routing: the matched rule sets the priority the SLA policies look at.
        # (Reopened and resumed ones keep their clock: see lifecycle.requeue.)
        await sla.apply_policy(session, [open_conversations[c] for c in opened])
        await session.commit()
    _record(backlog, new, open_conversations, decisions)
    assigned = sum(n for (outcome, _), n in decisions.items() if outcome != "waiting")
    return Outcome(processed=len(backlog), assigned=assigned)


def _record(
    backlog: Sequence[Message],
    new: dict[int, Message],
    open_conversations: dict[int, Conversation],
    decisions: Decisions,
) -> None:
    """The batch's metrics, once committed: messages routed, decisions, latencies."""
    if not metrics.enabled():
        return
    now = utcnow()
    metrics.routed(
        (m.channel for m in backlog), ((now - m.received_at).total_seconds() for m in backlog)
    )
    given = (ConversationStatus.assigned, ConversationStatus.offered)
    metrics.decided(
        decisions,
        (
            (now - message.received_at).total_seconds()
            for customer_id, message in new.items()
            if open_conversations[customer_id].status in given
        ),
    )


@dataclass(frozen=True, slots=True)
class Sender:
    """A sender with something to route, as the channel described them (its latest message's
    sender columns): what a first contact's identity and customer are made of."""

    sender_name: str | None
    sender_email: str | None
    sender_phone: str | None


async def _pending_senders(
    session: AsyncSession, message_ids: Sequence[int]
) -> tuple[dict[SenderKey, Sender], list[SenderKey]]:
    """The senders of the still-unprocessed messages, and those without a channel identity
    yet (in key order). Only the columns needed: loading whole messages here would build
    every row a second time."""
    rows = await session.execute(
        core_select(
            col(Message.channel),
            col(Message.sender_address),
            col(Message.sender_name),
            col(Message.sender_email),
            col(Message.sender_phone),
            col(ChannelIdentity.id),
        )
        .outerjoin(
            ChannelIdentity,
            and_(
                col(ChannelIdentity.channel) == col(Message.channel),
                col(ChannelIdentity.address) == col(Message.sender_address),
            ),
        )
        .where(
            col(Message.id).in_(list(message_ids)),
            col(Message.status) == MessageStatus.received,
        )
        .order_by(col(Message.id))
    )
    senders: dict[SenderKey, Sender] = {}
    unknown: set[SenderKey] = set()
    for channel, address, name, email, phone, identity_id in rows:
        senders[(channel, address)] = Sender(name, email, phone)
        if identity_id is None:
            unknown.add((channel, address))
    return senders, sorted(unknown)


async def _ensure_identities(
    db: Database, senders: dict[SenderKey, Sender], missing: list[SenderKey]
) -> set[int]:
    """Create the senders seen for the first time (``missing``), each linked to the
    customer they are (router.customers.identities: same email or phone, else a new
    customer); returns the customers created.

    A short transaction of its own, inserting in key order and holding no other lock: two
    workers meeting the same new sender wait for each other here, never in a cycle with the
    identity locks taken later. A sender created meanwhile by another worker is skipped
    (ON CONFLICT DO NOTHING) and the customer made for it removed.
    """
    async with db.session() as session:
        links = await contacts.link_new_senders(session, missing, senders)
        rows = [
            {
                "customer_id": links.customer_of[key],
                "channel": key[0],
                "address": key[1],
                "display_name": senders[key].sender_name,
                "created_at": utcnow(),
            }
            for key in missing
        ]
        statement = insert_ignoring_duplicates(db.dialect, IDENTITY_TABLE).returning(
            IDENTITY_TABLE.c.customer_id, IDENTITY_TABLE.c.channel, IDENTITY_TABLE.c.address
        )
        result = await session.execute(statement, rows)
        inserted = {(row.channel, row.address): row.customer_id for row in result}
        # A sender created meanwhile by another worker: the customer made for it goes.
        orphans = links.created - set(inserted.values())
        if orphans:
            await session.execute(delete(Customer).where(col(Customer.id).in_(sorted(orphans))))
        for key, customer_id in sorted(inserted.items()):
            if customer_id in links.created:
                events.record(session, "customer.created", customer_id=customer_id, channel=key[0])
            else:
                events.record(
                    session,
                    "customer.identity_linked",
                    customer_id=customer_id,
                    channel=key[0],
                    linked_by=links.reason[key],
                )
        await session.commit()
        return links.created & set(inserted.values())


async def _lock_identities(
    session: AsyncSession, senders: Iterable[SenderKey]
) -> dict[SenderKey, ChannelIdentity]:
    """The senders' identity rows (all exist by now), locked in id order."""
    identities = await _select_identities(session, senders)
    missing = set(senders) - set(identities)
    if missing:  # deleted meanwhile (a customer merge or erasure): the retry recreates them
        raise RuntimeError(f"{len(missing)} sender identities vanished while routing")
    return identities


async def _select_identities(
    session: AsyncSession, keys: Iterable[SenderKey]
) -> dict[SenderKey, ChannelIdentity]:
    rows = await session.scalars(
        select(ChannelIdentity)
        .where(pairs_in(col(ChannelIdentity.channel), col(ChannelIdentity.address), list(keys)))
        .order_by(col(ChannelIdentity.id))
        .with_for_update(key_share=True)
    )
    return {(i.channel, i.address): i for i in rows}


async def _backlog(session: AsyncSession, senders: Iterable[SenderKey]) -> Sequence[Message]:
    """Every unprocessed message of these senders, oldest first (identities are locked)."""
    rows = await session.scalars(
        select(Message)
        .where(
            pairs_in(col(Message.channel), col(Message.sender_address), list(senders)),
            col(Message.status) == MessageStatus.received,
        )
        .order_by(col(Message.id))
    )
    return rows.all()


async def _lock_open_conversations(
    session: AsyncSession, customer_ids: Iterable[int]
) -> dict[int, Conversation]:
    rows = await session.scalars(
        select(Conversation)
        .where(
            col(Conversation.customer_id).in_(list(customer_ids)),
            unindexed(col(Conversation.status)).in_(OPEN_STATUSES),  # by customer, always
        )
        .order_by(col(Conversation.id))
        .with_for_update(key_share=True)
    )
    return {c.customer_id: c for c in rows}


async def _join_or_open(
    session: AsyncSession,
    backlog: Sequence[Message],
    customer_of: dict[SenderKey, int],
    open_conversations: dict[int, Conversation],
    window: timedelta,
) -> tuple[dict[int, Message], set[int]]:
    """Give every customer an open conversation: a pending one goes back to the queue, a
    resolved one is reopened (its thread answered, or within the window), else a new one
    opens, linked to their latest. Returns customer -> first message of the conversations
    to route, and the customers whose conversation was newly opened."""
    now = utcnow()
    new = threads.resume_pending(session, backlog, customer_of, open_conversations, now)
    new |= await threads.reopen_threads(
        session, backlog, customer_of, open_conversations, window=window, now=now
    )
    reopened, previous = await threads.reopen_recent(
        session, backlog, customer_of, open_conversations, window=window, now=now
    )
    opened = await _open_missing(session, backlog, customer_of, open_conversations, previous)
    return new | reopened | opened, set(opened)


async def _open_missing(
    session: AsyncSession,
    backlog: Sequence[Message],
    customer_of: dict[SenderKey, int],
    open_conversations: dict[int, Conversation],
    previous: dict[int, int],
) -> dict[int, Message]:
    """Open a conversation for each customer without one (linked to their previous one);
    returns customer -> first message."""
    now = utcnow()
    first: dict[int, Message] = {}
    for message in backlog:
        customer_id = customer_of[(message.channel, message.sender_address)]
        if customer_id in open_conversations or customer_id in first:
            continue
        first[customer_id] = message
        open_conversations[customer_id] = Conversation(
            customer_id=customer_id,
            channel=Channel(message.channel),
            status=ConversationStatus.waiting,
            waiting_since=now,
            created_at=now,  # the SLA clock starts here
            previous_conversation_id=previous.get(customer_id),
        )
    if first:
        session.add_all(open_conversations[c] for c in first)
        await session.flush()
        for customer_id, message in first.items():
            events.record(
                session,
                "conversation.opened",
                customer_id=customer_id,
                conversation_id=open_conversations[customer_id].id,
                channel=message.channel,
                previous_conversation_id=previous.get(customer_id),
            )
    return first


def _attach(session: AsyncSession, conversation: Conversation, message: Message) -> None:
    """Put one message in its customer's open conversation."""
    now = utcnow()
    if conversation.channel != message.channel:
        events.record(
            session,
            "conversation.channel_switched",
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
            previous=conversation.channel,
            current=message.channel,
        )
        conversation.channel = Channel(message.channel)
    conversation.last_message_at = now
    conversation.updated_at = now
    message.customer_id = conversation.customer_id
    message.conversation_id = conversation.id
    message.status = MessageStatus.processed
    message.processed_at = now
    events.record(
        session,
        "message.received",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        message_id=message.id,
        channel=message.channel,
    )


async def _route(
    session: AsyncSession,
    new: dict[int, Message],
    open_conversations: dict[int, Conversation],
    first_contacts: set[int],
) -> Decisions:
    """Route every conversation opened in this batch, sharing one routing context."""
    if not new:
        return Decisions()
    returning = [c for c in new if c not in first_contacts]
    # Reference data (rules, teams, tiers, last advisors) does not depend on this batch's
    # pending changes: no flush here, so each conversation's changes go out in one UPDATE.
    with session.no_autoflush:
        context = await RoutingContext.load(session, returning_customers=returning)
        tiers = await profiles.customer_tiers(session, returning)
    context.messages = {
        open_conversations[customer_id].id or 0: message.id or 0
        for customer_id, message in new.items()
    }
    items = [
        (open_conversations[customer_id], _facts(message, tiers.get(customer_id, "standard")))
        for customer_id, message in new.items()
    ]
    return await assignment.route_batch(session, items, context)


def _read(message: Message, key: str) -> str | None:
    value = (message.classification or {}).get(key)
    return value if isinstance(value, str) and value != "unknown" else None


def _facts(message: Message, tier: str) -> Facts:
    hinted = care.hinted_reading(message)
    read = message.classification or {}
    emotion, intensity = hinted or (_read(message, "emotion"), read.get("emotion_intensity"))
    return Facts(
        channel=message.channel,
        language=_hint(message, "language")
        or _read(message, "language")
        or detect_language(message.text),
        intent=_hint(message, "intent") or _read(message, "intent"),
        emotion=emotion,
        emotion_intensity=float(intensity or 0.0),
        text=f"{message.subject or ''}\n{message.text}",
        tier=tier,
    )


_HINTS = {
    # BCP 47 tag; only the primary language subtag is kept ("fr-CA" -> "fr").
    "language": re.compile(r"^([a-z]{2,3})(?:-[a-z0-9]{1,8})*$"),
    "intent": re.compile(r"^([a-z0-9_.-]{1,60})$"),
}


def _hint(message: Message, key: str) -> str | None:
    """An integrator may pass ``language``/``intent`` in metadata; used only when well-formed."""
    value = message.meta.get(key)
    if not isinstance(value, str) or len(value) > 60:
        return None
    match = _HINTS[key].match(value.strip().lower())
    return match.group(1) if match else None


async def mark_failed(db: Database, message_id: int, error: str) -> None:
    """Record a message given up on (it went to the dead-letter queue)."""
    async with db.session() as session:
        await session.execute(
            update(Message)
            .where(col(Message.id) == message_id, col(Message.status) == MessageStatus.received)
            .values(status=MessageStatus.failed, error=error[:2000])
        )
        await session.commit()
