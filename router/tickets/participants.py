"""Participants: someone writing in a customer's thread who is not proven to be that customer.

A message that answers a thread (email In-Reply-To/References, a Messenger ``reply_to``, a
WhatsApp ``context``) names ids that are no secret: an email's Message-ID travels to everyone
in CC and in every forward. So a thread never links a sender to a customer (only proof does:
the same address or phone, a signed channel identity, a supervisor's merge; see
router.customers.identities). A sender of another customer record (usually a new one)
answering an open conversation's thread joins that conversation as a *participant*:

- the message is shown in the conversation, flagged in its ``metadata.participant`` with the
  reason, and a ``message.from_participant`` event tells the advisor;
- it stays the message of its sender's own customer record (``customer_id``): it is not
  part of the conversation customer's data (export, erasure), and the sender's address does
  not become an identity of that customer;
- replies still go to the customer's own last message (router.replies.reply) unless the
  advisor answers the participant's message explicitly (``to_message_id``).

If the advisor knows the participant is the customer (another address of theirs), a
supervisor merges the two customer records (router.customers.merge).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from router.models import Conversation, Message
from router.models.conversations import MessageStatus
from router.store.types import utcnow
from router.tickets import events, threads

SenderKey = tuple[str, str]

REASON = (
    "answers this conversation's thread from an address not linked to its customer: a thread "
    "reference is no proof of who writes, so this sender is a participant, not the customer; "
    "replies go to the customer unless you answer this message explicitly"
)


async def join_threads(
    session: AsyncSession, backlog: Sequence[Message], customer_of: Mapping[SenderKey, int]
) -> list[Message]:
    """Attach the messages answering another customer's open conversation to it, as a
    participant's; returns the others (in order), which join their own customer's."""
    foreign = await threads.foreign_open_threads(session, backlog, customer_of)
    own: list[Message] = []
    for message in backlog:
        conversation = foreign.get(message.id or 0)
        if conversation is None:
            own.append(message)
        else:
            _attach(session, conversation, message, customer_of[_key(message)])
    return own


def _key(message: Message) -> SenderKey:
    return (message.channel, message.sender_address)


def _attach(
    session: AsyncSession, conversation: Conversation, message: Message, sender_customer: int
) -> None:
    now = utcnow()
    conversation.last_message_at = now
    conversation.updated_at = now
    message.customer_id = sender_customer  # the sender's own record, not the conversation's
    message.conversation_id = conversation.id
    message.status = MessageStatus.processed
    message.processed_at = now
    message.meta = {
        **message.meta,
        "participant": {"customer_id": sender_customer, "reason": REASON},
    }
    where = {
        "customer_id": conversation.customer_id,
        "conversation_id": conversation.id,
        "message_id": message.id,
    }
    events.record(
        session,
        "message.received",
        **where,
        channel=message.channel,
        participant_customer_id=sender_customer,
    )
    events.record(
        session,
        "message.from_participant",
        **where,
        channel=message.channel,
        participant_customer_id=sender_customer,
        reason=REASON,
    )
