"""Rules as a file: the format of ``aiguillage rules export`` and ``rules import``.

YAML or JSON (by the file's extension), a document ``{"rules": [...]}`` where each rule has
the fields of the API's rule body plus ``is_default``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from router.errors import InvalidRequest
from router.models.routing import RulePublic

_DROPPED = ("id", "created_at", "updated_at")


def dump(rules: list[RulePublic], path: Path | None) -> str:
    document = {"rules": [rule.model_dump(mode="json", exclude=set(_DROPPED)) for rule in rules]}
    if path is not None and path.suffix.lower() == ".json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def load(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise InvalidRequest(f"{path}: not valid {path.suffix or 'YAML'}: {error}") from None
    rules = document.get("rules") if isinstance(document, dict) else document
    if not isinstance(rules, list):
        raise InvalidRequest(f"{path}: expected a list of rules under 'rules'", field="rules")
    return rules
