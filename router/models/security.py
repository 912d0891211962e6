"""Credentials, sessions, API keys, the audit log and server secrets.

Staff (advisors, supervisors, admins) are rows of ``advisor``; their password lives apart so
that no advisor query can ever carry a hash by accident.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from router.models.channels import Channel
from router.models.validation import RequestBody, storable_text
from router.store.types import JSONType, UTCDateTime, empty_dict, empty_list, utcnow


class Scope(StrEnum):
    """What an integrator's API key may do; staff are governed by their role instead."""

    messages_write = "messages:write"
    messages_read = "messages:read"
    conversations_read = "conversations:read"
    conversations_write = "conversations:write"
    advisors_read = "advisors:read"
    advisors_write = "advisors:write"
    catalog_read = "catalog:read"
    rules_read = "rules:read"
    customers_read = "customers:read"


# The table: a staff member's password (argon2id) and login bookkeeping.
class StaffCredential(SQLModel, table=True):
    __tablename__ = "staff_credential"

    advisor_id: int = Field(foreign_key="advisor.id", primary_key=True, ondelete="CASCADE")
    password_hash: str = Field(max_length=200)
    password_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The table: one login; refresh tokens rotate inside it, logout revokes it.
class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"

    id: str = Field(primary_key=True, max_length=32)
    advisor_id: int = Field(foreign_key="advisor.id", index=True, ondelete="CASCADE")
    refresh_hash: str = Field(max_length=64)
    # The spent one: presenting it again means it was stolen (the session is revoked).
    previous_refresh_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    refreshed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=60)


# The table: an integrator's key; only a hash of the secret is kept.
class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    scopes: list[str] = Field(default_factory=empty_list, sa_type=JSONType)
    channels: list[str] = Field(
        default_factory=empty_list, sa_type=JSONType
    )  # empty: every channel
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="advisor.id", ondelete="SET NULL")
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The table: who did what, without personal data (paths hold ids, never bodies).
class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_kind: str = Field(max_length=20)  # staff | api_key | cli | system
    actor_id: int | None = Field(default=None)
    actor_role: str | None = Field(default=None, max_length=20)
    action: str = Field(max_length=120)
    target: str = Field(max_length=300)
    status_code: int | None = Field(default=None)
    detail: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSONType)


# The table: secrets the service generates for itself (the token signing key).
class ServerSecret(SQLModel, table=True):
    __tablename__ = "server_secret"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200, sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Body of POST /v1/auth/token: an OAuth2 password grant, form-encoded. Other OAuth2 fields a
# client may send (scope, client_id, client_secret) are ignored: staff rights come from the role.
class LoginForm(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "grant_type": "password",
                    "username": "lea.moreau@example.com",
                    "password": "a long enough passphrase",
                }
            ]
        }
    )
    grant_type: str | None = PydanticField(
        default=None,
        pattern="^password$",
        description="OAuth2 grant type: password, or omitted",
    )
    username: str = PydanticField(
        max_length=320, description="the staff member's login e-mail (OAuth2 calls it username)"
    )
    password: str = PydanticField(max_length=256, description="their password")
    scope: str | None = PydanticField(
        default=None, max_length=1000, description="OAuth2 scope: accepted and ignored"
    )
    client_id: str | None = PydanticField(
        default=None, max_length=200, description="OAuth2 client id: accepted and ignored"
    )
    client_secret: str | None = PydanticField(
        default=None, max_length=200, description="OAuth2 client secret: accepted and ignored"
    )


# Returned by POST /v1/auth/token and /v1/auth/refresh (OAuth2 token response).
class TokenPair(BaseModel):
    access_token: str = PydanticField(
        description="short-lived JWT: send as Authorization: Bearer <token>"
    )
    token_type: str = PydanticField(default="bearer", description="always bearer")
    expires_in: int = PydanticField(description="access token lifetime in seconds")
    refresh_token: str = PydanticField(
        description="single-use token for POST /v1/auth/refresh; keep it secret"
    )
    refresh_expires_in: int = PydanticField(description="seconds until the refresh token expires")


# Body of POST /v1/auth/refresh and /v1/auth/logout.
class RefreshRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"refresh_token": "rt_7Gx2kQp9VvLw3sNfYb1HcZ4mA8dE0uJr"}]}
    )
    refresh_token: str = PydanticField(
        min_length=10,
        max_length=200,
        description="the refresh token of the latest token pair (single use: a reuse revokes the "
        "session)",
    )


KeyName = Annotated[str, StringConstraints(min_length=1, max_length=100)]


# Body of POST /v1/api-keys.
class ApiKeyCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "shop-backend",
                    "scopes": ["messages:write", "conversations:read"],
                    "channels": ["api", "email"],
                }
            ]
        }
    )
    name: KeyName = PydanticField(
        description="what the key is for, to recognise it later (e.g. shop-backend)"
    )
    scopes: list[Scope] = PydanticField(
        min_length=1, max_length=len(Scope), description="what the key may do, at least one"
    )
    channels: list[Channel] = PydanticField(
        default_factory=empty_list, description="channels this key may post for; empty = all"
    )

    _name = field_validator("name")(storable_text)


# Returned by the API (never the secret, except once at creation).
class ApiKeyPublic(BaseModel):
    id: int = PydanticField(description="key id")
    name: str = PydanticField(description="what the key is for")
    prefix: str = PydanticField(
        description="the key's first characters (agk_...), to recognise it in logs; the secret is "
        "never shown again"
    )
    scopes: list[str] = PydanticField(description="what the key may do")
    channels: list[str] = PydanticField(description="channels it may post for; empty: all")
    created_at: datetime = PydanticField(description="when it was created (UTC)")
    last_used_at: datetime | None = PydanticField(
        description="when it was last used (UTC); null: never"
    )
    revoked_at: datetime | None = PydanticField(
        description="when it was revoked (UTC); null: still valid"
    )


# Returned once by POST /v1/api-keys.
class ApiKeyCreated(ApiKeyPublic):
    secret: str = PydanticField(description="shown once; store it now")


# Returned by GET /v1/audit.
class AuditPublic(BaseModel):
    id: int = PydanticField(description="entry id (increasing)")
    at: datetime = PydanticField(description="when it happened (UTC)")
    actor_kind: str = PydanticField(description="who acted: staff, api_key, cli or system")
    actor_id: int | None = PydanticField(
        description="the advisor or API key id; null for cli and system"
    )
    actor_role: str | None = PydanticField(
        description="role at the time: advisor, supervisor or admin; integrator for API keys; "
        "null for cli and system"
    )
    action: str = PydanticField(
        description="what was done: METHOD and route template (e.g. POST /v1/rules), or a named "
        "action (customer.erased, retention.purged)"
    )
    target: str = PydanticField(
        description="what it was done to (the request path, or a named object)"
    )
    status_code: int | None = PydanticField(
        description="the HTTP answer; null for actions outside a request"
    )
    detail: dict[str, Any] = PydanticField(
        description="more about the action (ids changed, fields set, never secrets)"
    )
