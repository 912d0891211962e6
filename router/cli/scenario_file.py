"""Scenario files for ``aiguillage simulate``: YAML or JSON (by extension), whose ``rules``
is the path of an ``aiguillage rules export`` file (relative to the scenario) or the list
of rules itself. ``--compare`` takes either another rules file or another scenario."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from router.cli import rules_file
from router.errors import InvalidRequest
from sim import Scenario, ScenarioError, rules_from_documents
from sim.parse import parse_scenario


def load_scenario(path: Path) -> Scenario:
    document = _document(path)
    return parse_scenario(document, rules_from_documents(_rules(document, path)))


def load_variant(path: Path, base: Scenario) -> Scenario:
    """Another scenario (a file with ``arrivals``), or ``base`` under another rules file."""
    document = _document(path)
    if "arrivals" in document:
        return load_scenario(path)
    return base.with_rules(rules_from_documents(rules_file.load(path)))


def _document(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise InvalidRequest(f"{path}: not valid {path.suffix or 'YAML'}: {error}") from None
    if not isinstance(document, dict):
        raise ScenarioError(str(path), "expected a mapping at the top")
    return document


def _rules(document: dict[str, Any], path: Path) -> list[Any]:
    rules = document.get("rules")
    if isinstance(rules, list):
        return rules
    if not isinstance(rules, str):
        raise ScenarioError("rules", "expected a rules file's path or a list of rules")
    return rules_file.load((path.parent / rules).resolve())
