"""Business hours: weekly opening windows in an IANA time zone, and holidays.

JSON form (every key but ``timezone`` optional)::

    {"timezone": "Europe/Paris",
     "weekly": {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], "sat": [["10:00", "13:00"]]},
     "holidays": ["2026-12-25"],
     "when": "open"}

A day absent from ``weekly`` is closed; a window is [start, end) in local wall-clock time,
"24:00" closing at midnight; a window crossing midnight is written as two windows. A holiday
is closed all day (local date). ``when`` says whether the rule applies while open (the
default) or while closed. The moment is given by the caller: this module reads no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clocks import _fields as f

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_WINDOWS_PER_DAY = 10
MAX_HOLIDAYS = 500
_KEYS = ("timezone", "weekly", "holidays", "when")
_WHEN = ("open", "closed")
Window = tuple[int, int]  # minutes since local midnight, [start, end)


@dataclass(frozen=True, slots=True)
class BusinessHours:
    timezone: str
    weekly: Mapping[str, tuple[Window, ...]]
    holidays: frozenset[date] = frozenset()
    when: str = "open"

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` (an aware datetime) falls in an opening window, local time."""
        if at.tzinfo is None:
            raise ValueError("business hours need an aware datetime")
        local = at.astimezone(_zone(self.timezone, "hours.timezone"))
        if local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(
            start <= minute < end for start, end in self.weekly.get(DAYS[local.weekday()], ())
        )

    def holds(self, at: datetime | None) -> bool:
        """The condition: open (or closed, per ``when``) at ``at``; unknown time: False."""
        return at is not None and self.is_open(at) == (self.when == "open")

    def to_dict(self) -> dict[str, object]:
        return {
            "timezone": self.timezone,
            "weekly": {
                day: [[_hhmm(start), _hhmm(end)] for start, end in self.weekly[day]]
                for day in DAYS
                if day in self.weekly
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
            "when": self.when,
        }

    @classmethod
    def from_dict(cls, data: object, field: str = "conditions.hours") -> BusinessHours:
        d = f.mapping(data, field)
        f.check_keys(d, _KEYS, field)
        timezone = f.string(f.required(d, "timezone"), f"{field}.timezone")
        _zone(timezone, f"{field}.timezone")
        when = d.get("when", "open")
        if when not in _WHEN:
            raise f.error(f"{field}.when", f"must be 'open' or 'closed', got {when!r}")
        weekly = _weekly(d.get("weekly", {}), f"{field}.weekly")
        holidays = _holidays(d.get("holidays", []), f"{field}.holidays")
        if not any(weekly.values()) and when == "open":
            raise f.error(f"{field}.weekly", "no opening window: the condition would never hold")
        return cls(timezone=timezone, weekly=weekly, holidays=holidays, when=str(when))


def _zone(name: str, field: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise f.error(field, f"unknown IANA time zone {name!r}") from None


def _weekly(value: object, field: str) -> dict[str, tuple[Window, ...]]:
    d = f.mapping(value, field)
    f.check_keys(d, DAYS, field)
    weekly: dict[str, tuple[Window, ...]] = {}
    for day, windows in d.items():
        path = f"{field}.{day}"
        if not isinstance(windows, list | tuple) or len(windows) > MAX_WINDOWS_PER_DAY:
            raise f.error(path, f"must be a list of at most {MAX_WINDOWS_PER_DAY} windows")
        parsed = sorted(_window(w, f"{path}[{i}]") for i, w in enumerate(windows))
        for (_, end), (start, _) in zip(parsed, parsed[1:], strict=False):
            if start < end:
                raise f.error(path, "windows overlap")
        weekly[day] = tuple(parsed)
    return weekly


def _window(value: object, field: str) -> Window:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise f.error(field, 'must be a pair ["HH:MM", "HH:MM"]')
    start, end = (_minutes(v, field) for v in value)
    if start >= end:
        raise f.error(field, "must end after it starts (split a window crossing midnight in two)")
    return start, end


def _minutes(value: object, field: str) -> int:
    text = f.string(value, field)
    if text == "24:00":
        return 24 * 60
    try:
        moment = time.fromisoformat(text)
    except ValueError:
        raise f.error(field, f"{text!r} is not a time HH:MM") from None
    if len(text) != 5 or moment.second or moment.microsecond:
        raise f.error(field, f"{text!r} is not a time HH:MM")
    return moment.hour * 60 + moment.minute


def _holidays(value: object, field: str) -> frozenset[date]:
    if not isinstance(value, list | tuple) or len(value) > MAX_HOLIDAYS:
        raise f.error(field, f"must be a list of at most {MAX_HOLIDAYS} dates")
    days = set()
    for i, item in enumerate(value):
        text = f.string(item, f"{field}[{i}]")
        try:
            days.add(date.fromisoformat(text))
        except ValueError:
            raise f.error(f"{field}[{i}]", f"{text!r} is not a date YYYY-MM-DD") from None
    return frozenset(days)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
