"""The SMTP listener of ``aiguillage serve`` (aiosmtpd): customers' mail straight in.

Each message accepted at DATA is stored (router.intake.email) before the 250
answer, so a sender whose server saw "250" has handed it over for good. Refusals follow
SMTP: 552 above ``AIGUILLAGE_EMAIL_MAX_MESSAGE_BYTES`` (aiosmtpd enforces it while the data
streams in, and advertises it with the SIZE extension), 550 for a recipient outside
``AIGUILLAGE_SMTP_ACCEPT_DOMAINS``, 451 (try again later) when storing failed. Malformed
MIME is not a refusal: it is stored with its raw bytes and flagged for review. Nothing a
client sends can stop the listener.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.errors import PayloadTooLarge
from router.intake.channel import IntakeSummary

log = logging.getLogger(__name__)

#: Stores one raw message with extra metadata (the SMTP envelope).
Accept = Callable[[bytes, dict[str, Any]], Awaitable[IntakeSummary]]


class MailHandler:
    """aiosmtpd handler: RCPT checks the domain, DATA stores the message."""

    def __init__(self, accept: Accept, accept_domains: list[str]) -> None:
        self.accept = accept
        self.domains = {d.strip().lower().lstrip("@") for d in accept_domains if d.strip()}

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002
        session: Session,  # noqa: ARG002
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],  # noqa: ARG002
    ) -> str:
        domain = address.rpartition("@")[2].strip().lower()
        if self.domains and domain not in self.domains:
            return "550 5.7.1 Relaying denied: not a mailbox of this service"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002
        session: Session,
        envelope: Envelope,
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):  # only with decode_data=True, which we never set
            raw = raw.encode("utf-8", "surrogateescape")
        extra = {
            "envelope": {
                "mail_from": envelope.mail_from,
                "rcpt_to": list(envelope.rcpt_tos)[:50],
                "peer": str(session.peer[0]) if session.peer else None,
            }
        }
        try:
            summary = await self.accept(raw, extra)
        except PayloadTooLarge as error:
            return f"552 5.3.4 {error.detail}"
        except Exception:  # storing failed: the sender keeps the message and retries
            log.exception("SMTP: could not store a message; answered 451")
            return "451 4.3.0 Temporary failure, please try again later"
        state = "duplicate of" if summary.duplicates else "queued as"
        return f"250 2.0.0 Message {state} {summary.ids[0]}"


class SmtpListener:
    def __init__(
        self, handler: MailHandler, *, host: str, port: int, max_message_bytes: int
    ) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.max_message_bytes = max_message_bytes
        self.hostname = socket.gethostname()  # once: a lookup per connection could block
        self._server: asyncio.Server | None = None

    def _protocol(self) -> SMTP:
        return SMTP(
            self.handler,
            data_size_limit=self.max_message_bytes,
            enable_SMTPUTF8=True,
            hostname=self.hostname,
            ident="Aiguillage ESMTP",
        )

    async def start(self) -> None:
        """Bind now: a port already taken stops start-up (never a silently missing channel).
        No SO_REUSEPORT: two services sharing a port would split the mail between them. With
        several API processes on one host, run the listener in one (port 0 in the others)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, self.port)
        bound = self._server.sockets[0].getsockname()
        self.port = int(bound[1])
        log.info("SMTP listener on %s:%d", bound[0], self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
