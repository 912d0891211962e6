"""Password hashing with argon2id (memory-hard: a stolen table is slow to attack)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from router.errors import InvalidRequest

MIN_LENGTH = 10
MAX_LENGTH = 256

_hasher = PasswordHasher()
# Verified against when the login name is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("aiguillage-dummy-password")


def check_strength(password: str) -> None:
    """Refuse passwords that a brute-force limit alone cannot protect."""
    if len(password) < MIN_LENGTH:
        raise InvalidRequest(f"password must be at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidRequest(f"password must be at most {MAX_LENGTH} characters", field="password")
    if len(set(password)) < 4:
        raise InvalidRequest("password is too repetitive", field="password")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists; never raises on a bad hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password[:MAX_LENGTH]) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
