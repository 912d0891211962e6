"""One customer, many channel identities: linking a new sender to the customer they already are.

A sender seen for the first time on a channel is linked only by proof, in this order, to:

1. the customer with the same proven email address or phone number (an e-mail's sender, a
   WhatsApp number, an integrator's ``sender.email``/``phone``; never an address a web-chat
   visitor typed: router.intake.channel keeps that as a hint only);
2. a new customer, shared by the new senders of one batch that carry the same address.

A thread is no proof: the conversation a message answers is named by ids (an email's
Message-ID) that everyone in CC and every forward sees, so a new sender answering a thread
gets a customer record of their own and joins that conversation as a participant
(router.tickets.participants), never as an identity of its customer.

Addresses are compared normalised (email lower-cased, phone as ``+digits``). Existing
customers are never merged automatically: two records already apart are merged by a person
(router.customers.merge), because a wrong automatic merge would show one customer's history
to another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import NotFound
from router.models import ChannelIdentity, Conversation, Customer, Message
from router.security.principal import Principal
from router.security.visibility import conversation_clause
from router.store import Database

SenderKey = tuple[str, str]
_PHONE_NOISE = re.compile(r"[\s().\-/]")


def normal_email(value: str | None) -> str | None:
    if not value:
        return None
    email = value.strip().strip("<>").lower()
    local, at, domain = email.rpartition("@")
    return email if at and local and "." in domain and " " not in email else None


def normal_phone(value: str | None) -> str | None:
    """``+<digits>`` for international numbers; national ones are kept as digits only."""
    if not value:
        return None
    phone = _PHONE_NOISE.sub("", value.strip())
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    digits = phone.removeprefix("+")
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        return None
    return phone


@dataclass
class Links:
    """The customer of each new sender, and how it was found."""

    customer_of: dict[SenderKey, int] = field(default_factory=dict)
    reason: dict[SenderKey, str] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)  # customers made for this batch


class SenderDetails(Protocol):
    """What the channel told of a sender: a stored message, or just its sender columns."""

    @property
    def sender_name(self) -> str | None: ...
    @property
    def sender_email(self) -> str | None: ...
    @property
    def sender_phone(self) -> str | None: ...


def _contact(message: SenderDetails) -> tuple[str | None, str | None]:
    return normal_email(message.sender_email), normal_phone(message.sender_phone)


async def link_new_senders(
    session: AsyncSession, missing: Sequence[SenderKey], senders: Mapping[SenderKey, SenderDetails]
) -> Links:
    """Find or create the customer of each new sender (new customers are flushed)."""
    links = Links()
    rest = list(missing)
    known = await _customers_by_contact(session, (_contact(senders[k]) for k in rest))
    by_address: dict[str, Customer] = {}
    made: dict[SenderKey, Customer] = {}
    for key in rest:
        email, phone = _contact(senders[key])
        existing = next((known[v] for v in (email, phone) if v and v in known), None)
        if existing is not None:
            links.customer_of[key] = existing
            links.reason[key] = "email" if email and email in known else "phone"
            continue
        shared = next((by_address[v] for v in (email, phone) if v and v in by_address), None)
        made[key] = shared or _new_customer(senders[key], email, phone)
        links.reason[key] = "same address in this batch" if shared else "new"
        for value in (email, phone):
            if value:
                by_address.setdefault(value, made[key])
    new = list({id(c): c for c in made.values()}.values())
    session.add_all(new)
    await session.flush()
    for key, customer in made.items():
        assert customer.id is not None
        links.customer_of[key] = customer.id
    links.created = {c.id for c in new if c.id is not None}
    return links


def _new_customer(message: SenderDetails, email: str | None, phone: str | None) -> Customer:
    return Customer(display_name=message.sender_name, email=email, phone=phone)


async def _customers_by_contact(
    session: AsyncSession, contacts: Iterable[tuple[str | None, str | None]]
) -> dict[str, int]:
    """Address -> the oldest live customer that has it."""
    emails, phones = set(), set()
    for email, phone in contacts:
        if email:
            emails.add(email)
        if phone:
            phones.add(phone)
    if not emails and not phones:
        return {}
    rows = await session.execute(
        select(Customer.id, Customer.email, Customer.phone)
        .where(
            col(Customer.merged_into_id).is_(None),
            or_(col(Customer.email).in_(sorted(emails)), col(Customer.phone).in_(sorted(phones))),
        )
        .order_by(col(Customer.id))
    )
    found: dict[str, int] = {}
    for customer_id, email, phone in rows:
        for value in (email, phone):
            if value in emails or value in phones:
                found.setdefault(value, customer_id)
    return found


async def remember_contacts(
    session: AsyncSession, backlog: Sequence[Message], customer_ids: Mapping[SenderKey, int]
) -> None:
    """Give a customer the email/phone their messages carry, if they have none yet and no
    other customer has it (so a later message on another channel links to them)."""
    wanted: dict[int, dict[str, str]] = {}
    for message in backlog:
        email, phone = _contact(message)
        found = wanted.setdefault(customer_ids[(message.channel, message.sender_address)], {})
        if email:
            found.setdefault("email", email)
        if phone:
            found.setdefault("phone", phone)
    wanted = {c: v for c, v in wanted.items() if v}
    if not wanted:
        return
    taken = await _customers_by_contact(
        session, ((v.get("email"), v.get("phone")) for v in wanted.values())
    )
    rows = await session.scalars(select(Customer).where(col(Customer.id).in_(sorted(wanted))))
    for customer in rows:
        for kind in ("email", "phone"):
            value = wanted[customer.id or 0].get(kind)
            free = taken.get(value or "") in (None, customer.id)
            if value and free and getattr(customer, kind) is None:
                setattr(customer, kind, value)


async def list_identities(session: AsyncSession, customer_id: int) -> Sequence[ChannelIdentity]:
    rows = await session.scalars(
        select(ChannelIdentity)
        .where(col(ChannelIdentity.customer_id) == customer_id)
        .order_by(col(ChannelIdentity.id))
    )
    return rows.all()


async def customer_visible(session: AsyncSession, customer_id: int, viewer: Principal) -> bool:
    """Admins and integrators see every customer; staff those with a conversation they see,
    or who wrote in one as a participant (router.tickets.participants)."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return False
    clause = conversation_clause(viewer)
    if clause is None:
        return True
    found = await session.scalar(
        select(Conversation.id).where(col(Conversation.customer_id) == customer_id, clause).limit(1)
    )
    if found is None:
        found = await session.scalar(
            select(Message.id)
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .where(col(Message.customer_id) == customer_id, clause)
            .limit(1)
        )
    return found is not None


async def customer_identities(
    db: Database, customer_id: int, viewer: Principal
) -> Sequence[ChannelIdentity]:
    async with db.read_session() as session:
        if not await customer_visible(session, customer_id, viewer):
            raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
        return await list_identities(session, customer_id)
