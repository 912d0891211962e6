"""Outbound email: build a reply that threads in the customer's client, send it over SMTP.

The reply carries a fresh Message-ID (stable for one ``idempotency_key``, so a retried send
is recognisably the same message), In-Reply-To = the answered message's id and References =
its references plus its id (RFC 5322 §3.6.4), and "Re: <subject>". The Message-ID is the
``SendResult`` provider id: the customer's answer will name it in In-Reply-To.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Literal

import aiosmtplib

from channels.base import OutboundMessage
from channels.email.threading import reply_references, reply_subject
from channels.errors import PermanentSendError, SendError, TransientSendError
from channels.text import optional


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    validate_certs: bool = True


def message_id(domain: str, idempotency_key: str | None = None) -> str:
    """A new Message-ID; the same one for the same ``idempotency_key``."""
    if idempotency_key:
        digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
        return f"<aiguillage.{digest}@{domain}>"
    return make_msgid(idstring="aiguillage", domain=domain)


def _address(value: str, name: str | None, role: str) -> Address:
    try:
        local, _, domain = value.strip().rpartition("@")
        if not local or not domain:
            raise ValueError("not an email address")
        return Address(display_name=optional(name) or "", username=local, domain=domain)
    except (ValueError, TypeError, IndexError) as exc:
        raise PermanentSendError(f"invalid {role} address {value!r}: {exc}") from None


def build_email(
    message: OutboundMessage,
    *,
    from_address: str,
    from_name: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The RFC 5322 message for ``message``; ``PermanentSendError`` if it cannot be built."""
    email = EmailMessage(policy=SMTP)
    email["From"] = _address(from_address, from_name, "sender")
    email["To"] = _address(message.to, message.to_name, "recipient")
    subject = optional(message.subject)
    email["Subject"] = reply_subject(subject) if message.reply_to else (subject or "")
    email["Date"] = format_datetime(now or datetime.now(UTC))
    email["Message-ID"] = message_id(
        domain or from_address.rpartition("@")[2], message.idempotency_key
    )
    if message.reply_to is not None:
        in_reply_to, references = reply_references(message.reply_to)
        if in_reply_to:
            email["In-Reply-To"] = in_reply_to
        if references:
            email["References"] = " ".join(references)
    email.set_content(message.text)
    for attachment in message.attachments:
        if attachment.content is None:
            raise PermanentSendError(f"attachment {attachment.filename!r} has no content")
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename or "attachment",
        )
    return email


async def smtp_send(email: EmailMessage, settings: SmtpSettings, envelope_from: str | None) -> None:
    """Hand ``email`` to the SMTP server; SMTP replies mapped to our send errors."""
    try:
        await aiosmtplib.send(
            email,
            sender=envelope_from,
            hostname=settings.host,
            port=settings.port,
            username=settings.username,
            password=settings.password,
            use_tls=settings.security == "tls",
            start_tls=settings.security == "starttls",
            validate_certs=settings.validate_certs,
            timeout=settings.timeout,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients[0]
        raise _from_reply(refused.code, refused.message, "recipient refused") from None
    except aiosmtplib.SMTPResponseException as exc:
        raise _from_reply(exc.code, exc.message, "SMTP server refused the message") from None
    except (aiosmtplib.SMTPReadTimeoutError, aiosmtplib.SMTPServerDisconnected) as exc:
        raise TransientSendError(
            f"SMTP connection lost mid-conversation: {exc}", maybe_delivered=True
        ) from None
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise TransientSendError(f"cannot reach the SMTP server: {exc}") from None


def _from_reply(code: int, text: str, what: str) -> SendError:
    detail = f"{what}: {code} {text}"
    if 400 <= code < 500:
        return TransientSendError(detail, provider_code=str(code), provider_message=text)
    return PermanentSendError(detail, provider_code=str(code), provider_message=text)
