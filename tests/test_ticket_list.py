"""The ticket list: every filter, every sort in both directions walked page by page through
the cursor (no row skipped or repeated, nulls last, ties by id), visibility, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from router.models.tickets import ConversationTag
from router.tickets.listing import SORT_KEYS
from tests.conftest import runtime_of
from tests.routing_support import advisor, login, post, routed, set_rows, team

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


async def tickets(http: httpx.AsyncClient, count: int, prefix: str) -> list[dict[str, Any]]:
    """``count`` waiting conversations, one per customer (no advisor is available)."""
    return [
        await routed(http, await post(http, f"{prefix}{i}", "1", "Hello")) for i in range(count)
    ]


async def ids(http: httpx.AsyncClient, params: Any, **headers: str) -> list[int]:
    response = await http.get("/v1/conversations", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()]


async def tag(http: httpx.AsyncClient, conversation_id: int, *names: str) -> None:
    async with runtime_of(http).db.session() as session:
        session.add_all(ConversationTag(conversation_id=conversation_id, tag=n) for n in names)
        await session.commit()


async def test_every_filter(client: httpx.AsyncClient) -> None:
    crew = await team(client, "Crew")
    anna = await advisor(client, "Anna", team_id=crew["id"], status="offline")
    c1, c2, c3, c4, c5 = (t["id"] for t in await tickets(client, 5, "f"))
    await set_rows(client, c1, status="assigned", assignee_id=anna["id"], channel="email")
    await set_rows(client, c2, status="pending", first_response_sla="warning")
    await set_rows(client, c3, queue_team_id=crew["id"], priority=70)
    await set_rows(client, c4, status="resolved", first_response_sla="breached", priority=50)
    await set_rows(client, c5, first_response_at=T0, resolution_sla="warning")
    await tag(client, c1, "vip", "refund")
    await tag(client, c3, "vip")
    customer = (await client.get(f"/v1/conversations/{c5}")).json()["customer_id"]
    cases: list[tuple[Any, list[int]]] = [
        ({}, [c1, c2, c3, c4, c5]),
        ({"status": "assigned"}, [c1]),
        ([("status", "pending"), ("status", "resolved")], [c2, c4]),
        ({"ticket_status": "new"}, [c3]),
        ({"ticket_status": "open"}, [c1, c5]),
        ([("ticket_status", "pending"), ("ticket_status", "closed")], [c2]),
        ({"assignee_id": anna["id"]}, [c1]),
        ({"team_id": crew["id"]}, [c1, c3]),
        ({"tag": "vip"}, [c1, c3]),
        ([("tag", "vip"), ("tag", "refund")], [c1]),
        ({"tag": "unknown"}, []),
        ({"channel": "email"}, [c1]),
        ({"customer_id": customer}, [c5]),
        ({"sla": "breached"}, [c4]),
        ({"sla": "at_risk"}, [c2, c5]),
        ({"priority_min": 50}, [c3, c4]),
        ({"team_id": crew["id"], "tag": "vip", "priority_min": 50}, [c3]),
    ]
    for params, expected in cases:
        assert await ids(client, params) == expected, params


async def test_bad_filters_are_refused_with_a_reason(client: httpx.AsyncClient) -> None:
    for params in [
        {"status": "sleeping"},
        {"ticket_status": "waiting"},
        {"sla": "soon"},
        {"priority_min": -1},
        {"priority_min": "high"},
        {"sort": "name"},
        {"sort": "--priority"},
        {"tag": ""},
        {"tag": "x" * 61},
        {"channel": "fax"},
        {"team_id": 0},
        {"limit": 0},
        {"limit": 501},
        {"cursor": "not a cursor"},
        {"cursor": "eyJzIjoiaWQifQ"},  # valid base64 and JSON, no position
        {"after_id": 3, "sort": "-priority"},
    ]:
        response = await client.get("/v1/conversations", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["detail"], params


async def _all(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await http.get("/v1/conversations", params={"limit": 500})
    return list(response.json())


def _expected(rows: list[dict[str, Any]], key: str, descending: bool) -> list[int]:
    def value(row: dict[str, Any]) -> Any:
        raw = row[key]
        return datetime.fromisoformat(raw) if isinstance(raw, str) else raw

    present = sorted(
        (r for r in rows if r[key] is not None),
        key=lambda r: (value(r), r["id"]),
        reverse=descending,
    )
    missing = sorted((r for r in rows if r[key] is None), key=lambda r: r["id"], reverse=descending)
    return [r["id"] for r in present + missing]


async def _walk(http: httpx.AsyncClient, sort: str, page: int) -> list[int]:
    seen: list[int] = []
    params: dict[str, Any] = {"sort": sort, "limit": page}
    for _ in range(20):
        response = await http.get("/v1/conversations", params=params)
        assert response.status_code == 200, response.text
        seen += [row["id"] for row in response.json()]
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            return seen
        params["cursor"] = cursor
    raise AssertionError("the pages never ended")


async def test_every_sort_pages_through_every_row_once(client: httpx.AsyncClient) -> None:
    rows = await tickets(client, 7, "s")
    priorities = [5, 1, 5, 3, 1, 5, 0]
    dues = [T0, None, T0 + timedelta(hours=1), T0, None, T0 + timedelta(hours=2), T0]
    for row, priority, due in zip(rows, priorities, dues, strict=True):
        stamp = T0 + timedelta(minutes=priority)  # ties on the dates too
        await set_rows(
            client,
            row["id"],
            priority=priority,
            first_response_due_at=due,
            resolution_due_at=None if due is None else due + timedelta(days=1),
            updated_at=stamp,
            last_message_at=stamp,
        )
    everything = await _all(client)
    for key in SORT_KEYS:
        for descending in (False, True):
            sort = f"-{key}" if descending else key
            expected = _expected(everything, key, descending)
            for page in (1, 2, 3, 7):
                assert await _walk(client, sort, page) == expected, (sort, page)


async def test_after_id_keeps_working_and_cursors_belong_to_their_sort(
    client: httpx.AsyncClient,
) -> None:
    first, second, third = (t["id"] for t in await tickets(client, 3, "a"))
    assert await ids(client, {"after_id": first}) == [second, third]
    assert await ids(client, {"after_id": first, "limit": 1}) == [second]
    page = await client.get("/v1/conversations", params={"sort": "-priority", "limit": 1})
    cursor = page.headers["X-Next-Cursor"]
    other = await client.get("/v1/conversations", params={"sort": "priority", "cursor": cursor})
    assert other.status_code == 422 and other.json()["field"] == "cursor"
    last = await client.get("/v1/conversations", params={"limit": 3})
    assert "X-Next-Cursor" not in last.headers


async def test_the_list_shows_what_the_caller_may_see(client: httpx.AsyncClient) -> None:
    crew, other = await team(client, "Crew"), await team(client, "Other")
    ann = await advisor(client, "Ann", team_id=crew["id"], status="offline")
    c1, c2, c3, c4 = (t["id"] for t in await tickets(client, 4, "v"))
    await set_rows(client, c1, status="assigned", assignee_id=ann["id"], priority=9)
    await set_rows(client, c2, queue_team_id=other["id"], first_response_sla="warning")
    await set_rows(client, c3, queue_team_id=crew["id"], first_response_sla="warning")
    headers = await login(client, ann)
    assert await ids(client, {}, **headers) == [c1, c3, c4]
    assert await ids(client, {"sla": "at_risk"}, **headers) == [c3]
    assert await ids(client, {"sort": "-priority"}, **headers) == [c1, c4, c3]  # ties: by id
    assert await ids(client, {"team_id": other["id"]}, **headers) == []


@pytest.mark.parametrize("field", ["first_response_sla", "resolution_sla"])
async def test_the_sla_state_is_part_of_a_ticket(client: httpx.AsyncClient, field: str) -> None:
    (row,) = await tickets(client, 1, f"p{field[0]}")
    await set_rows(client, row["id"], **{field: "breached", "resolution_due_at": T0})
    (listed,) = (await client.get("/v1/conversations")).json()
    assert listed[field] == "breached" and listed["tags"] == []
    assert datetime.fromisoformat(listed["resolution_due_at"]) == T0
