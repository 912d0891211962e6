"""POST /v1/simulations and GET /v1/simulations/{id}: a what-if runs in the background and
returns the document of ``aiguillage simulate --json``; one job per process; bad scenarios
are 422 with the place; a job whose process died is reported failed; admins only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from router.models.simulations import SimulationJob
from router.simulation.jobs import STOPPED
from router.store.types import utcnow
from tests.conftest import runtime_of, wait_for
from tests.routing_support import advisor, login

DEFAULT = {"name": "default", "is_default": True, "require_language": False}


def small_day(per_interval: list[int]) -> dict[str, Any]:
    return {
        "name": "small day",
        "interval_minutes": 30,
        "service_level": "80/20",
        "arrivals": {"per_interval": per_interval, "mix": [{"channel": "chat"}]},
        "handling": {"exponential": 240},
        "patience": {"exponential": 300},
        "teams": [{"id": 1, "name": "Front"}],
        "advisors": [{"name": "advisor", "team": 1, "count": 3}],
        "rules": [{**DEFAULT, "policy": "longest_idle"}],
    }


async def test_a_what_if_runs_in_the_background_one_at_a_time(
    client: httpx.AsyncClient,
) -> None:
    body = {
        "scenario": small_day([10, 12]),
        "compare_rules": [{**DEFAULT, "policy": "least_busy"}],
        "replications": 3,
        "seed": 7,
    }
    started = await client.post("/v1/simulations", json=body)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] in ("running", "done") and job["result"] is None

    async def finished() -> dict[str, Any] | None:
        found = (await client.get(f"/v1/simulations/{job['id']}")).json()
        return found if found["status"] != "running" else None

    done = await wait_for(finished)
    assert done["status"] == "done" and done["progress"] == 1.0, done
    result = done["result"]
    assert result["scenario"] == "small day" and result["replications"] == 3
    assert result["compare"] == "compare_rules"
    for part in ("base", "other", "difference"):
        day = result[part]["all"]["day"]
        assert set(day["service_level"]) == {"mean", "ci95"}, day
    # The same customers for both rule sets (common random numbers).
    assert result["base"]["all"]["day"]["offered"] == result["other"]["all"]["day"]["offered"]

    # One job at a time per process; a stopping process fails its job with the reason.
    long = {"scenario": small_day([300] * 6), "replications": 100}
    first = await client.post("/v1/simulations", json=long)
    assert first.status_code == 202, first.text
    second = await client.post("/v1/simulations", json=long)
    assert second.status_code == 409, second.text
    assert f"job {first.json()['id']}" in second.json()["detail"]
    running = (await client.get(f"/v1/simulations/{first.json()['id']}")).json()
    assert running["status"] == "running" and 0 <= running["progress"] < 1
    await runtime_of(client).simulations.stop()  # the process stops: the job says so
    stopped = (await client.get(f"/v1/simulations/{first.json()['id']}")).json()
    assert stopped["status"] == "failed" and stopped["error"] == STOPPED, stopped


async def test_bad_scenarios_lost_jobs_and_roles(
    client: httpx.AsyncClient,
) -> None:
    cases = [
        ({"scenario": {**small_day([5]), "arrivals": 3}}, "arrivals"),
        ({"scenario": {**small_day([5]), "handling": {"gamma": 2}}}, "handling"),
        ({"scenario": small_day([5]), "compare_rules": [{"name": "x"}]}, "default rule"),
        ({"scenario": {**small_day([5]), "rules": "rules.yaml"}}, "list of rules"),
        ({"scenario": small_day([5]), "history": {"day": "2026-11-29"}}, "exactly one"),
        ({"history": {"day": "2026-11-29"}}, "nobody was available"),
        ({"scenario": small_day([100_000]), "replications": 50}, "at most"),
    ]
    for body, reason in cases:
        response = await client.post("/v1/simulations", json=body)
        assert response.status_code == 422, (body, response.text)
        assert reason in response.text, (reason, response.text)
    missing = await client.get("/v1/simulations/999999")
    assert missing.status_code == 404

    # A job whose process died (no heartbeat): failed when read, and by a starting process.
    db = runtime_of(client).db
    old = utcnow() - timedelta(hours=1)
    async with db.session() as session:
        jobs = [SimulationJob(heartbeat_at=old), SimulationJob(heartbeat_at=old)]
        session.add_all(jobs)
        await session.commit()
        ids = [job.id for job in jobs]
    read = (await client.get(f"/v1/simulations/{ids[0]}")).json()
    assert read["status"] == "failed" and read["error"] == STOPPED
    assert await runtime_of(client).simulations.recover() == 1  # what a starting process does
    async with db.read_session() as session:
        job = await session.get(SimulationJob, ids[1])
        assert job is not None and job.status == "failed" and job.error == STOPPED

    # Admins only.
    supervisor = await login(client, await advisor(client, "Sue", role="supervisor"))
    response = await client.post(
        "/v1/simulations", json={"scenario": small_day([5])}, headers=supervisor
    )
    assert response.status_code == 403, response.text
    assert (await client.get("/v1/simulations/1", headers=supervisor)).status_code == 403
