"""Simulation jobs for the API: one at a time per process, run in a thread, kept in the
database.

The scenario is built and checked in the request (a bad one is a 422 naming where), the job
row written, then the replications run in a worker thread (pure CPU in ``sim``: the event
loop keeps serving). While it runs, the job's row gets its progress and a heartbeat every
``HEARTBEAT`` seconds; any process reading a running job whose heartbeat is older than
``STALE`` reports it failed (its process died), and every process marks such jobs failed
when it starts. A stopping process marks its job failed without waiting for the thread
(a daemon, which drops its work at the next replication).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import update
from sqlmodel import col

from router.errors import Conflict, InvalidRequest, NotFound
from router.models.simulations import (
    SimulationCreate,
    SimulationJob,
    SimulationPublic,
    SimulationStatus,
)
from router.routing.rules import export_rules
from router.simulation.history import day_scenario
from router.store import Database
from router.store.types import utcnow
from sim import Scenario, ScenarioError, compare, rules_from_documents, simulate
from sim.document import comparison_document, run_document
from sim.parse import parse_scenario
from skills import RuleError

log = logging.getLogger(__name__)
T = TypeVar("T")

HEARTBEAT = 1.0  # seconds between two writes of a running job's progress
STALE = 30.0  # a running job without a heartbeat for this long was lost with its process
#: Simulated conversations a job may ask for (expected arrivals x replications x runs).
BUDGET = 500_000
STOPPED = "the server stopped while it ran; start it again"


class _Stopped(Exception):
    """Raised in the worker thread between replications when the process stops."""


class SimulationJobs:
    """The process's job slot and the use cases of POST and GET /v1/simulations."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._busy: int | None = None  # the running job's id (0 while it is being prepared)
        self._task: asyncio.Task[None] | None = None
        self._stop = threading.Event()

    async def recover(self) -> int:
        """Mark failed the running jobs whose process is gone (at start-up)."""
        async with self.db.session() as session:
            result = await session.execute(_lost_jobs())
            await session.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    async def start(self, request: SimulationCreate, by: int | None) -> SimulationPublic:
        if self._busy is not None:  # checked and taken before any await: no race in-process
            raise Conflict(
                "a simulation is already running in this process"
                + (f" (job {self._busy})" if self._busy else "")
                + "; wait for it to end (GET /v1/simulations/{id})"
            )
        self._busy = 0
        try:
            base, other = await self._scenarios(request)
            job = SimulationJob(request=request.model_dump(mode="json"), created_by=by)
            async with self.db.session() as session:
                session.add(job)
                await session.commit()
                await session.refresh(job)
        except BaseException:
            self._busy = None
            raise
        assert job.id is not None
        self._busy = job.id
        self._task = asyncio.create_task(self._run(job.id, base, other, request))
        return SimulationPublic.of(job)

    async def get(self, job_id: int) -> SimulationPublic:
        async with self.db.session() as session:
            await session.execute(_lost_jobs(job_id))
            await session.commit()
            job = await session.get(SimulationJob, job_id)
        if job is None:
            raise NotFound(f"simulation {job_id} does not exist", field="id")
        return SimulationPublic.of(job)

    async def stop(self) -> None:
        """Stop the running job (its row says so) before the database closes, without
        waiting for the replication in progress (the thread drops it)."""
        self._stop.set()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _scenarios(self, request: SimulationCreate) -> tuple[Scenario, Scenario | None]:
        try:
            base = await self._base(request)
            other = None
            if request.compare_rules is not None:
                other = base.with_rules(rules_from_documents(request.compare_rules))
        except (ScenarioError, RuleError, ValueError, TypeError, KeyError) as error:
            # A scenario the parser did not foresee is still the caller's mistake.
            where = "history" if request.history is not None else "scenario"
            raise InvalidRequest(f"{where}: {error}", field=where) from None
        runs = 1 if other is None else 2
        asked = sum(base.per_interval) * request.replications * runs
        if asked > BUDGET:
            raise InvalidRequest(
                f"{asked:.0f} simulated conversations asked (arrivals x replications"
                f"{' x 2 to compare' if other else ''}); at most {BUDGET} per job",
                field="replications",
            )
        return base, other

    async def _base(self, request: SimulationCreate) -> Scenario:
        if request.history is not None:
            h = request.history
            document = await day_scenario(
                self.db, h.day, team_id=h.team_id, interval_minutes=h.interval_minutes
            )
        else:
            document = dict(request.scenario or {})
            if "rules" not in document:
                rules = (await export_rules(self.db)).rules
                document["rules"] = [rule.model_dump(mode="json") for rule in rules]
        return _parse(document)

    async def _run(
        self, job_id: int, base: Scenario, other: Scenario | None, request: SimulationCreate
    ) -> None:
        done = [0.0]
        tick = self._tick(done, request)
        work = _in_thread(lambda: _compute(base, other, request, tick))
        try:
            while not work.done():
                await asyncio.wait({work}, timeout=HEARTBEAT)
                if not work.done():
                    await self._write(job_id, progress=done[0], heartbeat_at=utcnow())
            result = work.result()
        except (_Stopped, asyncio.CancelledError):
            work.cancel()  # the thread ends at its next replication, unawaited
            await self._finish(job_id, error=STOPPED)
        except Exception as error:  # the job says why; the process goes on
            log.exception("simulation %s failed", job_id)
            await self._finish(job_id, error=f"the simulation failed: {error}"[:2000])
        else:
            await self._finish(job_id, result=result)
        finally:
            self._busy = None

    def _tick(self, done: list[float], request: SimulationCreate) -> Callable[[int], None]:
        def tick(replications: int) -> None:
            done[0] = replications / request.replications
            if self._stop.is_set():
                raise _Stopped

        return tick

    async def _finish(
        self, job_id: int, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        status = SimulationStatus.failed if error else SimulationStatus.done
        now = utcnow()
        await self._write(
            job_id,
            status=status,
            result=result,
            error=error,
            finished_at=now,
            heartbeat_at=now,
            **({"progress": 1.0} if result is not None else {}),
        )

    async def _write(self, job_id: int, **values: Any) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(SimulationJob)
                .where(col(SimulationJob.id) == job_id)
                .where(col(SimulationJob.status) == SimulationStatus.running)
                .values(**values)
            )
            await session.commit()


def _parse(document: dict[str, Any]) -> Scenario:
    rules = document.get("rules")
    if not isinstance(rules, list):
        raise ScenarioError(
            "rules", "expected the list of rules (a file path is read only by the CLI)"
        )
    return parse_scenario(document, rules_from_documents(rules))


def _in_thread(work: Callable[[], T]) -> asyncio.Future[T]:
    """Run ``work`` in a daemon thread (a stopping process does not wait for it); its
    outcome settles the returned future unless that was cancelled meanwhile."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        try:
            outcome: tuple[T | None, BaseException | None] = (work(), None)
        except BaseException as error:  # handed to the loop, which decides
            outcome = (None, error)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=run, name="simulation", daemon=True).start()
    return future


def _compute(
    base: Scenario, other: Scenario | None, request: SimulationCreate, tick: Callable[[int], None]
) -> dict[str, Any]:
    """The worker thread's part: the replications, then the document of ``--json``."""
    n, seed = request.replications, request.seed
    if other is None:
        estimates, _ = simulate(base, n, seed, tick)
        return run_document(base, n, seed, estimates)
    return comparison_document(base, n, seed, compare(base, other, n, seed, tick), "compare_rules")


def _lost_jobs(job_id: int | None = None) -> Any:
    """Running jobs whose heartbeat stopped: failed, with the reason."""
    now = utcnow()
    query = (
        update(SimulationJob)
        .where(col(SimulationJob.status) == SimulationStatus.running)
        .where(col(SimulationJob.heartbeat_at) < now - timedelta(seconds=STALE))
        .values(status=SimulationStatus.failed, error=STOPPED, finished_at=now)
    )
    return query if job_id is None else query.where(col(SimulationJob.id) == job_id)
