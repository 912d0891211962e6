"""MicroBatcher: concurrent submissions share a call; failures stay with their item."""

from __future__ import annotations

import asyncio

import pytest

from router.store.batching import MicroBatcher


async def test_concurrent_items_share_batches_and_keep_their_results() -> None:
    calls: list[list[int]] = []

    async def double(items: list[int]) -> list[int]:
        calls.append(items)
        await asyncio.sleep(0.01)
        return [2 * i for i in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(double, max_batch=10)
    batcher.start()
    try:
        results = await asyncio.gather(*(batcher.submit(i) for i in range(25)))
    finally:
        await batcher.stop()
    assert results == [2 * i for i in range(25)]
    assert max(len(c) for c in calls) == 10 and len(calls) < 25


async def test_a_bad_item_fails_alone() -> None:
    async def picky(items: list[int]) -> list[int]:
        if 3 in items:
            raise ValueError("three is bad")
        return items

    batcher: MicroBatcher[int, int] = MicroBatcher(picky, max_batch=10)
    batcher.start()
    try:
        results = await asyncio.gather(
            *(batcher.submit(i) for i in range(6)), return_exceptions=True
        )
    finally:
        await batcher.stop()
    assert [r for r in results if isinstance(r, ValueError)] == [results[3]]
    assert [r for r in results if not isinstance(r, Exception)] == [0, 1, 2, 4, 5]


async def test_a_transient_failure_fails_the_batch_without_splitting() -> None:
    calls = 0

    async def down(items: list[int]) -> list[int]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise ConnectionRefusedError("database down")

    batcher: MicroBatcher[int, int] = MicroBatcher(down, max_batch=10)
    batcher.start()
    try:
        results = await asyncio.gather(
            *(batcher.submit(i) for i in range(5)), return_exceptions=True
        )
    finally:
        await batcher.stop()
    assert all(isinstance(r, ConnectionRefusedError) for r in results)
    assert calls <= 2  # the first item alone, then the rest together; never one by one


async def test_submit_before_start_is_an_error() -> None:
    async def echo(items: list[int]) -> list[int]:
        return items

    with pytest.raises(RuntimeError):
        await MicroBatcher(echo, max_batch=1).submit(1)
