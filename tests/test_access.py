"""Who may call what: every route of the application, for every kind of caller.

The expected access of each route is written out below: loosening a route's access needs a
deliberate change here, and a new route fails the test until its access is reviewed.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from router.api.guard import api_routes, route_access
from router.demo.team import load_demo
from router.settings import Settings
from tests.conftest import bearer, message_payload, wait_for

EXPECTED = {
    "GET /healthz": "public",
    "GET /readyz": "public",
    "GET /": "public",
    "GET /console/static/{path:path}": "public",
    "GET /v1/console/config": "public",
    "GET /widget.js": "public",
    "GET /widget.css": "public",
    "GET /widget-demo": "public",
    "GET /widget-demo.css": "public",
    "GET /docs": "public",
    "GET /redoc": "public",
    "GET /redoc/redoc.standalone.js": "public",
    "POST /v1/auth/token": "public",
    "POST /v1/auth/refresh": "public",
    "POST /v1/auth/logout": "role >= advisor",
    "GET /v1/auth/me": "role >= advisor",
    "PUT /v1/auth/password/{advisor_id}": "role >= advisor",
    "POST /v1/messages": "role >= admin or API key scope messages:write",
    "GET /v1/messages/{message_id}": "role >= advisor or API key scope messages:read",
    "GET /v1/conversations": "role >= advisor or API key scope conversations:read",
    "GET /v1/conversations/{conversation_id}": "role >= advisor or API key scope "
    "conversations:read",
    "GET /v1/conversations/{conversation_id}/messages": "role >= advisor or API key scope "
    "conversations:read",
    "GET /v1/conversations/{conversation_id}/events": "role >= advisor or API key scope "
    "conversations:read",
    "POST /v1/conversations/{conversation_id}/resolve": "role >= advisor or API key scope "
    "conversations:write",
    "POST /v1/conversations/{conversation_id}/transfer": "role >= advisor or API key scope "
    "conversations:write",
    "GET /v1/customers/{customer_id}/export": "role >= admin",
    "POST /v1/customers/{customer_id}/erase": "role >= admin",
    "GET /v1/advisors": "role >= advisor or API key scope advisors:read",
    "POST /v1/advisors": "role >= admin",
    "GET /v1/advisors/{advisor_id}": "role >= advisor or API key scope advisors:read",
    "PATCH /v1/advisors/{advisor_id}": "role >= advisor or API key scope advisors:write",
    "POST /v1/advisors/{advisor_id}/next": "role >= advisor",
    "GET /v1/advisors/{advisor_id}/queue": "role >= advisor or API key scope conversations:read",
    "POST /v1/conversations/{conversation_id}/claim": "role >= advisor",
    "GET /v1/advisors/{advisor_id}/offers": "role >= advisor",
    "POST /v1/offers/{offer_id}/accept": "role >= advisor",
    "POST /v1/offers/{offer_id}/decline": "role >= advisor",
    "GET /v1/alerts": "role >= supervisor",
    "GET /v1/held-messages": "role >= supervisor",
    "POST /v1/held-messages/{message_id}/route": "role >= supervisor",
    "POST /v1/held-messages/{message_id}/dismiss": "role >= supervisor",
    "GET /v1/reports/intense-spread": "role >= supervisor",
    "GET /v1/customers/{customer_id}/timeline": "role >= advisor or API key scope "
    "conversations:read",
    "GET /v1/conversations/{conversation_id}/context": "role >= advisor or API key scope "
    "conversations:read",
    "GET /v1/sla-policies": "role >= supervisor",
    "POST /v1/sla-policies": "role >= admin",
    "GET /v1/sla-policies/{policy_id}": "role >= supervisor",
    "PATCH /v1/sla-policies/{policy_id}": "role >= admin",
    "DELETE /v1/sla-policies/{policy_id}": "role >= admin",
    "GET /v1/reports/sla": "role >= supervisor",
    "POST /v1/conversations/{conversation_id}/status": "role >= advisor or API key scope "
    "conversations:write",
    "PATCH /v1/conversations/{conversation_id}": "role >= advisor or API key scope "
    "conversations:write",
    "POST /v1/conversations/{conversation_id}/notes": "role >= advisor",
    "GET /v1/conversations/{conversation_id}/notes": "role >= advisor",
    "GET /v1/conversations/{conversation_id}/assignments": "role >= advisor or API key scope "
    "conversations:read",
    "GET /v1/search": "role >= advisor or API key scope conversations:read",
    "GET /v1/csat/{token}": "public",
    "POST /v1/csat/{token}": "public",
    "GET /v1/reports/csat": "role >= supervisor",
    "GET /v1/reports/live": "role >= supervisor",
    "GET /v1/reports/intervals": "role >= supervisor",
    "GET /v1/templates": "role >= advisor",
    "POST /v1/templates": "role >= admin",
    "GET /v1/templates/{template_id}": "role >= advisor",
    "PATCH /v1/templates/{template_id}": "role >= admin",
    "DELETE /v1/templates/{template_id}": "role >= admin",
    "GET /v1/conversations/{conversation_id}/suggestions": "role >= advisor",
    "GET /v1/teams/{team_id}": "role >= advisor or API key scope catalog:read",
    "PATCH /v1/teams/{team_id}": "role >= admin",
    "GET /v1/routing/config": "role >= supervisor",
    "PUT /v1/routing/config": "role >= admin",
    "GET /v1/teams": "role >= advisor or API key scope catalog:read",
    "POST /v1/teams": "role >= admin",
    "GET /v1/skills": "role >= advisor or API key scope catalog:read",
    "POST /v1/skills": "role >= admin",
    "GET /v1/rules": "role >= supervisor or API key scope rules:read",
    "POST /v1/rules": "role >= admin",
    "GET /v1/rules/export": "role >= supervisor or API key scope rules:read",
    "POST /v1/rules/import": "role >= admin",
    "GET /v1/rules/{rule_id}": "role >= supervisor or API key scope rules:read",
    "PUT /v1/rules/{rule_id}": "role >= admin",
    "DELETE /v1/rules/{rule_id}": "role >= admin",
    "POST /v1/routing/dry-run": "role >= supervisor",
    "POST /v1/simulations": "role >= admin",
    "GET /v1/simulations/{simulation_id}": "role >= admin",
    "POST /v1/classify": "role >= advisor",
    "GET /v1/classifier/models": "role >= admin",
    "POST /v1/classifier/models/{version}/promote": "role >= admin",
    "POST /v1/classifier/rollback": "role >= admin",
    "POST /v1/messages/{message_id}/corrections": "role >= advisor",
    "POST /v1/api-keys": "role >= admin",
    "GET /v1/api-keys": "role >= admin",
    "POST /v1/api-keys/{key_id}/revoke": "role >= admin",
    "GET /v1/audit": "role >= admin",
    "POST /v1/conversations/{conversation_id}/replies": "role >= advisor",
    "GET /v1/customers/{customer_id}/identities": "role >= advisor or API key scope customers:read",
    "POST /v1/customers/{customer_id}/merge": "role >= supervisor",
    "GET /v1/messages/{message_id}/attachments": "role >= advisor or API key scope messages:read",
    "GET /v1/messages/{message_id}/attachments/{attachment_id}": "role >= advisor or API key "
    "scope messages:read",
    "GET /v1/messages/{message_id}/original": "role >= advisor or API key scope messages:read",
    "GET /v1/webhooks/meta": "public",
    "POST /v1/webhooks/meta": "public",
    "GET /v1/webhooks/x": "public",
    "POST /v1/webhooks/x": "public",
    "POST /v1/email/inbound": "role >= admin or API key scope messages:write",
    "POST /v1/chat/sessions": "public",
    "POST /v1/chat/messages": "public",
    "POST /v1/chat/files": "public",
    "GET /v1/chat/messages": "public",
    "GET /v1/chat/messages/{message_id}/files/{position}": "public",
    "GET /v1/chat/queue": "public",
}

ALL_SCOPES = [
    "messages:write",
    "messages:read",
    "conversations:read",
    "conversations:write",
    "advisors:read",
    "advisors:write",
    "catalog:read",
    "rules:read",
    "customers:read",
]


def _routes(http: httpx.AsyncClient) -> list[tuple[str, str, APIRoute]]:
    app = http.app  # type: ignore[attr-defined]
    routes = [(m, route.path, route) for route in api_routes(app) for m in route.methods]
    # Logging out ends the caller's session: keep it for last.
    return sorted(routes, key=lambda r: (r[1] == "/v1/auth/logout", r[1], r[0]))


@pytest.fixture
async def callers(settings: Settings, client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    """Headers for each kind of caller: anonymous, advisor, supervisor, admin, API keys."""
    logins = await load_demo(settings.database_url, only_if_empty=False)
    assert logins is not None
    advisor = next(e for e in logins if e.startswith("lea.") or e.startswith("lucas."))
    supervisor = next(e for e in logins if e.startswith("ines."))
    full = await client.post("/v1/api-keys", json={"name": "all", "scopes": ALL_SCOPES})
    narrow = await client.post(
        "/v1/api-keys", json={"name": "ingest", "scopes": ["messages:write"]}
    )
    assert full.status_code == narrow.status_code == 201, full.text
    return {
        "anonymous": {},
        "advisor": {"Authorization": await bearer(client, advisor, logins[advisor])},
        "supervisor": {"Authorization": await bearer(client, supervisor, logins[supervisor])},
        "admin": {"Authorization": client.headers["Authorization"]},
        "api key (all scopes)": {"X-API-Key": full.json()["secret"]},
        "api key (messages:write)": {"X-API-Key": narrow.json()["secret"]},
    }


def _expected_allowed(describe: str, caller: str) -> bool:
    if describe == "public":
        return True
    if caller == "anonymous":
        return False
    if caller.startswith("api key"):
        match = re.search(r"API key scope (\S+)", describe)
        return bool(match) and (caller == "api key (all scopes)" or match.group(1) in caller)
    least = re.match(r"role >= (\w+)", describe)
    order = ["advisor", "supervisor", "admin"]
    return bool(least) and order.index(caller) >= order.index(least.group(1))


async def test_every_route_declares_the_reviewed_access(client: httpx.AsyncClient) -> None:
    declared = {f"{m} {p}": route_access(route).describe() for m, p, route in _routes(client)}
    assert declared == EXPECTED


async def test_the_openapi_document_shows_each_operations_access(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    shown = {
        f"{method.upper()} {path}": operation.get("description", "")
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert shown, schema
    for operation, description in shown.items():
        assert description.endswith(f"**Access:** {EXPECTED[operation]}."), operation


async def test_route_by_role_matrix(
    client: httpx.AsyncClient, callers: dict[str, dict[str, str]]
) -> None:
    """Denied callers get 401 (anonymous) or 403 access_denied; allowed ones get past the
    guard (whatever the handler then says about the placeholder ids and empty bodies)."""
    checked = 0
    for method, path, _route in _routes(client):
        url = re.sub(r"\{[^}]+\}", "999999", path)  # nothing real is touched
        for caller, headers in callers.items():
            allowed = _expected_allowed(EXPECTED[f"{method} {path}"], caller)
            request: dict[str, Any] = {"headers": {"Authorization": "", **headers}}
            if method in ("POST", "PUT", "PATCH"):
                request["json"] = {}
            response = await client.request(method, url, **request)
            code = _code(response)
            what = f"{caller}: {method} {url} -> {response.status_code} {response.text[:200]}"
            assert response.status_code < 500, what
            if allowed:
                assert code not in ("unauthenticated", "access_denied"), what
            elif caller == "anonymous":
                assert response.status_code == 401 and code == "unauthenticated", what
                assert response.headers["WWW-Authenticate"].startswith("Bearer"), what
            else:
                assert response.status_code == 403 and code == "access_denied", what
            checked += 1
    assert checked == len(EXPECTED) * len(callers)


def _code(response: httpx.Response) -> str | None:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        code: str = response.json()["code"]
        return code
    return None


async def test_advisor_sees_only_their_own_and_their_team_queue(
    client: httpx.AsyncClient, callers: dict[str, dict[str, str]]
) -> None:
    """Another team's advisor gets 404 for a conversation (no existence leak), and an empty
    list; the assigned advisor and the supervisor see it."""
    posted = await client.post(
        "/v1/messages", json=message_payload("iso-1", "iso-1", "Where is my parcel? tracking")
    )
    message_id = posted.json()["id"]

    async def assigned() -> dict[str, Any] | None:
        message = (await client.get(f"/v1/messages/{message_id}")).json()
        if message["conversation_id"] is None:
            return None
        conversation = (await client.get(f"/v1/conversations/{message['conversation_id']}")).json()
        return conversation if conversation["status"] == "assigned" else None

    conversation = await wait_for(assigned)
    team = (await client.post("/v1/teams", json={"name": "Isolated"})).json()
    outsider = await client.post(
        "/v1/advisors",
        json={"name": "Out Sider", "email": "out@example.com", "team_id": team["id"]},
    )
    outsider_id = outsider.json()["id"]
    password = "a long enough password"
    set_pw = await client.put(f"/v1/auth/password/{outsider_id}", json={"new_password": password})
    assert set_pw.status_code == 204, set_pw.text
    outsider_auth = {"Authorization": await bearer(client, "out@example.com", password)}
    cid = conversation["id"]
    for url in (
        f"/v1/conversations/{cid}",
        f"/v1/conversations/{cid}/messages",
        f"/v1/conversations/{cid}/events",
        f"/v1/conversations/{cid}/suggestions",
        f"/v1/conversations/{cid}/context",
        f"/v1/messages/{message_id}",
    ):
        response = await client.get(url, headers=outsider_auth)
        assert response.status_code == 404, (url, response.text)
    listed = await client.get("/v1/conversations", headers=outsider_auth)
    assert listed.status_code == 200 and listed.json() == []
    resolve = await client.post(f"/v1/conversations/{cid}/resolve", headers=outsider_auth)
    assert resolve.status_code == 404
    assert (await client.get(f"/v1/conversations/{cid}", headers=callers["supervisor"])).is_success
    advisors = (await client.get("/v1/advisors", headers=outsider_auth)).json()
    assert [a["id"] for a in advisors] == [outsider_id]


async def test_advisor_changes_only_their_own_status(
    client: httpx.AsyncClient, callers: dict[str, dict[str, str]]
) -> None:
    me = (await client.get("/v1/auth/me", headers=callers["advisor"])).json()
    own = await client.patch(
        f"/v1/advisors/{me['id']}", json={"status": "break"}, headers=callers["advisor"]
    )
    assert own.status_code == 200 and own.json()["status"] == "break"
    skills = await client.patch(
        f"/v1/advisors/{me['id']}", json={"skills": {"billing": 5}}, headers=callers["advisor"]
    )
    assert skills.status_code == 403 and skills.json()["field"] == "skills"
    others = [a for a in (await client.get("/v1/advisors")).json() if a["id"] != me["id"]]
    teammate = next(a for a in others if a["team_id"] == me["team_id"] and a["role"] == "advisor")
    other = await client.patch(
        f"/v1/advisors/{teammate['id']}", json={"status": "away"}, headers=callers["advisor"]
    )
    assert other.status_code == 403
    pull = await client.post(f"/v1/advisors/{teammate['id']}/next", headers=callers["advisor"])
    assert pull.status_code == 403
    by_supervisor = await client.patch(
        f"/v1/advisors/{teammate['id']}", json={"capacity_total": 2}, headers=callers["supervisor"]
    )
    assert by_supervisor.status_code == 200, by_supervisor.text


async def test_api_key_limited_to_its_channels(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/v1/api-keys", json={"name": "mail", "scopes": ["messages:write"], "channels": ["email"]}
    )
    key = {"X-API-Key": created.json()["secret"], "Authorization": ""}
    chat = await client.post("/v1/messages", json=message_payload("c", "k1", "hi"), headers=key)
    assert chat.status_code == 403 and "chat" in chat.json()["detail"]
    mail = await client.post(
        "/v1/messages", json=message_payload("c@example.com", "k2", "hi", "email"), headers=key
    )
    assert mail.status_code == 202, mail.text
