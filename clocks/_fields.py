"""Readers for JSON-like rule data: each checks one value's type and range or raises RuleError.

``field`` is always the dotted path of the value, so the message can name it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping

from clocks.errors import RuleError

LEVELS = range(1, 6)


def error(field: str, detail: str) -> RuleError:
    return RuleError(detail, field=field)


def mapping(value: object, field: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise error(field, f"must be an object with string keys, got {_kind(value)}")
    return value


def check_keys(data: Mapping[str, object], allowed: Iterable[str], field: str) -> None:
    """Reject unknown keys: a typo ("intent" for "intents") must not silently match all."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise error(field, f"unknown field {unknown[0]!r}")


def required(data: Mapping[str, object], key: str) -> object:
    if key not in data:
        raise error(key, "is required")
    return data[key]


def integer(value: object, field: str) -> int:
    # bool is an int subclass; True as a priority is a client bug, not 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise error(field, f"must be an integer, got {_kind(value)}")
    return value


def optional_int(value: object, field: str) -> int | None:
    return None if value is None else integer(value, field)


def boolean(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise error(field, f"must be true or false, got {_kind(value)}")
    return value


def number(value: object, field: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise error(field, f"must be a number, got {_kind(value)}")
    if not math.isfinite(value):
        raise error(field, "must be a finite number")
    return float(value)


def string(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise error(field, f"must be a string, got {_kind(value)}")
    text = value.strip()
    if not text:
        raise error(field, "must not be empty")
    return text


def optional_string(value: object, field: str) -> str | None:
    return None if value is None else string(value, field)


def string_list(value: object, field: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise error(field, f"must be a list of strings, got {_kind(value)}")
    if not value:
        raise error(field, "must not be an empty list (omit it to match anything)")
    return tuple(string(item, field) for item in value)


def string_set(value: object, field: str) -> frozenset[str] | None:
    return None if value is None else frozenset(string_list(value, field))


def check_level(level: int, field: str) -> None:
    if level not in LEVELS:
        raise error(field, f"level {level} is outside 1..5")


def skill_levels(value: object, field: str, known_skills: Collection[str] | None) -> dict[str, int]:
    levels: dict[str, int] = {}
    for name, level in mapping(value, field).items():
        path = f"{field}.{name}"
        if not name.strip():
            raise error(field, "skill names must not be empty")
        if known_skills is not None and name not in known_skills:
            raise error(path, f"unknown skill {name!r}")
        levels[name] = integer(level, path)
        check_level(levels[name], path)
    return levels


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
