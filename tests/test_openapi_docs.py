"""The API documentation: complete (every field described, every request body with an example
that its own model accepts, every operation's access stated) and served offline (/docs and
/redoc load only vendored, same-origin assets, under a policy that forbids inline script).

No database and no lifespan: the schema and the documentation pages need neither.
"""

from __future__ import annotations

import email
import functools
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from router.api.docs import HEADERS, REDOC_BUNDLE, REDOC_FOLDER, REDOCLY_BADGE
from router.app import create_app
from router.settings import load_settings


@functools.cache
def _app() -> FastAPI:
    return create_app(load_settings())


@functools.cache
def _schema() -> dict[str, Any]:
    return _app().openapi()


def _models() -> dict[str, type[BaseModel]]:
    """Our pydantic models by class name (the name FastAPI gives their schema)."""
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith(("router.", "channels.")):
            found[cls.__name__] = cls
    return found


def _operations() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _resolve(schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The named schema a body refers to (``$ref``, or the one ``$ref`` of an optional body's
    ``anyOf``), else the inline schema under its title."""
    refs = [schema] + [s for s in schema.get("anyOf", []) if "$ref" in s]
    for candidate in refs:
        if "$ref" in candidate:
            name = candidate["$ref"].rsplit("/", 1)[-1]
            return name, _schema()["components"]["schemas"][name]
    return schema.get("title"), schema


def _bodies() -> Iterator[tuple[str, str, str | None, list[Any]]]:
    """Each request body: (operation, content type, model name, its examples)."""
    for operation, spec in _operations():
        for content_type, media in spec.get("requestBody", {}).get("content", {}).items():
            name, schema = _resolve(media.get("schema", {}))
            examples = list(schema.get("examples", []))
            if "example" in media:
                examples.append(media["example"])
            examples += [e["value"] for e in media.get("examples", {}).values()]
            yield operation, content_type, name, examples


def test_every_schema_field_is_described() -> None:
    lacking = [
        f"{name}.{field}"
        for name, schema in _schema()["components"]["schemas"].items()
        for field, spec in schema.get("properties", {}).items()
        if not spec.get("description", "").strip()
    ]
    assert lacking == [], f"fields without a description: {', '.join(lacking)}"


def test_every_request_body_has_an_example() -> None:
    bodies = list(_bodies())
    assert len(bodies) >= 25, bodies  # the walk found the bodies
    lacking = [f"{op} ({content_type})" for op, content_type, _, examples in bodies if not examples]
    assert lacking == [], f"request bodies without an example: {', '.join(lacking)}"


def test_request_body_examples_are_valid_for_their_model() -> None:
    models = _models()
    checked = 0
    for operation, content_type, name, examples in _bodies():
        if content_type == "application/octet-stream":  # a raw RFC 5322 message
            for example in examples:
                message = email.message_from_string(example)
                assert message["From"] and message["Message-ID"], operation
            continue
        assert name in models, f"{operation}: no model named {name}"
        for example in examples:
            # As the API reads it: from JSON text (enums and date-times from their strings).
            models[name].model_validate_json(json.dumps(example))
            checked += 1
    assert checked >= 25


def test_every_operation_states_its_access() -> None:
    access = re.compile(r"\*\*Access:\*\* (public|role >= \w+.*)\.$")
    missing = [op for op, spec in _operations() if not access.search(spec.get("description", ""))]
    assert missing == []


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://docs.test") as client:
        yield client


_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|spec-url=["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_only_same_origin_assets(
    http: httpx.AsyncClient, page: str
) -> None:
    response = await http.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"https?://", html), "the page names another host"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    policy = response.headers["content-security-policy"]
    assert policy == HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    urls = [a or b for a, b in _URL.findall(html)]
    assert any(u.endswith(".js") for u in urls), urls
    expected = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for url in urls:
        assert url.startswith("/"), url
        asset = await http.get(url)
        assert asset.status_code == 200, url
        kind = next((t for ext, t in expected.items() if url.endswith(ext)), "application/json")
        assert asset.headers["content-type"].startswith(kind), (url, asset.headers)


async def test_redoc_asks_no_other_host_for_its_footer_image(http: httpx.AsyncClient) -> None:
    """ReDoc's footer image is hard-coded to Redocly's CDN (no option turns it off): the
    bundle /redoc loads has it replaced, the vendored file itself is left as published."""
    vendored = await http.get(f"/static/vendor/{REDOC_FOLDER}/redoc.standalone.js")
    # Exactly once: an upgrade that moves or renames it must update router/api/docs.py.
    assert vendored.text.count(REDOCLY_BADGE) == 1
    served = await http.get(REDOC_BUNDLE)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/javascript")
    assert REDOCLY_BADGE not in served.text
    assert not re.search(r"""src:\s*["'`]https?://""", served.text), "an image of another host"
    assert len(served.text) == len(vendored.text) - len(REDOCLY_BADGE) + len("data:,")


async def test_vendored_assets_carry_their_licences(http: httpx.AsyncClient) -> None:
    for folder in ("swagger-ui-dist-5.36.0", "redoc-2.5.4"):
        licence = await http.get(f"/static/vendor/{folder}/LICENSE")
        assert licence.status_code == 200, folder
        assert "Apache License" in licence.text or "Permission is hereby granted" in licence.text
