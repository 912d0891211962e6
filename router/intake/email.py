"""Raw email into the intake: the SMTP listener, ``POST /v1/email/inbound`` and the importer.

Parsing never fails on bad content (malformed MIME is stored with a review reason and its
raw bytes); the only refusal is a message above the size limit (``PayloadTooLarge``: 413
over HTTP, 552 over SMTP, "rejected" in an import). Large messages are parsed in a thread
so one torture test does not stall the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from channels.base import InboundMessage, ParseResult
from channels.email.adapter import EmailAdapter
from channels.email.mailbox_reader import RawMessage
from channels.errors import PayloadTooLarge
from router.errors import Forbidden, InvalidRequest
from router.intake import automated_mail
from router.intake.accept import IntakeWriter, write_batch
from router.intake.channel import IntakeSummary, OriginalPolicy, accept_parsed, is_held, submission
from router.security.principal import Principal
from router.store import Database

log = logging.getLogger(__name__)

PARSE_IN_THREAD_BYTES = 256 * 1024
IMPORT_BATCH = 100


async def parse(adapter: EmailAdapter, raw: bytes) -> InboundMessage:
    if len(raw) > PARSE_IN_THREAD_BYTES:
        return await asyncio.to_thread(adapter.parse_raw, raw)
    return adapter.parse_raw(raw)


async def accept_raw(
    db: Database,
    writer: IntakeWriter,
    adapter: EmailAdapter,
    policy: OriginalPolicy,
    raw: bytes,
    extra: dict[str, Any] | None = None,
) -> IntakeSummary:
    """One raw RFC 5322 message, stored (``extra`` joins its metadata, e.g. the envelope)."""
    message = await parse(adapter, raw)
    if extra:
        message = replace(message, metadata={**message.metadata, **extra})
    return await accept_parsed(db, writer, ParseResult(messages=(message,)), policy, source="email")


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    flagged: int = 0  # imported, with a review reason (malformed MIME, no sender...)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)


async def import_messages(
    db: Database,
    adapter: EmailAdapter,
    policy: OriginalPolicy,
    sources: Iterable[RawMessage],
    on_progress: Callable[[int], None] = lambda _n: None,
) -> ImportReport:
    """Store messages read from files, in batches; the running service's outbox sweeper
    hands them to the pipeline (nothing here needs the broker)."""
    report = ImportReport()
    batch: list[InboundMessage] = []
    for source in sources:
        try:
            batch.append(adapter.parse_raw(source.raw))
        except PayloadTooLarge as error:
            report.rejected.append((source.source, error.detail))
        if len(batch) >= IMPORT_BATCH:
            await _store(db, batch, policy, report)
            batch = []
        on_progress(1)
    if batch:
        await _store(db, batch, policy, report)
    return report


async def _store(
    db: Database, batch: list[InboundMessage], policy: OriginalPolicy, report: ImportReport
) -> None:
    answers, _ = await write_batch(db, [submission(m, policy) for m in batch])
    held = []
    for message, answer in zip(batch, answers, strict=True):
        if answer.duplicate:
            report.duplicates += 1
            continue
        report.imported += 1
        report.flagged += message.review_reason is not None
        if is_held(message):
            held.append(answer.id)
    if held:
        await automated_mail.link_held(db, held)


async def accept_posted(
    db: Database,
    writer: IntakeWriter,
    adapter: EmailAdapter,
    policy: OriginalPolicy,
    raw: bytes,
    caller: Principal,
) -> IntakeSummary:
    """``POST /v1/email/inbound``: an MTA pipe or inbound-parse service posting raw MIME."""
    if not caller.may_use_channel("email"):
        raise Forbidden("this API key may not post messages for channel email")
    if not raw.strip():
        raise InvalidRequest("empty body: post the raw RFC 5322 message", field="body")
    return await accept_raw(db, writer, adapter, policy, raw, {"received_via": "api"})
