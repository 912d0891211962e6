"""Browser journeys: the console and the chat widget as people use them.

Headless Chromium from Debian (`apt-get install chromium`, which `.ci/run` does when it is
missing) driven by Playwright for Python; no browser is ever downloaded. One server per test
module: `aiguillage serve` on a fresh SQLite file with the demo data (the in-process
broker), as `make run` starts it; the file is a copy of one migrated and filled once per
test process. Every page records its JavaScript errors and failed
console messages; a journey that produced one fails. Screenshots go to
``artifacts/screenshots/`` (kept by CI as artefacts, ignored by git).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import processes, services

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def chromium_path() -> str:
    """Debian's chromium (or AIGUILLAGE_TEST_CHROMIUM): skipped without it, failed in CI."""
    found = os.environ.get("AIGUILLAGE_TEST_CHROMIUM") or shutil.which("chromium")
    if found is None:
        services.unavailable("chromium (apt-get install chromium)")
    assert found is not None
    return found


@dataclass
class Server:
    """A running `aiguillage serve` with the demo data: its URL and the demo logins."""

    base_url: str
    logins: dict[str, str]  # e-mail -> password, from demo-credentials.txt
    env: dict[str, str]

    def login_of(self, prefix: str) -> tuple[str, str]:
        """The demo login whose e-mail starts with ``prefix`` (admin@, supervisor@, ...)."""
        email = next(e for e in self.logins if e.startswith(prefix))
        return email, self.logins[email]


@dataclass(frozen=True)
class DemoDatabase:
    """A migrated SQLite file with the demo data, and the demo logins it holds."""

    path: Path
    logins: dict[str, str]


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> DemoDatabase:
    """``migrate`` and ``demo-data`` once per test process (two CLI runs of a module's three):
    each module's server then starts on its own copy, so no module sees another's changes.
    The first classifier is still trained by each server at start-up: a database holding
    one trained by ``aiguillage classifier train`` changed what the French console search
    shows (test_console_in_french), which is not understood yet."""
    folder = tmp_path_factory.mktemp("demo-database")
    path = folder / "aiguillage.db"
    env = {
        "AIGUILLAGE_DATABASE_URL": f"sqlite:///{path}",
        "AIGUILLAGE_BROKER_URL": "memory://",
        "AIGUILLAGE_DEMO": "true",
    }
    processes.run_cli(["migrate"], env)
    credentials = folder / "demo-credentials.txt"
    processes.run_cli(["demo-data", "--credentials", str(credentials)], env)
    logins = dict(line.split() for line in credentials.read_text().splitlines() if line)
    return DemoDatabase(path, logins)


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (a WAL file is included)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, demo_database: DemoDatabase
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("browser")
    _copy_database(demo_database.path, folder / "aiguillage.db")
    port = processes.free_port()
    env = {
        "AIGUILLAGE_DATABASE_URL": f"sqlite:///{folder / 'aiguillage.db'}",
        "AIGUILLAGE_PORT": str(port),
        "AIGUILLAGE_BROKER_URL": "memory://",
        "AIGUILLAGE_DEMO": "true",
    }
    log = folder / "serve.log"
    serving = processes.cli(["serve"], env, log)
    base_url = f"http://127.0.0.1:{port}"
    with processes.stopping(serving):
        processes.wait_ready(base_url, serving, log)
        yield Server(base_url, dict(demo_database.logins), env)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-dev-shm-usage"],  # root in a container
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watched:
    """A page and what went wrong in it: JavaScript errors, console errors, any asset that
    failed to load and any 5xx. An API call answered 4xx is part of a journey (a claim lost
    to a colleague is a 409 the page explains); Chromium's own console line about it is not
    counted, the answer's status is."""

    page: object
    errors: list[str] = field(default_factory=list)

    def console(self, message: object) -> None:
        from playwright.sync_api import ConsoleMessage

        assert isinstance(message, ConsoleMessage)
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console.error: {message.text}")

    def response(self, response: object) -> None:
        from playwright.sync_api import Response

        assert isinstance(response, Response)
        api = "/v1/" in response.url
        if response.status >= 500 or (response.status >= 400 and not api):
            self.errors.append(f"{response.status} {response.request.method} {response.url}")


@pytest.fixture
def open_page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """``open_page(locale="fr-FR")``: a fresh browser context (own storage) and page whose
    JavaScript errors fail the test at teardown."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    opened: list[Watched] = []
    contexts = []

    def open_one(locale: str = "en-GB", **options: object) -> object:
        context = browser.new_context(
            locale=locale, viewport={"width": 1440, "height": 900}, **options
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page)
        page.on("pageerror", lambda error: watched.errors.append(f"pageerror: {error}"))
        page.on("console", watched.console)
        page.on("response", watched.response)
        opened.append(watched)
        return page

    yield open_one
    for context in contexts:
        context.close()
    errors = [e for w in opened for e in w.errors]
    assert not errors, "the page logged JavaScript errors:\n" + "\n".join(errors)


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/NAME.png."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
