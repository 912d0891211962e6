"""Supervisor alerts: the stream (team-scoped) and its delivery to the alert webhook.

Delivery is at least once, for alerts less than a day old (older ones, e.g. written before
the webhook was configured, are marked and skipped). The ``alert`` table is the outbox: a
worker process claims due alerts for a short lease (SKIP LOCKED, committed), POSTs each with
httpx outside any transaction, then records the outcome; a failure is retried with backoff
up to the configured number of attempts, a process that dies mid-delivery loses only its
lease. The body is signed with HMAC-SHA256: ``X-Aiguillage-Signature: sha256=<hex>`` over
``<timestamp>.<body>``, the timestamp in ``X-Aiguillage-Timestamp`` (receivers reject old
ones to stop replays); ``X-Aiguillage-Alert-Id`` lets them drop duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Sequence
from datetime import timedelta

import httpx
import orjson
from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from router.models import Alert
from router.models.alerts import AlertPublic
from router.security.principal import Principal
from router.settings import Settings
from router.store import Database
from router.store.types import utcnow

log = logging.getLogger(__name__)

_LEASE = timedelta(seconds=60)
_MAX_AGE = timedelta(days=1)
_BATCH = 50


async def list_alerts(
    db: Database, viewer: Principal, *, after_id: int, limit: int
) -> Sequence[Alert]:
    """Alerts after ``after_id``, oldest first: admins see all; supervisors their teams',
    those addressed to them, and those of conversations waiting in no team's queue (which,
    like the conversations themselves, concern every team)."""
    query = select(Alert).where(col(Alert.id) > after_id)
    if not viewer.sees_everything:
        query = query.where(
            or_(
                col(Alert.team_id).in_(sorted(viewer.team_ids)),
                col(Alert.supervisor_id) == viewer.id,
                and_(col(Alert.team_id).is_(None), col(Alert.supervisor_id).is_(None)),
            )
        )
    async with db.read_session() as session:
        return (await session.scalars(query.order_by(col(Alert.id)).limit(limit))).all()


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(alert: Alert) -> bytes:
    return orjson.dumps(
        AlertPublic.model_validate(alert, from_attributes=True).model_dump(mode="json")
    )


class AlertDispatcher:
    """Delivers due alerts to the webhook: polls every ``interval`` seconds (alerts are
    committed rows, so it sends nothing a rolled-back transaction wrote)."""

    def __init__(
        self,
        db: Database,
        url: str,
        secret: bytes,
        *,
        attempts: int,
        retry_seconds: float = 1.0,
        interval: float = 1.0,
        timeout: float = 5.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.db = db
        self.url = url
        self.secret = secret
        self.attempts = attempts
        self.retry_seconds = retry_seconds
        self.interval = interval
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._owns_client = client is None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="alert-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._owns_client:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                while await self.deliver_due() == _BATCH:
                    pass
            except Exception:  # a bad round must not stop delivery for good
                log.exception("alert webhook round failed; retrying in %.0f s", self.interval)

    async def deliver_due(self) -> int:
        """One batch: claim, POST, record. Returns how many were claimed."""
        claimed = await self._claim()
        for alert in claimed:
            error = await self._post(alert)
            await self._settle(alert, error)
        return len(claimed)

    async def _claim(self) -> list[Alert]:
        async with self.db.session() as session:
            now = utcnow()
            # Alerts written while no webhook was configured are not news any more.
            await session.execute(
                update(Alert)
                .where(
                    col(Alert.delivered_at).is_(None),
                    col(Alert.next_attempt_at).is_not(None),
                    col(Alert.created_at) < now - _MAX_AGE,
                )
                .values(next_attempt_at=None, last_error="older than a day: not sent")
            )
            rows = (
                await session.scalars(
                    select(Alert)
                    .where(
                        col(Alert.delivered_at).is_(None),
                        col(Alert.next_attempt_at).is_not(None),
                        col(Alert.next_attempt_at) <= now,
                    )
                    .order_by(col(Alert.next_attempt_at))
                    .limit(_BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for alert in rows:
                alert.attempts += 1
                alert.next_attempt_at = now + _LEASE  # ours until then
            await session.commit()
            return list(rows)

    async def _post(self, alert: Alert) -> str | None:
        body = payload(alert)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Aiguillage-Event": alert.type,
            "X-Aiguillage-Alert-Id": str(alert.id),
            "X-Aiguillage-Timestamp": timestamp,
            "X-Aiguillage-Signature": signature(self.secret, timestamp, body),
        }
        try:
            response = await self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return f"{type(error).__name__}: {error}"[:300]
        if response.is_success:
            return None
        return f"HTTP {response.status_code}"

    async def _settle(self, alert: Alert, error: str | None) -> None:
        async with self.db.session() as session:
            row = await session.get(Alert, alert.id)
            if row is None:
                return  # purged meanwhile
            now = utcnow()
            row.last_error = error
            if error is None:
                row.delivered_at = now
                row.next_attempt_at = None
            elif row.attempts >= self.attempts:
                row.next_attempt_at = None
                log.error(
                    "alert %s not delivered after %d attempts: %s", row.id, row.attempts, error
                )
            else:
                backoff = min(300.0, self.retry_seconds * 2 ** (row.attempts - 1))
                row.next_attempt_at = now + timedelta(seconds=backoff)
                log.warning("alert %s delivery failed (%s); will retry", row.id, error)
            await session.commit()


def alert_dispatcher(db: Database, settings: Settings) -> AlertDispatcher | None:
    """The dispatcher a worker process runs, or None when no alert webhook is configured."""
    if not settings.alert_webhook_url or settings.alert_webhook_secret is None:
        return None
    return AlertDispatcher(
        db,
        settings.alert_webhook_url,
        settings.alert_webhook_secret.get_secret_value().encode(),
        attempts=settings.alert_webhook_attempts,
        retry_seconds=settings.alert_webhook_retry_seconds,
    )
