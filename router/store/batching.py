"""Micro-batching: concurrent callers share one unit of work.

Callers ``submit`` an item and await its result; a loop takes whatever is waiting (no added
latency when idle, large batches under load) and hands it to the handler in one call. If a
batch fails for a reason that is not transient, it is retried item by item, so one bad item
fails alone; a transient failure (database down) fails the whole batch at once, since
splitting would only multiply the wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from router.store import is_transient_error

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Entry(Generic[T, R]):
    item: T
    done: asyncio.Future[R]


class MicroBatcher(Generic[T, R]):
    def __init__(
        self,
        handle: Callable[[list[T]], Awaitable[Sequence[R]]],
        *,
        max_batch: int,
        loops: int = 1,
    ) -> None:
        self._handle = handle
        self.max_batch = max_batch
        self._loops = loops
        self._queue: asyncio.Queue[_Entry[T, R]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop()) for _ in range(self._loops)]

    async def stop(self) -> None:
        """Stop taking batches; callers still waiting are cancelled with their requests."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def submit(self, item: T) -> R:
        if not self._tasks or all(task.done() for task in self._tasks):
            raise RuntimeError("MicroBatcher is not running")
        entry: _Entry[T, R] = _Entry(item, asyncio.get_running_loop().create_future())
        await self._queue.put(entry)
        return await entry.done

    async def _loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._run(batch)

    async def _run(self, batch: list[_Entry[T, R]]) -> None:
        try:
            results = await self._handle([entry.item for entry in batch])
        except Exception as error:
            if len(batch) == 1 or is_transient_error(error):
                for entry in batch:
                    _settle(entry, error)
                return
            for entry in batch:
                await self._run([entry])
            return
        for entry, result in zip(batch, results, strict=True):
            _settle(entry, result)


def _settle(entry: _Entry[T, R], outcome: R | BaseException) -> None:
    if entry.done.done():  # the caller went away (client disconnect, shutdown)
        return
    if isinstance(outcome, BaseException):
        entry.done.set_exception(outcome)
    else:
        entry.done.set_result(outcome)
