"""Business-time arithmetic over ``BusinessHours``: adding N open seconds, measuring them.

The open stretches of a local day are exactly the instants ``BusinessHours.is_open`` calls
open: each day is cut at its UTC-offset changes, so a window crossing a daylight-saving
change lasts what the wall clock says (Europe/Paris: an 08:00-18:00 window is 10 hours on
both change days, a 01:00-04:00 window is 2 hours in spring and 4 in autumn), and a
window starting in the spring gap opens when the clock jumps past it.

Pure: every moment is given by the caller, all of them aware; results are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clocks.hours import DAYS, BusinessHours

#: How far ahead a due time is searched; validated policies stay far below.
MAX_SEARCH_DAYS = 20 * 366
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
Stretch = tuple[datetime, datetime]  # [start, end) in UTC


def due_at(start: datetime, seconds: float, hours: BusinessHours | None) -> datetime:
    """The moment ``seconds`` of business time after ``start`` have elapsed.

    It lies in an open stretch or at its end (a target used up at closing time is due at
    closing time), never inside a closed period; ``seconds == 0`` gives ``start`` itself.
    Without hours every second counts.
    """
    _check_aware(start)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    left = timedelta(seconds=seconds)
    if hours is None or not left:
        return start.astimezone(UTC) + left
    for begin, end in open_stretches(start, hours):
        if left <= end - begin:
            return begin + left
        left -= end - begin
    raise ValueError(f"no opening within {MAX_SEARCH_DAYS} days: the hours cannot meet this")


def business_seconds_between(a: datetime, b: datetime, hours: BusinessHours | None) -> float:
    """Open seconds in [a, b) (0 when b is not after a)."""
    _check_aware(a)
    _check_aware(b)
    if b <= a:
        return 0.0
    if hours is None:
        return (b - a).total_seconds()
    total = timedelta()
    for begin, end in open_stretches(a, hours, until=b):
        total += min(end, b) - begin
    return total.total_seconds()


def open_stretches(
    start: datetime, hours: BusinessHours, *, until: datetime | None = None
) -> Iterator[Stretch]:
    """The open stretches from ``start`` on (the first one clipped), oldest first; stops
    before ``until`` or after ``MAX_SEARCH_DAYS``."""
    zone = ZoneInfo(hours.timezone)
    start = start.astimezone(UTC)
    day = start.astimezone(zone).date()
    for _ in range(MAX_SEARCH_DAYS):
        try:
            stretches = day_stretches(day, hours, zone)
            day += _DAY
            stop = until is not None and _local_start(day, zone) >= until
        except OverflowError:  # past year 9999
            return
        for begin, end in stretches:
            if until is not None and begin >= until:
                return
            if end > start:
                yield max(begin, start), end
        if stop:
            return


def day_stretches(day: date, hours: BusinessHours, zone: ZoneInfo) -> list[Stretch]:
    """The open stretches of one local day, in UTC, in order."""
    if day in hours.holidays:
        return []
    windows = hours.weekly.get(DAYS[day.weekday()], ())
    if not windows:
        return []
    midnight = datetime.combine(day, time())
    stretches = []
    day_begin, day_end = _local_start(day, zone), _local_start(day + _DAY, zone)
    for begin, end, offset in _segments(day_begin, day_end, zone):
        # Within a segment the offset is fixed: local = UTC + offset.
        local_begin = begin.replace(tzinfo=None) + offset
        local_end = end.replace(tzinfo=None) + offset
        for first, last in windows:
            lo = max(local_begin, midnight + timedelta(minutes=first))
            hi = min(local_end, midnight + timedelta(minutes=last))
            if lo < hi:
                stretches.append((_utc(lo - offset), _utc(hi - offset)))
    return sorted(stretches)


def _local_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant the local day begins (if midnight is skipped, when the clock jumps)."""
    return _instant(datetime.combine(day, time()), zone)


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at which the wall clock reads ``local`` or later."""
    moment = local.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of a repeated hour
    if moment.astimezone(zone).replace(tzinfo=None) == local:
        return moment
    # ``local`` is in a spring-forward gap: the clock reads past it from the change on.
    return _change(local.replace(tzinfo=zone, fold=1).astimezone(UTC), moment, zone)


def _segments(
    begin: datetime, end: datetime, zone: ZoneInfo
) -> list[tuple[datetime, datetime, timedelta]]:
    """[begin, end) cut where the UTC offset changes (at most once a day in practice)."""
    first, last = _offset(begin, zone), _offset(end - _SECOND, zone)
    if first == last:
        return [(begin, end, first)]
    change = _change(begin, end - _SECOND, zone)
    return [(begin, change, first), (change, end, _offset(change, zone))]


def _utc(naive: datetime) -> datetime:
    return naive.replace(tzinfo=UTC)


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _change(lo: datetime, hi: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (lo, hi] whose offset differs from lo's (whole seconds)."""
    before = _offset(lo, zone)
    low, high = int(lo.timestamp()), int(hi.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(datetime.fromtimestamp(middle, UTC), zone) == before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business time needs aware datetimes")
