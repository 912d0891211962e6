"""The console's front door: each demo role logs in, sees the screens of its role, and out."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.conftest import Server, screenshot

pytestmark = pytest.mark.browser


def test_the_admin_logs_in_and_out(server: Server, open_page: Callable[..., object]) -> None:
    from playwright.sync_api import Page, expect

    page = open_page()
    assert isinstance(page, Page)
    page.goto(server.base_url + "/")
    email, password = server.login_of("admin@")
    page.locator("#username").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#logout")).to_be_visible()
    expect(page.locator("#nav a[data-route=board]")).to_be_visible()
    expect(page.locator("#live-dot.on")).to_be_visible()  # the live channel is up
    screenshot(page, "console-admin-home")
    page.locator("#logout").click()
    expect(page.locator("#login")).to_be_visible()
