"""The supervisor's board (an angry customer arrives live, pushed, and is assigned) and the
console in French."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.browser.conftest import Server, screenshot
from tests.browser.journeys import admin_api, customer_message, log_in, set_teams

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin(server: Server) -> Iterator[httpx.Client]:
    http = admin_api(server)
    yield http
    http.close()


def test_supervisor_sees_an_angry_customer_arrive_live_and_assigns_it(
    server: Server, admin: httpx.Client, open_page: Callable[..., object]
) -> None:
    from playwright.sync_api import Page, Request, WebSocket, expect

    set_teams(admin, routing_mode="pull")  # it waits: the supervisor assigns it
    page = open_page()
    assert isinstance(page, Page)
    log = []  # requests and pushed frames, in order
    page.on("request", lambda r: log.append(("request", r.url)) if isinstance(r, Request) else None)

    def watch(socket: WebSocket) -> None:
        socket.on("framereceived", lambda frame: log.append(("frame", str(frame))))

    page.on("websocket", watch)
    log_in(page, server, "ines.")
    page.goto(server.base_url + "/#/board")
    expect(page.locator("#board-teams .team").first).to_be_visible()
    expect(page.locator("#board-advisors table")).to_be_visible()
    loaded = len(log)
    conversation = customer_message(
        admin,
        "furious-1",
        "C'est inadmissible !!! Je veux résilier mon abonnement tout de suite",
        name="Paul Girard",
        metadata={"emotion": "anger", "emotion_intensity": 0.95},
    )
    row = page.locator(f"#board-waiting [data-conversation='{conversation}']")
    expect(row).to_contain_text("Paul Girard", timeout=10_000)
    # The default rule has no team: it waits in no team's queue, counted on its own card.
    no_team = page.locator("#board-teams [data-team=none]")
    expect(no_team.locator(".kpi b").first).not_to_have_text("0")
    expect(page.locator("#board-alerts")).to_contain_text(f"#{conversation}")
    # Pushed, not polled: no conversation list was asked for before a frame told of it.
    since = log[loaded:]
    first_frame = next(i for i, (kind, _) in enumerate(since) if kind == "frame")
    asked = [url for kind, url in since[:first_frame] if kind == "request"]
    assert not [u for u in asked if "/v1/conversations" in u], asked
    screenshot(page, "supervisor-board")

    row.locator("button.assign").click()
    dialog = page.locator("dialog.modal")
    lea = next(a for a in admin.get("/v1/advisors").json() if a["name"] == "Léa Moreau")
    dialog.locator("select[name=advisor]").select_option(str(lea["id"]))
    dialog.locator("textarea[name=note]").fill("Client très en colère : à rappeler en priorité.")
    dialog.locator("input[name=override]").check()
    expect(dialog).to_contain_text("cool-down")  # the care rules are shown
    screenshot(page, "supervisor-assign")
    dialog.get_by_role("button", name="Transfer").click()
    expect(row).to_have_count(0)
    assert admin.get(f"/v1/conversations/{conversation}").json()["assignee_id"] is not None
    page.goto(server.base_url + "/#/held")
    expect(page.locator("#held")).to_be_visible()
    screenshot(page, "supervisor-held")
    page.locator("#nav a[data-route=reports]").click()
    expect(page.locator("#report-sla table")).to_contain_text("First reply")
    expect(page.locator("#report-csat table")).to_contain_text("All")
    expect(page.locator("#report-spread")).to_contain_text("Intense conversations taken")
    page.locator("#report-period").select_option("7")
    expect(page.locator("#report-sla")).to_contain_text("Tickets opened from")
    screenshot(page, "supervisor-reports")
    set_teams(admin, routing_mode="push")


def test_the_console_in_french(
    server: Server, admin: httpx.Client, open_page: Callable[..., object]
) -> None:
    from playwright.sync_api import Page, expect

    conversation = customer_message(
        admin, "fr-1", "Bonjour, je n'arrive plus à me connecter à l'application."
    )
    for n in range(21):  # more than a page of search results (20)
        text = f"Relance n° {n} : toujours bloqué."
        body = {"channel": "chat", "external_id": f"fr-1-relance-{n}", "sender": {"id": "fr-1"}}
        sent = admin.post("/v1/messages", json={**body, "text": text})
        assert sent.status_code == 202, sent.text
    deadline = time.monotonic() + 60  # until all are searchable (a state, not a delay)
    while len(admin.get("/v1/search", params={"q": "relance", "limit": 50}).json()) != 21:
        assert time.monotonic() < deadline, "the 21 messages never became searchable"
        admin.get("/v1/health")  # a round trip instead of a sleep
    page = open_page(locale="fr-FR")
    assert isinstance(page, Page)
    page.goto(server.base_url + "/")
    expect(page.locator("#login-form button")).to_have_text("Se connecter")  # from the browser
    page.locator("#lang").select_option("en")
    expect(page.locator("#login-form button")).to_have_text("Log in")
    page.locator("#lang").select_option("fr")
    log_in(page, server, "ines.")
    expect(page.locator("#nav a[data-route=queue]")).to_have_text("Ma file")
    expect(page.locator("#logout")).to_have_text("Se déconnecter")
    page.goto(f"{server.base_url}/#/inbox/{conversation}")
    when = page.locator("#messages time").first
    # A French date with its year: "2 déc. 2026, 14:05", never "--12-02".
    expect(when).to_have_text(re.compile(r"^\d{1,2}\s[^\s\d]+\s\d{4}"))
    expect(page.locator("#reply-send")).to_have_text("Envoyer")
    screenshot(page, "advisor-french")
    page.locator("#search-q").fill("relance")
    page.locator("#search-q").press("Enter")
    hits = page.locator("#search-hits li")
    expect(hits).to_have_count(20)
    page.locator("#search-more").click()  # "Plus de résultats"
    expect(hits).to_have_count(21)
    expect(page.locator("#search-more")).to_be_hidden()
    expect(page.locator("#search-title")).to_have_text("Résultats pour « relance »")
    screenshot(page, "search-french")
