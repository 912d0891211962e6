"""The console's files: every API path they call exists, they never build HTML from strings,
and they are served under a policy that allows no inline code.

The console is ES modules without a build step; a route renamed or removed would break it
silently (no type checker), so the paths its modules call are checked against the app's
schema. Convention the modules follow (so that this test sees every call):
``api("METHOD", "/v1/...")``, ``request("METHOD", "/v1/...")`` or ``apiPage("/v1/...")``.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.abc import Traversable

import httpx

from router.app import create_app
from router.settings import load_settings

# A path a module writes: "/v1/..." up to a quote, a backtick, a query string or a space;
# `${...}` (an id filled in by the script) stands for one path parameter.
PAGE_PATH = re.compile(r"/v1/(?:\$\{[^}]*\}|[^\"'`?\s$])*")
CALL = re.compile(
    r"\b(?:(?:api|request)\(\s*\"(?P<verb>[A-Z]+)\",\s*|apiPage\(\s*|fetch\(\s*)"
    r"[\"`](?P<path>/v1/[^\"`]*)[\"`]"
    r"(?:,\s*\{method:\s*\"(?P<method>[A-Z]+)\")?"
)


def _files(folder: Traversable) -> list[Traversable]:
    found = []
    for item in folder.iterdir():
        if item.is_dir() and item.name != "vendor":
            found += _files(item)
        elif item.name.endswith(".js"):
            found.append(item)
    return found


def _scripts() -> dict[str, str]:
    static = resources.files("router.console").joinpath("static")
    return {f.name: f.read_text(encoding="utf-8") for f in _files(static)}


def _normal(path: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "{}", path.split("?")[0])


def _calls(source: str) -> set[tuple[str, str]]:
    return {
        ((m["verb"] or m["method"] or "GET").lower(), _normal(m["path"]))
        for m in CALL.finditer(source)
    }


def _matches(page_path: str, api_path: str) -> bool:
    pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(api_path))
    return re.fullmatch(pattern, page_path.replace("{}", "1")) is not None


def test_every_call_of_the_console_is_an_api_route() -> None:
    paths = create_app(load_settings()).openapi()["paths"]
    calls: set[tuple[str, str]] = set()
    for name, source in _scripts().items():
        found = _calls(source)
        # Every path written in a module is in a call this test understands.
        written = {_normal(p) for p in PAGE_PATH.findall(source)} - {"/v1/live"}
        assert written == {path for _, path in found}, name
        calls |= found
    assert {
        ("get", "/v1/auth/me"),
        ("post", "/v1/offers/{}/accept"),
    } <= calls
    unknown = sorted(
        f"{method.upper()} {path}"
        for method, path in calls
        if path != "/v1/console/config"  # not in the schema (console only)
        and not any(_matches(path, api) and method in ops for api, ops in paths.items())
    )
    assert unknown == []


def test_the_console_never_turns_strings_into_html() -> None:
    for name, source in _scripts().items():
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (name, sink)
        assert not re.search(r"""(import|from)\s*["'](https?:)?//""", source), name


async def test_the_console_is_served_with_a_policy_that_allows_only_its_own_code(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["connect-src"].startswith("'self'")
    page = response.text
    # Nothing inline: no script or style element with content, no code or style attribute.
    assert not re.search(r"<script>|<style", page)
    assert not re.search(r"<[^>]+\s(style|on[a-z]+)\s*=", page)
    assert "javascript:" not in page
    module = await client.get("/console/static/app.js")
    assert module.status_code == 200 and module.headers["content-type"].startswith(
        "text/javascript"
    )
    assert (await client.get("/console/static/../settings.py")).status_code == 404
    assert (await client.get("/console/static/nothing.js")).status_code == 404
    config = await client.get("/v1/console/config")
    assert config.json()["demo"] is False
