"""``aiguillage simulate --from-history``: the scenario of a recorded day, read from the
database of the settings (router.simulation.history), optionally written as YAML to edit."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from router.settings import load_settings
from router.simulation.history import day_scenario
from router.store import Database
from sim import Scenario, ScenarioError, rules_from_documents
from sim.parse import parse_scenario


def scenario_of(document: dict[str, Any]) -> Scenario:
    """The scenario of a mapping whose ``rules`` are inline."""
    rules = document.get("rules")
    if not isinstance(rules, list):
        raise ScenarioError("rules", "expected the list of rules")
    return parse_scenario(document, rules_from_documents(rules))


def from_history(
    day: str | None, team_id: int | None, interval_minutes: int, write_to: Path | None
) -> Scenario:
    if day is None:
        raise ScenarioError("--day", "--from-history needs the day to replay (YYYY-MM-DD)")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise ScenarioError("--day", f"expected YYYY-MM-DD, got {day!r}") from None
    document = asyncio.run(_read(when, team_id, interval_minutes))
    if write_to is not None:
        write_to.write_text(dump(document), encoding="utf-8")
    return scenario_of(document)


def dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


async def _read(day: date, team_id: int | None, interval_minutes: int) -> dict[str, Any]:
    db = Database(load_settings().database_url, pool_size=1)
    try:
        return await day_scenario(db, day, team_id=team_id, interval_minutes=interval_minutes)
    finally:
        await db.dispose()
