"""The console page: every API path it calls exists, and it never builds HTML from strings.

The console is one static page over the public API; a route renamed or removed would break it
silently (no build step, no type checker), so its paths are checked against the app's schema.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

import httpx

from router.app import create_app
from router.settings import load_settings

# A path the page writes: "/v1/..." up to a quote, a backtick, a query string or a space;
# `${...}` (an id filled in by the script) stands for one path parameter.
PAGE_PATH = re.compile(r"/v1/(?:\$\{[^}]*\}|[^\"'`?\s$])*")
# A call: api/request/fetch(path[, {method: "M"}]) or send(path, "M", body); no method is GET.
CALL = re.compile(
    r"\b(?:api|request|fetch|send)\(\s*[\"`](?P<path>/v1/[^\"`]*)[\"`]"
    r"(?:,\s*(?:\"(?P<verb>[A-Z]+)\"|\{method:\s*\"(?P<method>[A-Z]+)\"))?"
)


def _page() -> str:
    return resources.files("router.console").joinpath("index.html").read_text(encoding="utf-8")


def _normal(path: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "{}", path.split("?")[0])


def _calls(page: str) -> set[tuple[str, str]]:
    return {
        ((m["verb"] or m["method"] or "GET").lower(), _normal(m["path"]))
        for m in CALL.finditer(page)
    }


def _matches(page_path: str, api_path: str) -> bool:
    pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(api_path))
    return re.fullmatch(pattern, page_path.replace("{}", "1")) is not None


def test_every_call_of_the_console_is_an_api_route() -> None:
    paths = create_app(load_settings()).openapi()["paths"]
    page = _page()
    calls = _calls(page)
    # Every path written in the page is in a call this test understands (none slips past it).
    assert {_normal(p) for p in PAGE_PATH.findall(page)} == {path for _, path in calls}
    # The page's main views: the list, the detail pane, search and the supervisors' reports.
    assert {
        ("get", "/v1/conversations"),
        ("get", "/v1/conversations/{}/context"),
        ("get", "/v1/customers/{}/timeline"),
        ("patch", "/v1/conversations/{}"),
        ("post", "/v1/conversations/{}/replies"),
        ("get", "/v1/search"),
        ("get", "/v1/reports/sla"),
    } <= calls
    unknown = sorted(
        f"{method.upper()} {path}"
        for method, path in calls
        if not any(_matches(path, api) and method in ops for api, ops in paths.items())
    )
    assert unknown == []


def test_the_console_never_turns_strings_into_html() -> None:
    page = _page()
    script = page[page.index("<script>") :]
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
    # Everything is inline: no CDN, no external script or style sheet.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


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
    assert policy["connect-src"] == "'self'"
    page = response.text
    # The one inline script and style sheet are allowed by their exact hashes ...
    for element in ("script", "style"):
        (source,) = re.findall(rf"<{element}>(.*?)</{element}>", page, re.DOTALL)
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert policy[f"{element}-src"] == f"'sha256-{digest}'"
    # ... and nothing inline that a hash cannot allow: no attributes with code or style,
    # no other script element.
    assert not re.search(r"<[^>]+\s(style|on[a-z]+)\s*=", page)
    assert page.count("<script") == 1 and "javascript:" not in page
