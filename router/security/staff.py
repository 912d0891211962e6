"""Staff accounts: passwords for advisors, supervisors and admins; the first admin."""

from __future__ import annotations

import asyncio
import secrets

from sqlalchemy import func, update
from sqlmodel import col, select

from router.errors import Conflict, Forbidden, NotFound, Unauthenticated
from router.models.advisors import Advisor, AdvisorStatus, Role
from router.models.security import AuthSession, StaffCredential
from router.security import passwords
from router.security.principal import Principal
from router.store import Database
from router.store.types import utcnow


def generate_password() -> str:
    return secrets.token_urlsafe(15)


async def set_password(
    db: Database,
    advisor_id: int,
    new_password: str,
    *,
    by: Principal | None = None,
    current_password: str | None = None,
) -> None:
    """Admins set anyone's password; others only their own, proving the current one.

    Every open session of the account is revoked: a changed password logs out thieves.
    """
    if by is not None and not by.is_admin:
        if by.id != advisor_id:
            raise Forbidden("only an admin may set another account's password")
        if current_password is None:
            raise Unauthenticated("current_password is required to change your own password")
    new_hash = await asyncio.to_thread(passwords.hash_password, new_password)
    async with db.session() as session:
        advisor = await session.get(Advisor, advisor_id)
        if advisor is None:
            raise NotFound(f"advisor {advisor_id} does not exist")
        credential = await session.get(StaffCredential, advisor_id, with_for_update=True)
        if current_password is not None and not await asyncio.to_thread(
            passwords.verify_password,
            credential.password_hash if credential else None,
            current_password,
        ):
            raise Unauthenticated("current_password is incorrect")
        if credential is None:
            session.add(StaffCredential(advisor_id=advisor_id, password_hash=new_hash))
        else:
            credential.password_hash, credential.password_changed_at = new_hash, utcnow()
        await session.execute(
            update(AuthSession)
            .where(col(AuthSession.advisor_id) == advisor_id, col(AuthSession.revoked_at).is_(None))
            .values(revoked_at=utcnow(), revoked_reason="password changed")
        )
        await session.commit()


async def create_admin(db: Database, email: str, name: str, password: str) -> int:
    """Bootstrap an admin account (CLI); refuses an e-mail address already in use."""
    password_hash = await asyncio.to_thread(passwords.hash_password, password)
    async with db.session() as session:
        taken = await session.scalar(
            select(Advisor.id).where(func.lower(Advisor.email) == email.lower())
        )
        if taken is not None:
            raise Conflict(f"{email} already has an account (id {taken})", field="email")
        admin = Advisor(
            name=name,
            email=email.lower(),
            role=Role.admin,
            status=AdvisorStatus.OFFLINE,
            capacity_total=0,
        )
        session.add(admin)
        await session.flush()
        assert admin.id is not None
        session.add(StaffCredential(advisor_id=admin.id, password_hash=password_hash))
        await session.commit()
        return admin.id
