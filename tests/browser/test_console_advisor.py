"""The advisor's day in the console: take next, reply with a template, transfer; claim from
"my queue" in a pull-mode team; accept an offer in an offer-mode team."""

from __future__ import annotations

import re
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


def test_advisor_takes_next_replies_with_a_template_and_transfers(
    server: Server, admin: httpx.Client, open_page: Callable[..., object]
) -> None:
    from playwright.sync_api import Page, expect

    set_teams(admin, routing_mode="pull")  # nothing is pushed: it waits for "take next"
    conversation = customer_message(
        admin,
        "mme-roux",
        "Bonjour, ma facture de novembre est fausse, je suis débitée deux fois.",
        name="Anne Roux",
    )
    page = open_page()
    assert isinstance(page, Page)
    log_in(page, server, "camille.")
    row = page.locator(f"#conversations [data-conversation='{conversation}']")
    page.locator("#nav a[data-route=inbox]").click()
    page.locator("#take-next").click()
    expect(page.locator("#detail-title")).to_have_text(re.compile(rf"#\s?{conversation}\b"))
    expect(row).to_contain_text("Anne Roux")  # the list: name, preview, channel...
    expect(row).to_contain_text("facture de novembre")
    page.locator(".suggestion").first.click()
    reply = page.locator("#reply")
    expect(reply).not_to_have_value("")
    text = re.sub(r"\{\{[^{}]*\}\}", "12345", reply.input_value())
    reply.fill(text)
    page.locator("#reply-send").click()
    expect(page.locator("#messages .msg.outbound")).to_have_count(1)
    screenshot(page, "advisor-conversation")

    # Tag it, then find it again: the list filtered by that tag, and a search for a word.
    page.get_by_placeholder("add tags").fill("double-debit")
    page.get_by_placeholder("add tags").press("Enter")
    expect(page.locator("#middle .chip").filter(has_text="double-debit")).to_be_visible()
    page.locator(".filters input[name=tag]").fill("double-debit")
    page.locator(".filters input[name=tag]").press("Enter")
    expect(page.locator("#conversations .conv-row")).to_have_count(1)
    expect(row).to_contain_text("double-debit")
    page.locator("#nav a[data-route=queue]").click()
    page.keyboard.press("/")  # the header's search box
    page.keyboard.type("novembre")
    page.keyboard.press("Enter")
    hit = page.locator(f"#search-hits [data-conversation='{conversation}']").first
    expect(hit.locator("mark")).to_have_text(re.compile("novembre", re.I))
    screenshot(page, "advisor-search")
    hit.click()
    expect(page.locator("#detail-title")).to_have_text(re.compile(rf"#\s?{conversation}\b"))
    page.locator("#search-close").click()
    expect(page.locator("#search-results")).to_be_hidden()

    page.locator("#transfer").click()
    dialog = page.locator("dialog.modal")
    dialog.locator("select[name=kind]").select_option("team")
    dialog.locator("select[name=team]").select_option(label="Expert support")
    dialog.locator("textarea[name=note]").fill("Double débit : à vérifier côté facturation.")
    screenshot(page, "advisor-transfer")
    dialog.get_by_role("button", name="Transfer").click()
    expect(page.locator("#flash")).to_contain_text(f"#{conversation} transferred")
    page.keyboard.press("?")
    expect(page.locator("dialog.modal")).to_contain_text("Keyboard shortcuts")
    page.keyboard.press("Escape")


def test_pull_claim_from_my_queue(
    server: Server, admin: httpx.Client, open_page: Callable[..., object]
) -> None:
    from playwright.sync_api import Page, expect

    set_teams(admin, routing_mode="pull")
    conversation = customer_message(
        admin,
        "m-faure",
        "Ma commande 4471 n'est toujours pas arrivée, où en est la livraison ?",
        name="Marc Faure",
    )
    page = open_page()
    assert isinstance(page, Page)
    log_in(page, server, "lucas.")
    page.goto(server.base_url + "/#/queue")
    item = page.locator(f"#my-queue [data-conversation='{conversation}']")
    expect(item).to_contain_text("Marc Faure")
    screenshot(page, "advisor-my-queue")
    item.locator("button.claim").click()
    expect(page.locator("#detail-title")).to_have_text(re.compile(rf"#\s?{conversation}\b"))
    assert admin.get(f"/v1/conversations/{conversation}").json()["assignee_id"] is not None


def test_offer_accept(
    server: Server, admin: httpx.Client, open_page: Callable[..., object]
) -> None:
    from playwright.sync_api import Page, expect

    set_teams(admin, routing_mode="offer", offer_timeout_seconds=120)
    others = [
        a["id"]
        for a in admin.get("/v1/advisors").json()
        if a["status"] == "available" and not a["email"].startswith("emma.")
    ]
    for advisor_id in others:  # Emma alone may be offered it
        admin.patch(f"/v1/advisors/{advisor_id}", json={"status": "away"})
    page = open_page()
    assert isinstance(page, Page)
    log_in(page, server, "emma.")  # English only: an English message is offered to her
    conversation = customer_message(
        admin,
        "j-smith",
        "Hello, my order 5512 arrived broken, can you send a new one?",
        name="John Smith",
    )
    offer = page.locator(".offers .offer")
    expect(offer).to_contain_text(f"#{conversation}")  # pushed: the page was already open
    expect(offer.locator(".countdown")).to_be_visible()
    screenshot(page, "advisor-offer")
    offer.get_by_role("button", name="Accept").click()
    expect(page.locator("#detail-title")).to_have_text(re.compile(rf"#\s?{conversation}\b"))
    set_teams(admin, routing_mode="push")
    for advisor_id in others:
        admin.patch(f"/v1/advisors/{advisor_id}", json={"status": "available"})
