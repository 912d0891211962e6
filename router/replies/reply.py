"""An advisor's reply: stored first (queued), then sent by the outbound worker.

Who may reply: the assigned advisor, their supervisor (N+1, or a supervisor of their team),
or an admin; a conversation the caller may not see is "not found" (team isolation). The
reply goes out on the channel the customer last wrote on unless the advisor picks another,
to the address the customer used there (or their identity on that channel), threaded on
their last message on it (email In-Reply-To/References and "Re:" subject). A web-chat
visitor who left a message to be answered by e-mail is answered by e-mail at the address
they gave. A participant's message (someone not proven to be the customer,
router.tickets.participants) is never the default target: it is answered only when the
advisor names it (``to_message_id``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.broker import Broker
from router.errors import Conflict, DomainError, Forbidden, InvalidRequest
from router.intake.channel_set import ChannelSet
from router.models import Advisor, ChannelIdentity, Conversation, Customer, Message
from router.models.conversations import ConversationStatus, MessageStatus
from router.replies import delivery, template_use
from router.replies import files as reply_files
from router.replies.files import Attached
from router.replies.schemas import ReplyCreate
from router.routing import returns
from router.security import ownership
from router.security.principal import Principal, PrincipalKind
from router.store import Database
from router.store.types import utcnow
from router.tickets import conversations, events, sla

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    address: str
    name: str | None = None
    reply_to: dict[str, Any] | None = None
    subject: str | None = None


async def queue_reply(
    db: Database,
    broker: Broker,
    channels: ChannelSet,
    conversation_id: int,
    viewer: Principal,
    data: ReplyCreate,
    attached: Attached = Attached(),
) -> Message:
    """Store the reply (queued) and hand it to the outbound worker; a refusal is logged."""
    try:
        return await _queue_reply(db, broker, channels, conversation_id, viewer, data, attached)
    except DomainError as error:
        log.info(
            "reply to conversation %d refused (%s): %s",
            conversation_id,
            error.code,
            error.detail,
            extra={"conversation_id": conversation_id},
        )
        raise


async def _queue_reply(
    db: Database,
    broker: Broker,
    channels: ChannelSet,
    conversation_id: int,
    viewer: Principal,
    data: ReplyCreate,
    attached: Attached,
) -> Message:
    async with db.session() as session:
        conversation = await conversations.lock_visible(session, conversation_id, viewer)
        if not await ownership.may_act_on(session, viewer, conversation):
            raise Forbidden(
                "only the assigned advisor, their supervisor or an admin may reply to this "
                "conversation"
            )
        external_id = _external_id(viewer, data)
        if data.idempotency_key:
            existing = await _existing(session, conversation_id, external_id)
            if existing is not None:
                _check_same_reply(existing, data)
                return existing
        if conversation.status == ConversationStatus.closed:
            raise Conflict(
                f"conversation {conversation_id} is closed, which is final: the customer's next "
                "message opens a new conversation",
                field="status",
            )
        if conversation.status == ConversationStatus.resolved:
            raise Conflict(
                f"conversation {conversation_id} is resolved: reopen it first "
                '(POST /v1/conversations/{id}/status {"status": "open"})',
                field="status",
            )
        answered = await _answered(session, conversation, data)
        channel = (
            answered.channel
            if answered is not None
            else data.channel.value
            if data.channel
            else await _last_channel(session, conversation)
        )
        reason = channels.cannot_send(channel)
        if reason is not None:
            raise InvalidRequest(reason, field="channel")
        files = reply_files.checked(attached, channel)
        target = await _target(session, conversation, channel, answered)
        advisor = await session.get(Advisor, viewer.id)
        if data.template_id is not None:
            data = await template_use.complete_reply(
                session, conversation, advisor, channel, target.subject, data
            )
        message = _reply_row(conversation, viewer, advisor, data, channel, target, external_id)
        if data.template_id is not None:
            message.meta = {**message.meta, "template_id": data.template_id}
        session.add(message)
        if conversation.first_response_at is None:
            conversation.first_response_at = message.received_at
            sla.on_first_response(conversation, message.received_at)
        try:
            await session.flush()
        except IntegrityError:  # the key was used for a reply in another conversation
            raise Conflict(
                "this idempotency_key was already used for another conversation's reply",
                field="idempotency_key",
            ) from None
        if files:
            reply_files.store(session, message, files)
        if viewer.kind == PrincipalKind.staff:  # the holder's first answer stops its timer
            await returns.note_answer(session, conversation_id, viewer.id, message.received_at)
        events.record(
            session,
            "message.queued",
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
            advisor_id=viewer.id,
            message_id=message.id,
            channel=channel,
        )
        await session.commit()
    assert message.id is not None
    await delivery.publish(db, broker, [message.id])
    return message


_FIRST_SUBJECT = {
    "fr": "Votre demande n° {conversation}",
    "en": "Your conversation #{conversation}",
}


def first_subject(conversation: Conversation) -> str:
    """The subject of an e-mail that starts a thread (the customer wrote none), in the
    conversation's language: French for a French conversation, English otherwise."""
    language = "fr" if (conversation.language or "").lower().startswith("fr") else "en"
    return _FIRST_SUBJECT[language].format(conversation=conversation.id)


def _external_id(viewer: Principal, data: ReplyCreate) -> str:
    if data.idempotency_key:
        return f"reply:{viewer.id}:{data.idempotency_key}"
    return f"reply:{uuid.uuid4().hex}"


def _reply_row(
    conversation: Conversation,
    viewer: Principal,
    advisor: Advisor | None,
    data: ReplyCreate,
    channel: str,
    target: Target,
    external_id: str,
) -> Message:
    subject = data.subject or target.subject
    if channel == "email" and not subject:
        subject = first_subject(conversation)
    return Message(
        channel=channel,
        external_id=external_id,
        direction="outbound",
        sender_address=f"advisor:{viewer.id}",
        sender_name=advisor.name if advisor else None,
        subject=subject if channel == "email" else None,
        text=data.text or "",  # a template reply's text is filled in by complete_reply
        received_at=utcnow(),
        meta={"reply_to": target.reply_to, "to_name": target.name},
        status=MessageStatus.queued,
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=viewer.id,
        recipient_address=target.address,
        next_attempt_at=utcnow(),
    )


def _check_same_reply(existing: Message, data: ReplyCreate) -> None:
    """A retry repeats the reply it retries; a key reused for another reply is refused (like
    an inbound message's external id, router.intake.idempotency), never silently ignored."""
    differs = (
        (data.text is not None and data.text != existing.text)
        or data.template_id != existing.meta.get("template_id")
        or (data.channel is not None and data.channel.value != existing.channel)
        or len(data.attachments) != len(existing.meta.get("attachments") or ())
    )
    if differs:
        raise Conflict(
            f"this idempotency_key was already used for another reply (message {existing.id}) "
            "in this conversation: use a new key for a new reply",
            field="idempotency_key",
        )


async def _existing(
    session: AsyncSession, conversation_id: int, external_id: str
) -> Message | None:
    found: Message | None = await session.scalar(
        select(Message).where(
            col(Message.conversation_id) == conversation_id,
            col(Message.direction) == "outbound",
            col(Message.external_id) == external_id,
        )
    )
    return found


def _last_inbound(conversation: Conversation, channel: str | None = None) -> Any:
    """The customer's own last message: a participant's (router.tickets.participants) is
    never a reply's default target, whatever address it came from."""
    query = select(Message).where(
        col(Message.conversation_id) == conversation.id,
        col(Message.customer_id) == conversation.customer_id,
        col(Message.direction) == "inbound",
        col(Message.status) == MessageStatus.processed,
    )
    if channel is not None:
        query = query.where(col(Message.channel) == channel)
    return query.order_by(col(Message.id).desc()).limit(1)


async def _last_channel(session: AsyncSession, conversation: Conversation) -> str:
    last = await session.scalar(_last_inbound(conversation))
    if email_requested(last) is not None:
        return "email"
    return last.channel if last is not None else str(conversation.channel)


def email_requested(message: Message | None) -> str | None:
    """The address a web-chat visitor gave when asking to be answered by e-mail (nobody took
    their chat): typed, not proven, so it is used for this conversation's replies only and
    never links the visitor to a customer."""
    if message is None or message.channel != "chat" or message.meta.get("reply_by") != "email":
        return None
    email = message.meta.get("email")
    return email if isinstance(email, str) else None


async def _answered(
    session: AsyncSession, conversation: Conversation, data: ReplyCreate
) -> Message | None:
    """The message the advisor explicitly answers (``to_message_id``), if any."""
    if data.to_message_id is None:
        return None
    message = await session.get(Message, data.to_message_id)
    if (
        message is None
        or message.conversation_id != conversation.id
        or message.direction != "inbound"
        or message.status != MessageStatus.processed
        or not message.sender_address
    ):
        raise InvalidRequest(
            f"message {data.to_message_id} is not a received message of this conversation",
            field="to_message_id",
        )
    if data.channel is not None and data.channel.value != message.channel:
        raise InvalidRequest(
            f"message {data.to_message_id} came on {message.channel}: answer it there",
            field="channel",
        )
    return message


async def _target(
    session: AsyncSession,
    conversation: Conversation,
    channel: str,
    answered: Message | None = None,
) -> Target:
    """Where the reply goes on ``channel``: to the message the advisor answers, else to the
    customer's last message there (threaded on it), else to their identity there."""
    last: Message | None = answered or await session.scalar(_last_inbound(conversation, channel))
    if last is not None:
        threading = last.meta.get("threading")
        return Target(
            address=last.sender_address,
            name=last.sender_name,
            reply_to=threading if isinstance(threading, dict) else None,
            subject=last.subject or await _any_subject(session, conversation),
        )
    if channel == "email":
        chat = await session.scalar(_last_inbound(conversation, "chat"))
        requested = email_requested(chat)
        if chat is not None and requested is not None:
            subject = await _any_subject(session, conversation)
            return Target(address=requested, name=chat.sender_name, subject=subject)
    identity = await session.scalar(
        select(ChannelIdentity)
        .where(
            col(ChannelIdentity.customer_id) == conversation.customer_id,
            col(ChannelIdentity.channel) == channel,
        )
        .order_by(col(ChannelIdentity.id).desc())
        .limit(1)
    )
    customer = await session.get(Customer, conversation.customer_id)
    address = identity.address if identity is not None else None
    if address is None and channel == "email" and customer is not None:
        address = customer.email
    if address is None:
        raise InvalidRequest(
            f"this customer has no {channel} address; pick a channel they use", field="channel"
        )
    return Target(
        address=address,
        name=customer.display_name if customer else None,
        subject=await _any_subject(session, conversation),
    )


async def _any_subject(session: AsyncSession, conversation: Conversation) -> str | None:
    subject: str | None = await session.scalar(
        select(Message.subject)
        .where(col(Message.conversation_id) == conversation.id, col(Message.subject).is_not(None))
        .order_by(col(Message.id).desc())
        .limit(1)
    )
    return subject


async def customer_target(session: AsyncSession, conversation: Conversation) -> tuple[str, Target]:
    """The channel the customer last wrote on and their address there, as a reply would use
    (satisfaction surveys reuse it); ``InvalidRequest`` when no address is known."""
    channel = await _last_channel(session, conversation)
    return channel, await _target(session, conversation, channel)
