"""The customers' chat widget on the demo shop: a visitor chats, waits in the queue, gets the
advisor's reply live, reloads and finds the conversation again; in French for a French
browser; leaves a message to be answered by e-mail; and downloads a file an advisor
attached to a reply in the console."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Server, screenshot
from tests.browser.journeys import log_in

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xc4\xe5\n%%EOF\n"


@pytest.fixture(scope="module")
def staff(server: Server) -> Iterator[httpx.Client]:
    """The demo admin's API client; every advisor set away, so new chats wait in the queue."""
    email, password = server.login_of("admin@")
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        token = client.post("/v1/auth/token", data={"username": email, "password": password})
        assert token.status_code == 200, token.text
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        for advisor in client.get("/v1/advisors").json():
            if advisor["role"] != "admin":
                changed = client.patch(f"/v1/advisors/{advisor['id']}", json={"status": "away"})
                assert changed.status_code == 200, changed.text
        yield client


def _conversation_with(staff: httpx.Client, words: str) -> int:
    """The conversation holding the visitor's message (found by full-text search)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found: Any = staff.get("/v1/search", params={"q": words}).json()
        hits = found["hits"] if isinstance(found, dict) else found
        ids = [hit["conversation_id"] for hit in hits if hit.get("conversation_id")]
        if ids:
            return int(ids[0])
        time.sleep(0.1)  # polling the API, not waiting on the page
    raise AssertionError(f"no conversation holds {words!r}")


def _start_chat(page: Any, name: str, text: str, *, start: str, shot: str | None = None) -> None:
    page.locator("#aiguillage-chat .ag-launcher").click()
    form = page.locator("#aiguillage-chat .ag-start")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=email]").fill("visitor@example.com")
    form.locator("textarea[name=text]").fill(text)
    if shot:
        screenshot(page, shot)
    form.get_by_role("button", name=start).click()


def test_a_visitor_chats_waits_gets_the_reply_live_and_resumes_after_a_reload(
    server: Server, staff: httpx.Client, open_page: Callable[..., Any]
) -> None:
    from playwright.sync_api import expect

    page = open_page(locale="en-GB")
    page.goto(server.base_url + "/widget-demo")
    expect(page.get_by_role("button", name="Open the chat")).to_be_visible()
    word = f"lamp{uuid.uuid4().hex[:8]}"
    _start_chat(
        page,
        "Alice Martin",
        f"Hello, where is my {word} order?",
        start="Start the chat",
        shot="widget-en-start",
    )

    widget = page.locator("#aiguillage-chat")
    log = widget.get_by_role("log")
    expect(log.locator(".ag-visitor")).to_contain_text(word)
    expect(widget.get_by_role("status")).to_have_text(
        re.compile(r"You are \d+(st|nd|rd|th) in the queue")
    )
    screenshot(page, "widget-en-waiting")

    conversation_id = _conversation_with(staff, word)
    reply = staff.post(
        f"/v1/conversations/{conversation_id}/replies",
        json={"text": "Hello Alice, your order left our warehouse this morning."},
    )
    assert reply.status_code in (200, 201, 202), reply.text
    expect(log.locator(".ag-agent")).to_contain_text("left our warehouse")  # pushed live
    widget.locator("input[type=file]").set_input_files(
        files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(log.locator(".ag-visitor .ag-files")).to_contain_text("receipt.png")
    expect(log.locator(".ag-visitor[data-state=sending]")).to_have_count(0)  # confirmed by the feed
    screenshot(page, "widget-en-reply")

    page.reload()
    widget.locator(".ag-launcher").click()
    expect(log.locator(".ag-msg")).to_have_text(
        [re.compile(word), re.compile("left our warehouse"), re.compile("receipt.png")]
    )
    expect(widget.locator(".ag-start")).to_be_hidden()

    resolved = staff.post(
        f"/v1/conversations/{conversation_id}/status", json={"status": "resolved"}
    )
    assert resolved.status_code == 200, resolved.text
    survey = widget.locator(".ag-survey")  # the survey link, turned into a form
    survey.get_by_role("button", name="4 out of 5").click()
    survey.get_by_role("textbox").fill("Quick and kind.")
    screenshot(page, "widget-en-survey")
    survey.get_by_role("button", name="Send my rating").click()
    expect(survey).to_have_text("Thank you for your rating!")

    page.reload()  # answered once: the survey is not asked again
    widget.locator(".ag-launcher").click()
    expect(log.locator(".ag-msg")).to_have_count(3)
    expect(survey).to_have_text("Thank you for your rating!")
    widget.locator(".ag-input").focus()
    page.keyboard.press("Escape")  # closes, focus back on the launcher
    expect(widget.get_by_role("button", name="Open the chat")).to_be_focused()


def test_the_widget_speaks_french_to_a_french_browser(
    server: Server, staff: httpx.Client, open_page: Callable[..., Any]
) -> None:
    from playwright.sync_api import expect

    assert staff.headers["Authorization"]  # advisors away: this chat waits too
    page = open_page(locale="fr-FR")
    page.goto(server.base_url + "/widget-demo")
    expect(page.get_by_role("button", name="Ouvrir la discussion")).to_be_visible()
    word = f"suspension{uuid.uuid4().hex[:8]}"
    _start_chat(page, "Inès", f"Bonjour, ma {word} est cassée", start="Commencer la discussion")
    widget = page.locator("#aiguillage-chat")
    expect(widget.get_by_role("status")).to_have_text(
        re.compile(r"Vous êtes \d+(er|e) dans la file")
    )
    screenshot(page, "widget-fr-waiting")


def test_a_visitor_leaves_a_message_to_be_answered_by_email(
    server: Server, open_page: Callable[..., Any]
) -> None:
    from playwright.sync_api import expect

    page = open_page(locale="fr-FR")
    page.goto(server.base_url + "/widget-demo")
    widget = page.locator("#aiguillage-chat")
    widget.locator(".ag-launcher").click()
    widget.get_by_role("button", name="Laisser plutôt un message").click()
    form = widget.locator(".ag-leave")
    form.locator("input[name=name]").fill("Jules")
    form.locator("input[name=email]").fill("jules@example.com")
    form.locator("textarea[name=text]").fill("Pouvez-vous me rappeler demain ?")
    screenshot(page, "widget-fr-leave-form")
    form.get_by_role("button", name="Envoyer le message").click()
    expect(widget.locator(".ag-done")).to_contain_text("jules@example.com")
    screenshot(page, "widget-fr-message-left")


def test_an_advisor_attaches_a_file_and_the_visitor_downloads_it(
    server: Server, staff: httpx.Client, open_page: Callable[..., Any]
) -> None:
    from playwright.sync_api import expect

    visitor = open_page(locale="en-GB")
    visitor.goto(server.base_url + "/widget-demo")
    word = f"label{uuid.uuid4().hex[:8]}"
    _start_chat(visitor, "Nora Petit", f"How do I send back my {word}?", start="Start the chat")
    log = visitor.locator("#aiguillage-chat").get_by_role("log")
    expect(log.locator(".ag-visitor")).to_contain_text(word)
    conversation_id = _conversation_with(staff, word)

    advisor = open_page(locale="en-GB")
    log_in(advisor, server, "admin@")  # advisors are away: the admin answers
    advisor.goto(f"{server.base_url}/#/inbox/{conversation_id}")
    expect(advisor.locator("#detail-title")).to_have_text(re.compile(rf"#\s?{conversation_id}\b"))
    advisor.locator("#reply-files").set_input_files(
        files=[{"name": "return-label.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(advisor.locator("#reply-file-list")).to_contain_text("return-label.pdf")
    advisor.locator("#reply").fill("Here is your return label.")
    screenshot(advisor, "advisor-reply-attachment")
    advisor.locator("#reply-send").click()
    sent = advisor.locator("#messages .msg.outbound")
    expect(sent.locator(".attachments")).to_contain_text("return-label.pdf")

    file = log.locator(".ag-agent .ag-download")  # pushed live with its download button
    expect(file).to_have_text("return-label.pdf")
    screenshot(visitor, "widget-en-advisor-file")
    with visitor.expect_download() as downloading:
        file.click()
    download = downloading.value
    assert download.suggested_filename == "return-label.pdf"
    assert Path(download.path()).read_bytes() == PDF
