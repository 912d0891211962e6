"""Helpers of the console journeys: the demo admin's API client, customer messages, team
modes, and logging in through the page."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.conftest import Server


def admin_api(server: Server) -> httpx.Client:
    http = httpx.Client(base_url=server.base_url, timeout=20)
    email, password = server.login_of("admin@")
    token = http.post("/v1/auth/token", data={"username": email, "password": password})
    assert token.status_code == 200, token.text
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return http


def set_teams(http: httpx.Client, **fields: Any) -> None:
    for team in http.get("/v1/teams").json():
        answer = http.patch(f"/v1/teams/{team['id']}", json=fields)
        assert answer.status_code == 200, answer.text


def customer_message(http: httpx.Client, sender: str, text: str, **extra: Any) -> int:
    """Post as a customer; the conversation id once routed."""
    body = {
        "channel": "chat",
        "external_id": f"{sender}-{len(text)}",
        "text": text,
        "sender": {"id": sender, "name": extra.pop("name", None)},
        **extra,
    }
    answer = http.post("/v1/messages", json=body)
    assert answer.status_code == 202, answer.text
    message_id = answer.json()["id"]
    for _ in range(200):
        found = http.get(f"/v1/messages/{message_id}")
        if found.status_code == 200 and found.json().get("conversation_id"):
            return int(found.json()["conversation_id"])
        http.get("/v1/health")  # a round trip instead of a sleep
    raise AssertionError(f"message {message_id} was never routed")


def log_in(page: Any, server: Server, prefix: str) -> None:
    from playwright.sync_api import expect

    page.goto(server.base_url + "/")
    email, password = server.login_of(prefix)
    page.locator("#username").fill(email)
    page.locator("#password").fill(password)
    page.locator("#login-form button").click()
    expect(page.locator("#logout")).to_be_visible()
    expect(page.locator("#live-dot.on")).to_be_visible()
