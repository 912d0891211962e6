"""The admin's day in the console: a skill, an advisor holding it, a rule with an escalation
step checked in the dry-run panel, and the next message follows the rule; then every admin
screen, in English and in French, screenshotted; a what-if run from the console."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Server, screenshot

pytestmark = pytest.mark.browser

RULE = "Warranty claims"
SCREENS = (
    "admin-teams",
    "admin-skills",
    "admin-advisors",
    "admin-rules",
    "admin-templates",
    "admin-sla",
    "admin-routing",
    "admin-users",
    "admin-keys",
    "admin-classifier",
    "admin-whatif",
    "admin-audit",
)


def _logged_in_admin(server: Server, open_page: Callable[..., object], locale: str) -> Any:
    from playwright.sync_api import Page, expect

    page = open_page(locale=locale)
    assert isinstance(page, Page)
    page.goto(server.base_url + "/")
    email, password = server.login_of("admin@")
    page.locator("#username").fill(email)
    page.locator("#password").fill(password)
    page.locator("#login-form button").click()
    expect(page.locator("#logout")).to_be_visible()
    return page


def _routed(base_url: str, headers: dict[str, str], text: str) -> dict[str, Any]:
    """Post a customer message as the admin; the conversation once the router decided."""
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as http:
        posted = http.post(
            "/v1/messages",
            json={
                "channel": "chat",
                "external_id": "warranty-1",
                "sender": {"id": "v-7"},
                "text": text,
            },
        )
        assert posted.status_code in (200, 201, 202), posted.text
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            message = http.get(f"/v1/messages/{posted.json()['id']}").json()
            if message.get("conversation_id"):
                conversation = http.get(f"/v1/conversations/{message['conversation_id']}").json()
                events = http.get(f"/v1/conversations/{conversation['id']}/events").text
                return {**conversation, "events": events}
            time.sleep(0.1)  # polling the API, not the page
    raise AssertionError("the message was not routed within 20 s")


def test_the_admin_adds_a_skill_and_a_rule_and_the_next_message_follows_it(
    server: Server, open_page: Callable[..., object]
) -> None:
    from playwright.sync_api import expect

    page = _logged_in_admin(server, open_page, "en-GB")

    # A skill, then an English-speaking advisor who holds it.
    page.goto(server.base_url + "/#/admin-skills")
    page.locator("#skill-form input[name=name]").fill("warranty")
    page.locator("#skill-form input[name=description]").fill("Guarantees and repairs")
    page.locator("#skill-form button[type=submit]").click()
    expect(page.locator("tr[data-skill=warranty]")).to_be_visible()

    page.goto(server.base_url + "/#/admin-advisors")
    row = page.locator("tr[data-advisor^='emma.thompson@']")
    row.get_by_role("button", name="Edit").click()
    dialog = page.locator("dialog.admin-dialog")
    dialog.locator("label[data-skill=warranty] select").select_option("3")
    dialog.locator("button[type=submit]").click()
    expect(row).to_contain_text("warranty 3")

    # The rule: refused first (an intensity above 1), the API's reason shown by the field.
    page.goto(server.base_url + "/#/admin-rules")
    page.locator("#rule-new").click()
    editor = page.locator("dialog.admin-dialog")
    editor.locator("input[name=name]").fill(RULE)
    editor.locator("input[name=position]").fill("5")
    editor.locator("input[name='conditions.keywords']").fill("warranty, garantie")
    editor.locator("input[name='conditions.min_intensity']").fill("3")
    skills = editor.locator("div.field[data-field=required_skills]")
    skills.locator("label[data-skill=warranty] select").select_option("2")
    editor.locator("input[name=priority]").fill("40")
    editor.locator("#rule-add-step").click()
    editor.locator("input[name='escalation.0.after_seconds']").fill("120")
    editor.locator("input[name='escalation.0.required_skills']").fill("-")
    editor.locator("button[type=submit]").click()
    intensity = editor.locator(".field[data-field='conditions.min_intensity']")
    expect(intensity).to_have_class("field invalid")
    expect(intensity.locator(".field-error")).to_contain_text("outside [0, 1]")
    screenshot(page, "console-admin-rule-editor-422")
    editor.locator("input[name='conditions.min_intensity']").fill("")
    editor.locator("button[type=submit]").click()
    expect(editor).to_have_count(0)
    rule_row = page.locator(f"tr[data-rule='{RULE}']")
    expect(rule_row).to_contain_text("after 120s")

    # The dry run names the rule, its requirements and who would get it now.
    page.locator("#dry-text").fill("Hello, my kettle broke after a month: is it under warranty?")
    page.locator("#dry-form button[type=submit]").click()
    expect(page.locator("#dry-rule")).to_have_text(RULE)
    expect(page.locator("#dry-winner")).to_have_text("Emma Thompson")
    expect(page.locator("#dry-result")).to_contain_text("warranty ≥ 2")
    expect(rule_row).to_have_class("matched")
    screenshot(page, "console-admin-rules-dry-run")

    # The next real message follows the rule, and its routing reason says so.
    token = page.evaluate("JSON.parse(sessionStorage.getItem('aiguillage-tokens')).access_token")
    conversation = _routed(
        server.base_url,
        {"Authorization": f"Bearer {token}"},
        "Hello, my kettle broke after a month: is it under warranty?",
    )
    rules = httpx.get(f"{server.base_url}/v1/rules", headers={"Authorization": f"Bearer {token}"})
    rule_id = next(r["id"] for r in rules.json() if r["name"] == RULE)
    assert conversation["rule_id"] == rule_id
    assert conversation["requirements"]["skills"] == {"warranty": 2}
    assert RULE in conversation["events"]


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_every_admin_screen_renders(
    server: Server, open_page: Callable[..., object], locale: str
) -> None:
    from playwright.sync_api import expect

    page = _logged_in_admin(server, open_page, locale)
    for route in SCREENS:
        page.goto(f"{server.base_url}/#/{route}")
        expect(page.locator(f"#nav a[data-route={route}][aria-current]")).to_be_visible()
        # Loaded: the screen's body shows a table or a form, no error.
        loaded = page.locator("section.admin .admin-body :is(table, form, p.empty)")
        expect(loaded.first).to_be_visible()
        expect(page.locator("section.admin .error")).to_have_count(0)
        screenshot(page, f"console-{route}-{locale[:2]}")
    if locale.startswith("fr"):
        expect(page.locator("section.admin h1")).to_have_text("Journal d’audit")


def test_the_admin_runs_a_what_if_of_an_edited_rule_copy(
    server: Server, open_page: Callable[..., object]
) -> None:
    """A sample day under the current rules and under a copy where billing needs the
    technical skill (half the team has it): the table of both and their difference."""
    from playwright.sync_api import expect

    page = _logged_in_admin(server, open_page, "en-GB")
    page.goto(f"{server.base_url}/#/admin-whatif")
    rules = page.locator("#whatif-rules")
    expect(rules).to_have_value(re.compile(r'"is_default": true'))
    page.locator("#whatif-scripted").check()
    page.locator("#whatif-sample").click()
    edited = rules.input_value().replace('"billing": 2', '"technical": 3')
    assert edited != rules.input_value()
    rules.fill(edited)
    page.locator("#whatif-replications").fill("4")
    page.locator("#whatif-run").click()
    expect(page.locator("#whatif-status")).to_contain_text("Done: 4 replications")
    table = page.locator("#whatif-table")
    expect(table.locator("thead th")).to_have_text(
        ["Figure", "Current rules", "Edited rules", "Difference"]
    )
    service_level = table.locator("tr[data-figure=service_level] td")
    expect(service_level).to_have_count(3)
    expect(service_level.first).to_contain_text(re.compile(r"\d+(\.\d)?%\s*\[.+%.+\]"))
    difference = table.locator("tr[data-figure=service_level] td strong").last
    expect(difference).to_contain_text(re.compile(r"^[-\u2212]\d"))  # fewer answered in time
    screenshot(page, "console-admin-whatif-result")
    # A scenario that is not JSON is refused beside its field, nothing started.
    page.locator("#whatif-scenario").fill("{not json")
    page.locator("#whatif-run").click()
    expect(page.locator("[data-field=scenario] .field-error")).to_contain_text("not valid JSON")
