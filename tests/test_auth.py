"""Logins, tokens, sessions, API keys, throttling and the audit log, through the real app."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from sqlmodel import select

from router.errors import RateLimited
from router.models.security import ApiKey, AuditEntry, StaffCredential
from router.security import tokens
from router.security.ratelimit import RateLimiter
from router.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, admin_client, bearer, runtime_of


def _login(http: httpx.AsyncClient, email: str, password: str) -> httpx.Request:
    return http.build_request(
        "POST", "/v1/auth/token", data={"username": email, "password": password}
    )


async def test_login_refresh_logout(client: httpx.AsyncClient) -> None:
    anonymous = {"Authorization": ""}
    bad = await client.post(
        "/v1/auth/token",
        data={"username": ADMIN_EMAIL, "password": "wrong password!"},
        headers=anonymous,
    )
    assert bad.status_code == 401 and bad.json()["detail"] == "incorrect username or password"
    unknown = await client.post(
        "/v1/auth/token", data={"username": "nobody@x.io", "password": "x"}, headers=anonymous
    )
    assert unknown.status_code == 401 and unknown.json()["detail"] == bad.json()["detail"]

    pair = (
        await client.post(
            "/v1/auth/token",
            data={"username": ADMIN_EMAIL.upper(), "password": ADMIN_PASSWORD},
            headers=anonymous,
        )
    ).json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await client.get("/v1/auth/me", headers=auth)).json()["email"] == ADMIN_EMAIL

    rotated = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    # The spent refresh token is refused, and its reuse revokes the whole session.
    reused = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert reused.status_code == 401
    new_auth = {"Authorization": f"Bearer {rotated.json()['access_token']}"}
    assert (await client.get("/v1/auth/me", headers=new_auth)).status_code == 401

    other = {"Authorization": await bearer(client, ADMIN_EMAIL, ADMIN_PASSWORD)}
    assert (await client.post("/v1/auth/logout", headers=other)).status_code == 204
    after = await client.get("/v1/auth/me", headers=other)
    assert after.status_code == 401 and "logged out" in after.json()["detail"]


async def test_tokens_are_signed_and_expire(client: httpx.AsyncClient) -> None:
    key = runtime_of(client).auth.signing_key
    expired = tokens.issue_access_token(key, 1, "0" * 32, lifetime=-10)
    response = await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    forged = tokens.issue_access_token("not the key " * 4, 1, "0" * 32, lifetime=60)
    response = await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and "invalid" in response.json()["detail"]


async def test_brute_force_on_one_account_is_slowed(settings: Settings) -> None:
    async with admin_client(settings.model_copy(update={"login_failures_allowed": 3})) as http:
        statuses = []
        for _ in range(5):
            response = await http.send(_login(http, ADMIN_EMAIL, "guess guess guess"))
            statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 429, 429]
        assert int(response.headers["Retry-After"]) > 0
        # Even the right password waits: the attacker learns nothing from the answer.
        right = await http.send(_login(http, ADMIN_EMAIL, ADMIN_PASSWORD))
        assert right.status_code == 429


async def test_public_endpoints_are_rate_limited_per_address(settings: Settings) -> None:
    async with admin_client(settings.model_copy(update={"public_requests_per_minute": 4})) as http:
        # The fixture's own login spent one request of this address's budget.
        statuses = [
            (await http.post("/v1/auth/refresh", json={"refresh_token": "x" * 40})).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]


@pytest.mark.parametrize(
    ("wait", "seconds"), [(0.0001, 1), (0.3, 1), (0.5, 1), (1.0, 1), (1.2, 2), (59.99, 60)]
)
async def test_the_429_text_and_retry_after_use_one_rounding(wait: float, seconds: int) -> None:
    now = [0.0]
    limiter = RateLimiter(rate=1.0, burst=1.0, clock=lambda: now[0])
    await limiter.take("k", "requests")
    now[0] = 1.0 - wait  # ``wait`` seconds before the next token
    with pytest.raises(RateLimited) as limited:
        await limiter.take("k", "requests")
    assert limited.value.detail == f"too many requests; retry in {seconds} s"
    assert limited.value.headers == {"Retry-After": str(seconds)}


async def test_a_429_says_the_wait_its_header_gives(settings: Settings) -> None:
    async with admin_client(settings.model_copy(update={"public_requests_per_minute": 1})) as http:
        limited = await http.post("/v1/auth/refresh", json={"refresh_token": "x" * 40})
        assert limited.status_code == 429
        waited = int(limited.headers["Retry-After"])
        assert limited.json()["detail"].endswith(f"retry in {waited} s") and waited >= 1


async def test_secrets_are_stored_hashed(client: httpx.AsyncClient) -> None:
    created = (
        await client.post("/v1/api-keys", json={"name": "crm", "scopes": ["messages:write"]})
    ).json()
    async with runtime_of(client).db.read_session() as session:
        key = (await session.scalars(select(ApiKey))).one()
        credential = (await session.scalars(select(StaffCredential))).one()
    assert created["secret"] not in (key.secret_hash, key.prefix)
    assert created["secret"].split("_")[2] not in key.secret_hash
    assert credential.password_hash.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in credential.password_hash
    listed = (await client.get("/v1/api-keys")).json()
    assert "secret" not in listed[0] and listed[0]["prefix"] == key.prefix


async def test_api_key_use_is_recorded_and_revocation_is_immediate(
    client: httpx.AsyncClient,
) -> None:
    created = (
        await client.post("/v1/api-keys", json={"name": "crm", "scopes": ["catalog:read"]})
    ).json()
    key = {"X-API-Key": created["secret"], "Authorization": ""}
    assert (await client.get("/v1/teams", headers=key)).status_code == 200
    listed = (await client.get("/v1/api-keys")).json()
    assert listed[0]["last_used_at"] is not None
    revoked = await client.post(f"/v1/api-keys/{created['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    after = await client.get("/v1/teams", headers=key)
    assert after.status_code == 401 and "revoked" in after.json()["detail"]
    again = await client.post(f"/v1/api-keys/{created['id']}/revoke")
    assert again.status_code == 409
    garbage = await client.get("/v1/teams", headers={"X-API-Key": "agk_nope", "Authorization": ""})
    assert garbage.status_code == 401


async def test_password_rules_and_change(client: httpx.AsyncClient) -> None:
    me = (await client.get("/v1/auth/me")).json()
    weak = await client.put(f"/v1/auth/password/{me['id']}", json={"new_password": "short"})
    assert weak.status_code == 422 and weak.json()["field"] == "password"
    changed = await client.put(
        f"/v1/auth/password/{me['id']}", json={"new_password": "another long passphrase"}
    )
    assert changed.status_code == 204
    # Every session of the account ends with a password change.
    assert (await client.get("/v1/auth/me")).status_code == 401
    assert await bearer(client, ADMIN_EMAIL, "another long passphrase")


async def test_admin_and_supervisor_changes_are_audited(client: httpx.AsyncClient) -> None:
    team = await client.post("/v1/teams", json={"name": "Audited"})
    assert team.status_code == 201
    failed = await client.post("/v1/teams", json={"name": "Audited"})
    assert failed.status_code == 409
    entries = (await client.get("/v1/audit")).json()
    team_entries = [e for e in entries if e["action"] == "POST /v1/teams"]
    assert len(team_entries) == 1, entries  # the refused duplicate changed nothing
    entry = team_entries[0]
    assert entry["actor_role"] == "admin" and entry["status_code"] == 201
    assert "Audited" not in str(entry)  # paths and ids, never bodies
    async with runtime_of(client).db.read_session() as session:
        assert (await session.scalars(select(AuditEntry))).all()


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic abc", "Bearer a.b.c"])
async def test_malformed_credentials_are_401_not_500(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.get("/v1/teams", headers={"Authorization": header})
    assert response.status_code == 401, response.text


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "99999999999999999999"},  # does not fit an integer column
        {"sub": "2147483648"},
        {"sub": "²"},  # str.isdigit() is true, int() refuses it
        {"sub": "\u0661"},  # an Arabic-Indic one: int() reads it, we never issue it
        {"sub": "0"},
        {"sid": 12},
        {"exp": 10**400},  # in the future, but no float holds it
    ],
)
async def test_validly_signed_odd_claims_are_401_not_500(
    client: httpx.AsyncClient, claims: dict[str, object]
) -> None:
    key = runtime_of(client).auth.signing_key
    now = int(time.time())
    payload = {"iss": tokens.ISSUER, "sub": "1", "sid": "0" * 32, "iat": now, "exp": now + 60}
    token = jwt.encode({**payload, "typ": "access", **claims}, key, algorithm=tokens.ALGORITHM)
    response = await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
