"""Log in, refresh, log out, and turn a presented credential into a Principal.

One ``Authenticator`` per process: it holds the signing key, the login throttle and the
"last used" write throttle of API keys.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from datetime import timedelta

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import RateLimited, Unauthenticated
from router.models.advisors import Advisor, Role
from router.models.security import ApiKey, AuthSession, ServerSecret, StaffCredential, TokenPair
from router.security import apikeys, passwords, tokens
from router.security.principal import Principal, PrincipalKind
from router.security.ratelimit import LimiterFactory, local_limiter
from router.settings import Settings
from router.store import Database, insert_ignoring_duplicates
from router.store.types import utcnow

log = logging.getLogger(__name__)
SIGNING_KEY_NAME = "token-signing-key"
KEY_USE_WRITE_INTERVAL = 60.0  # seconds between two "last used" writes for one API key
KEY_CACHE_SECONDS = 5.0  # a revoked key stops working within this delay in every process
BAD_CREDENTIALS = "incorrect username or password"


async def load_signing_key(db: Database, settings: Settings) -> str:
    """The configured key, else the deployment's generated one (created by the first process)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    async with db.session() as session:
        insert = insert_ignoring_duplicates(db.dialect, ServerSecret.__table__)  # type: ignore[attr-defined]
        await session.execute(
            insert.values(
                name=SIGNING_KEY_NAME, value=secrets.token_urlsafe(48), created_at=utcnow()
            )
        )
        value = await session.scalar(
            select(ServerSecret.value).where(col(ServerSecret.name) == SIGNING_KEY_NAME)
        )
        await session.commit()
    assert value is not None
    return str(value)


async def staff_teams(
    session: AsyncSession, advisor_id: int, role: Role, team_id: int | None
) -> frozenset[int]:
    """An advisor's team; a supervisor's own team plus the teams of the advisors they supervise."""
    teams = {team_id} if team_id is not None else set()
    if role == Role.supervisor:
        rows = await session.scalars(
            select(Advisor.team_id)
            .where(col(Advisor.supervisor_id) == advisor_id, col(Advisor.team_id).is_not(None))
            .distinct()
        )
        teams.update(t for t in rows if t is not None)
    return frozenset(teams)


class Authenticator:
    def __init__(
        self, db: Database, settings: Settings, limiter: LimiterFactory = local_limiter
    ) -> None:
        self.db = db
        self.settings = settings
        self.signing_key = ""
        failures = settings.login_failures_allowed
        # After ``failures`` misses an account may try once a minute: brute force is slowed,
        # the owner is not locked out.
        self.login_throttle = limiter("login", 1 / 60, failures)
        self._key_used: dict[int, float] = {}
        self._keys: dict[str, tuple[ApiKey | None, float]] = {}

    async def start(self) -> None:
        self.signing_key = await load_signing_key(self.db, self.settings)

    # -- staff --------------------------------------------------------------------------

    async def login(self, username: str, password: str, client: str = "") -> TokenPair:
        """Every attempt is charged before the (slow) check, so concurrent guesses cannot
        slip past the limit; success gives the budget back. The budget is per account and
        client address: a guesser elsewhere cannot lock the owner out."""
        account = username.strip().lower()
        throttle_key = f"{account}|{client}"
        try:
            await self.login_throttle.take(throttle_key, "failed logins")
        except RateLimited as limited:
            # Neither the name tried nor the password; the client address, so that a
            # guesser can be traced and blocked upstream (a security log's legitimate use).
            log.info(
                "login refused: too many failed logins (retry in %.0f s)",
                limited.retry_after,
                extra={"client": client},
            )
            raise RateLimited(
                "too many failed logins for this account", retry_after=limited.retry_after
            ) from None
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(Advisor.id, StaffCredential.password_hash)
                    .join(StaffCredential, col(StaffCredential.advisor_id) == col(Advisor.id))
                    .where(func.lower(Advisor.email) == account)
                    .order_by(col(Advisor.id))
                    .limit(1)
                )
            ).one_or_none()
            stored = row.password_hash if row else None
            # argon2 is deliberately slow: keep it off the event loop.
            if not await asyncio.to_thread(passwords.verify_password, stored, password):
                if row is None:
                    log.info(
                        "failed login: no staff account with that name", extra={"client": client}
                    )
                else:
                    log.info(
                        "failed login for staff %d: wrong password",
                        row.id,
                        extra={"client": client},
                    )
                raise Unauthenticated(BAD_CREDENTIALS)
            await self.login_throttle.forget(throttle_key)
            advisor_id = int(row.id)  # type: ignore[union-attr]
            await self._after_login(session, advisor_id, stored, password)
            pair = self._new_session(session, advisor_id)
            await session.commit()
        log.info("staff %d logged in", advisor_id)
        return pair

    async def _after_login(
        self, session: AsyncSession, advisor_id: int, stored: str | None, password: str
    ) -> None:
        values: dict[str, object] = {"last_login_at": utcnow()}
        if stored and passwords.needs_rehash(stored):
            values["password_hash"] = await asyncio.to_thread(passwords.hash_password, password)
        await session.execute(
            update(StaffCredential)
            .where(col(StaffCredential.advisor_id) == advisor_id)
            .values(**values)
        )

    def _new_session(self, session: AsyncSession, advisor_id: int) -> TokenPair:
        session_id = tokens.new_session_id()
        refresh, refresh_hash = tokens.new_refresh_token(session_id)
        lifetime = self.settings.refresh_token_seconds
        session.add(
            AuthSession(
                id=session_id,
                advisor_id=advisor_id,
                refresh_hash=refresh_hash,
                expires_at=utcnow() + timedelta(seconds=lifetime),
            )
        )
        return self._pair(advisor_id, session_id, refresh)

    def _pair(self, advisor_id: int, session_id: str, refresh: str) -> TokenPair:
        access_lifetime = self.settings.access_token_seconds
        return TokenPair(
            access_token=tokens.issue_access_token(
                self.signing_key, advisor_id, session_id, access_lifetime
            ),
            expires_in=access_lifetime,
            refresh_token=refresh,
            refresh_expires_in=self.settings.refresh_token_seconds,
        )

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented token is spent; presenting a spent one revokes the session."""
        session_id, secret = tokens.split_refresh_token(refresh_token)
        async with self.db.session() as session:
            row = await session.get(AuthSession, session_id, with_for_update=True)
            if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
                raise Unauthenticated("the refresh token is expired or revoked; log in again")
            if not tokens.matches(secret, row.refresh_hash):
                if row.previous_refresh_hash and tokens.matches(secret, row.previous_refresh_hash):
                    row.revoked_at, row.revoked_reason = utcnow(), "refresh token reused"
                    await session.commit()
                    log.warning("refresh token reuse: session of staff %d revoked", row.advisor_id)
                    raise Unauthenticated("the refresh token was already used; log in again")
                raise Unauthenticated("the refresh token is invalid")
            row.previous_refresh_hash = row.refresh_hash
            refresh, row.refresh_hash = tokens.new_refresh_token(session_id)
            row.refreshed_at = utcnow()
            pair = self._pair(row.advisor_id, session_id, refresh)
            await session.commit()
        return pair

    async def logout(self, session_id: str) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(AuthSession)
                .where(col(AuthSession.id) == session_id, col(AuthSession.revoked_at).is_(None))
                .values(revoked_at=utcnow(), revoked_reason="logout")
            )
            await session.commit()

    async def staff_principal(self, access_token: str) -> Principal:
        claims = tokens.decode_access_token(self.signing_key, access_token)
        async with self.db.read_session() as session:
            row = (
                await session.execute(
                    select(Advisor.role, Advisor.team_id, AuthSession.revoked_at)
                    .join(AuthSession, col(AuthSession.advisor_id) == col(Advisor.id))
                    .where(
                        col(AuthSession.id) == claims.session_id,
                        col(Advisor.id) == claims.advisor_id,
                    )
                )
            ).one_or_none()
            if row is None or row.revoked_at is not None:
                raise Unauthenticated("this session was logged out or revoked; log in again")
            role = Role(row.role)
            teams = await staff_teams(session, claims.advisor_id, role, row.team_id)
        return Principal(
            PrincipalKind.staff,
            claims.advisor_id,
            role=role,
            team_ids=teams,
            session_id=claims.session_id,
        )

    # -- integrators --------------------------------------------------------------------

    async def key_principal(self, presented: str) -> Principal:
        parsed = apikeys.parse(presented)
        if parsed is None:
            raise Unauthenticated("the API key is malformed")
        prefix, secret = parsed
        key = await self._key(prefix)
        if key is None or not tokens.matches(secret, key.secret_hash):
            raise Unauthenticated("the API key is unknown")
        if key.revoked_at is not None:
            raise Unauthenticated("the API key was revoked")
        assert key.id is not None
        await self._note_use(key.id)
        return Principal(
            PrincipalKind.api_key,
            key.id,
            scopes=frozenset(key.scopes),
            channels=frozenset(key.channels),
        )

    async def _key(self, prefix: str) -> ApiKey | None:
        """Keys are read on every integrator request: keep them a few seconds in memory."""
        now = time.monotonic()
        cached = self._keys.get(prefix)
        if cached is not None and now - cached[1] < KEY_CACHE_SECONDS:
            return cached[0]
        async with self.db.read_session() as session:
            key = await session.scalar(select(ApiKey).where(col(ApiKey.prefix) == prefix))
        if len(self._keys) > 10_000:
            self._keys.clear()
        self._keys[prefix] = (key, now)
        return key

    def forget_key(self, prefix: str) -> None:
        self._keys.pop(prefix, None)

    async def _note_use(self, key_id: int) -> None:
        """Record last use at most once a minute per key: no write on every request."""
        now = time.monotonic()
        if now - self._key_used.get(key_id, -KEY_USE_WRITE_INTERVAL) < KEY_USE_WRITE_INTERVAL:
            return
        self._key_used[key_id] = now
        async with self.db.session() as session:
            await session.execute(
                update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=utcnow())
            )
            await session.commit()
