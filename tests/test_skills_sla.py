"""Service levels, pure: business-time arithmetic (windows, weekends, holidays, daylight
saving), policy matching, and one ticket's clock (warnings, breaches, pauses, settling)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clocks.business_time import business_seconds_between, day_stretches, due_at
from clocks.errors import RuleError
from clocks.hours import DAYS, BusinessHours
from clocks.sla import State, Target, Terms, check_reachable, match_policy, sla_hours
from clocks.sla_clock import Alarm, Clock, Phase

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
OFFICE = BusinessHours.from_dict(
    {
        "timezone": "Europe/Paris",
        "weekly": {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in DAYS[:5]},
        "holidays": ["2026-12-25"],
    }
)
NIGHTS = BusinessHours.from_dict(  # every day, across the 02:00-03:00 daylight-saving hour
    {"timezone": "Europe/Paris", "weekly": {d: [["01:00", "04:00"]] for d in DAYS}}
)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


# Business time, by example.


def test_without_hours_every_second_counts() -> None:
    start = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert due_at(start, 90, None) == start + timedelta(seconds=90)
    assert business_seconds_between(start, start + timedelta(hours=2), None) == 2 * HOUR


def test_due_at_skips_lunch_evenings_weekends_and_holidays() -> None:
    assert due_at(paris(2026, 6, 2, 12), 1 * HOUR, OFFICE) == paris(2026, 6, 2, 14)
    # Friday 17:00 + 2 h: one hour on Friday, the second on Monday morning.
    assert due_at(paris(2026, 6, 5, 17), 2 * HOUR, OFFICE) == paris(2026, 6, 8, 10)
    # Saturday counts nothing until Monday opens.
    assert due_at(paris(2026, 6, 6, 11), 30 * 60, OFFICE) == paris(2026, 6, 8, 9, 30)
    # Christmas (Friday) is a holiday: Thursday 17:30 + 1 h ends on Monday 09:30.
    assert due_at(paris(2026, 12, 24, 17, 30), HOUR, OFFICE) == paris(2026, 12, 28, 9, 30)


def test_a_target_used_up_at_closing_time_is_due_at_closing_time() -> None:
    assert due_at(paris(2026, 6, 2, 17), HOUR, OFFICE) == paris(2026, 6, 2, 18)
    assert due_at(paris(2026, 6, 2, 17), HOUR + 1, OFFICE) == paris(2026, 6, 3, 9, 0, 1)


def test_daylight_saving_changes_in_paris() -> None:
    # Spring (29 March 2026): 02:00-03:00 does not exist, a 01:00-04:00 window is 2 hours.
    spring = paris(2026, 3, 29, 1)
    assert business_seconds_between(spring, paris(2026, 3, 29, 5), NIGHTS) == 2 * HOUR
    assert due_at(spring, 90 * 60, NIGHTS) == paris(2026, 3, 29, 3, 30)
    # Autumn (25 October 2026): 02:00-03:00 happens twice, the window is 4 hours.
    autumn = paris(2026, 10, 25, 1)
    assert business_seconds_between(autumn, paris(2026, 10, 25, 5), NIGHTS) == 4 * HOUR
    assert due_at(autumn, 4 * HOUR, NIGHTS) == datetime(2026, 10, 25, 3, tzinfo=UTC)
    # Office hours are wall-clock hours: 10 hours on both change days.
    week_end = BusinessHours.from_dict(
        {"timezone": "Europe/Paris", "weekly": {"sun": [["08:00", "18:00"]]}}
    )
    for day in (paris(2026, 3, 29), paris(2026, 10, 25)):
        assert business_seconds_between(day, day + timedelta(days=1), week_end) == 10 * HOUR
        assert due_at(day, 10 * HOUR, week_end).astimezone(PARIS).hour == 18


def test_a_window_opening_in_the_spring_gap_opens_when_the_clock_jumps() -> None:
    hours = BusinessHours.from_dict(
        {"timezone": "Europe/Paris", "weekly": {"sun": [["02:30", "05:00"]]}}
    )
    (stretch,) = day_stretches(date(2026, 3, 29), hours, PARIS)
    assert stretch == (paris(2026, 3, 29, 3), paris(2026, 3, 29, 5))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_at(datetime(2026, 1, 1), 60, OFFICE)
    with pytest.raises(ValueError, match="negative"):
        due_at(paris(2026, 1, 1), -1, OFFICE)
    with pytest.raises(ValueError, match="aware"):
        business_seconds_between(paris(2026, 1, 1), datetime(2026, 1, 2), None)


def test_between_is_zero_backwards_and_over_closed_time() -> None:
    assert business_seconds_between(paris(2026, 6, 3), paris(2026, 6, 2), OFFICE) == 0
    assert business_seconds_between(paris(2026, 6, 6), paris(2026, 6, 8), OFFICE) == 0


# Business time, by property.

ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@st.composite
def business_hours(draw: st.DrawFn) -> BusinessHours:
    weekly: dict[str, list[list[str]]] = {}
    for day in DAYS:
        points = sorted(draw(st.lists(st.integers(0, 96), unique=True, max_size=4)))
        pairs = list(zip(points[::2], points[1::2], strict=False))
        if pairs:
            weekly[day] = [[_hhmm(a * 15), _hhmm(b * 15)] for a, b in pairs]
    if not weekly:
        weekly["wed"] = [["09:00", "17:00"]]
    holidays = draw(st.lists(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=20))
    return BusinessHours.from_dict(
        {
            "timezone": draw(st.sampled_from(ZONES)),
            "weekly": weekly,
            "holidays": [d.isoformat() for d in holidays],
        }
    )


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


moments = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))
amounts = st.integers(0, 40 * HOUR)


@settings(deadline=None, max_examples=150)
@given(business_hours(), moments, amounts, amounts)
def test_adding_business_time_is_monotonic_and_additive(
    hours: BusinessHours, start: datetime, a: int, b: int
) -> None:
    first = due_at(start, a, hours)
    assert first <= due_at(start, a + b, hours)
    assert due_at(start, a + b, hours) == due_at(first, b, hours)
    assert business_seconds_between(start, first, hours) == a


@settings(deadline=None, max_examples=150)
@given(business_hours(), moments, st.integers(1, 40 * HOUR))
def test_a_due_time_is_never_inside_a_closed_period(
    hours: BusinessHours, start: datetime, seconds: int
) -> None:
    due = due_at(start, seconds, hours)
    assert hours.is_open(due - timedelta(microseconds=1))


@settings(deadline=None, max_examples=150)
@given(business_hours(), moments, st.integers(0, 10 * 24 * HOUR), st.integers(0, 10 * 24 * HOUR))
def test_measuring_business_time_adds_up(
    hours: BusinessHours, start: datetime, first: int, second: int
) -> None:
    middle = start + timedelta(seconds=first)
    end = middle + timedelta(seconds=second)
    whole = business_seconds_between(start, end, hours)
    parts = business_seconds_between(start, middle, hours)
    parts += business_seconds_between(middle, end, hours)
    assert whole == pytest.approx(parts, abs=1e-6)
    assert 0 <= whole <= first + second


@settings(deadline=None, max_examples=200)
@given(business_hours(), moments)
def test_open_stretches_are_exactly_the_open_instants(
    hours: BusinessHours, moment: datetime
) -> None:
    zone = ZoneInfo(hours.timezone)
    stretches = day_stretches(moment.astimezone(zone).date(), hours, zone)
    assert hours.is_open(moment) == any(begin <= moment < end for begin, end in stretches)


# Policies.


def terms(policy_id: int = 1, **fields: object) -> Terms:
    values: dict[str, object] = {
        "first_response_seconds": HOUR,
        "resolution_seconds": 8 * HOUR,
        "warning_ratio": 0.75,
        **fields,
    }
    return Terms(policy_id=policy_id, **values)  # type: ignore[arg-type]


def test_first_matching_policy_by_position_wins() -> None:
    urgent_mail = terms(1, position=1, min_priority=50, channel="email")
    urgent = terms(2, position=2, min_priority=50)
    anything = terms(3, position=3)
    policies = [anything, urgent, urgent_mail]
    assert match_policy(policies, 60, "email") == urgent_mail
    assert match_policy(policies, 50, "chat") == urgent
    assert match_policy(policies, 49, "email") == anything
    assert match_policy([urgent_mail], 10, "email") is None
    # Same position: the older policy (lower id) first.
    assert match_policy([terms(9, position=1), terms(4, position=1)], 0, "x") == terms(
        4, position=1
    )


def test_terms_survive_their_stored_form() -> None:
    original = terms(7, hours=OFFICE, resolution_seconds=None)
    assert Terms.from_dict(original.to_dict()) == Terms(
        7, HOUR, None, warning_ratio=0.75, hours=OFFICE
    )
    with pytest.raises(RuleError) as error:
        Terms.from_dict({"policy_id": "x"})
    assert error.value.field == "terms.policy_id"


def test_policy_hours_must_count_open_time_and_reach_the_targets() -> None:
    closed = {"timezone": "UTC", "weekly": {"mon": [["09:00", "10:00"]]}, "when": "closed"}
    with pytest.raises(RuleError) as error:
        sla_hours(closed)
    assert error.value.field == "business_hours.when"
    one_hour = sla_hours({"timezone": "UTC", "weekly": {"mon": [["09:00", "10:00"]]}})
    check_reachable(one_hour, 200 * HOUR, None)
    with pytest.raises(RuleError, match="weeks"):
        check_reachable(one_hour, None, 90 * 24 * HOUR)
    check_reachable(None, 90 * 24 * HOUR)


# One ticket's clock (no business hours: due times are plain arithmetic).

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_new_clock_checks_first_at_the_first_warning() -> None:
    clock = Clock.start(terms(), T0)
    assert clock.due(Target.first_response) == at(60)
    assert clock.warning_at(Target.first_response) == at(45)
    assert clock.due(Target.resolution) == at(480)
    assert (clock.first_response, clock.resolution) == (State.ok, State.ok)
    assert clock.next_check() == at(45)
    only_response = Clock.start(terms(resolution_seconds=None), T0)
    assert only_response.resolution is None and only_response.due(Target.resolution) is None


def test_warning_then_breach_each_once() -> None:
    clock, alarms = Clock.start(terms(), T0).check(at(44))
    assert alarms == []
    clock, alarms = clock.check(at(45))
    assert alarms == [Alarm(State.warning, Target.first_response, at(60))]
    assert clock.next_check() == at(60)
    clock, alarms = clock.check(at(50))
    assert alarms == []
    clock, alarms = clock.check(at(60))
    assert alarms == [Alarm(State.breached, Target.first_response, at(60))]
    assert clock.first_response == State.breached
    assert clock.next_check() == at(360)  # the resolution's warning
    again, alarms = clock.check(at(61))
    assert (again, alarms) == (clock, [])


def test_a_target_found_past_due_gets_its_breach_only() -> None:
    clock, alarms = Clock.start(terms(), T0).check(at(500))
    assert alarms == [
        Alarm(State.breached, Target.first_response, at(60)),
        Alarm(State.breached, Target.resolution, at(480)),
    ]
    assert clock.next_check() is None


def test_first_response_met_before_due_and_breached_from_due_on() -> None:
    clock, alarms = Clock.start(terms(), T0).answered(at(59))
    assert clock.first_response == State.met and alarms == []
    clock, alarms = Clock.start(terms(), T0).answered(at(60))
    assert clock.first_response == State.breached
    assert alarms == [Alarm(State.breached, Target.first_response, at(60))]
    breached, _ = Clock.start(terms(), T0).check(at(61))
    late, alarms = breached.answered(at(70))
    assert late.first_response == State.breached and alarms == []


def test_waiting_on_the_customer_pauses_the_resolution_only() -> None:
    clock, _ = Clock.start(terms(), T0).answered(at(10))
    clock, _ = clock.changed(Phase.paused, at(100))
    assert clock.paused_at == at(100) and clock.next_check() is None
    clock, alarms = clock.check(at(10_000))
    assert alarms == []  # paused for days: no warning, no breach
    clock, alarms = clock.changed(Phase.running, at(400))
    assert alarms == []
    assert clock.due(Target.resolution) == at(480 + 300)
    assert clock.warning_at(Target.resolution) == at(360 + 300)
    assert clock.next_check() == at(660)


def test_pausing_with_business_hours_pushes_by_open_time_only() -> None:
    office = terms(resolution_seconds=4 * HOUR, hours=OFFICE)
    clock = Clock.start(office, paris(2026, 6, 5, 16))  # Friday 16:00
    assert clock.due(Target.resolution) == paris(2026, 6, 8, 11)
    clock, _ = clock.changed(Phase.paused, paris(2026, 6, 5, 17))  # one hour used
    clock, _ = clock.changed(Phase.running, paris(2026, 6, 8, 10))  # two open hours paused
    assert clock.paused_seconds == 2 * HOUR
    # Three hours left from Monday 10:00, lunch excluded.
    assert clock.due(Target.resolution) == paris(2026, 6, 8, 14)


def test_a_breach_before_the_pause_stands() -> None:
    clock, _ = Clock.start(terms(), T0).changed(Phase.paused, at(500))
    assert clock.resolution == State.breached and clock.paused_at is None


def test_resolving_settles_both_targets() -> None:
    clock, alarms = Clock.start(terms(), T0).changed(Phase.done, at(30))
    assert (clock.first_response, clock.resolution, clock.settled) == (State.met, State.met, True)
    assert alarms == [] and clock.next_check() is None
    late, alarms = Clock.start(terms(), T0).answered(at(10))[0].changed(Phase.done, at(481))
    assert late.resolution == State.breached
    assert alarms == [Alarm(State.breached, Target.resolution, at(480))]
    # Closing a resolved ticket changes nothing.
    closed, alarms = late.changed(Phase.done, at(10_000))
    assert (closed, alarms) == (late, [])


def test_resolving_while_paused_counts_the_pause() -> None:
    clock, _ = Clock.start(terms(), T0).answered(at(10))
    clock, _ = clock.changed(Phase.paused, at(470))
    clock, alarms = clock.changed(Phase.done, at(2000))
    assert clock.resolution == State.met and alarms == []


def test_reopening_restarts_the_resolution_in_full() -> None:
    clock, _ = Clock.start(terms(), T0).answered(at(10))
    clock, _ = clock.changed(Phase.done, at(100))
    clock, alarms = clock.changed(Phase.running, at(1000))
    assert alarms == [] and not clock.settled
    assert (clock.first_response, clock.resolution) == (State.met, State.ok)
    assert clock.due(Target.resolution) == at(1480)
    assert clock.next_check() == at(1360)


def test_another_policy_judges_running_targets_again() -> None:
    clock, _ = Clock.start(terms(), T0).check(at(50))
    assert clock.first_response == State.warning
    # Stricter: the first response is now past due, the resolution now warned.
    strict = terms(2, first_response_seconds=40 * 60, resolution_seconds=60 * 60)
    tight, alarms = clock.retarget(strict, at(50), answered=False)
    assert tight.terms == strict
    assert alarms == [
        Alarm(State.breached, Target.first_response, at(40)),
        Alarm(State.warning, Target.resolution, at(60)),
    ]
    # More lenient: the warning goes away quietly; a warning already given is not repeated.
    lenient, alarms = clock.retarget(
        terms(3, first_response_seconds=4 * HOUR), at(50), answered=False
    )
    assert lenient.first_response == State.ok and alarms == []
    same, alarms = clock.retarget(terms(4), at(50), answered=False)
    assert same.first_response == State.warning and alarms == []
    # A breach stands whatever the new policy says.
    breached, _ = clock.check(at(70))
    kept, _ = breached.retarget(terms(5, first_response_seconds=10 * HOUR), at(70), answered=False)
    assert kept.first_response == State.breached


def test_a_target_the_new_policy_adds_starts_unless_already_answered() -> None:
    clock = Clock.start(terms(first_response_seconds=None), T0)
    added, _ = clock.retarget(terms(2), at(5), answered=False)
    assert added.first_response == State.ok and added.due(Target.first_response) == at(60)
    answered, _ = clock.retarget(terms(2), at(5), answered=True)
    assert answered.first_response is None
    dropped, _ = added.retarget(terms(3, first_response_seconds=None), at(6), answered=False)
    assert dropped.first_response is None


def test_a_clock_survives_its_stored_form() -> None:
    clock, _ = Clock.start(terms(hours=OFFICE), paris(2026, 6, 2, 10)).answered(
        paris(2026, 6, 2, 10, 5)
    )
    clock, _ = clock.changed(Phase.paused, paris(2026, 6, 2, 11))
    stored = clock.to_dict()
    restored = Clock.from_dict(stored, clock.first_response, clock.resolution)
    assert restored == clock
    with pytest.raises(RuleError):
        Clock.from_dict({**stored, "started_at": "yesterday"}, "ok", "ok")


steps = st.lists(
    st.tuples(
        st.sampled_from(["check", "answered", "paused", "running"]), st.integers(0, 3 * HOUR)
    ),
    max_size=12,
)


@settings(deadline=None, max_examples=150)
@given(st.sampled_from([None, OFFICE]), moments, steps)
def test_each_alarm_is_raised_at_most_once_and_never_early(
    hours: BusinessHours | None, start: datetime, plan: list[tuple[str, int]]
) -> None:
    clock, now, raised = Clock.start(terms(hours=hours), start), start, []
    for step, wait in plan:
        now += timedelta(seconds=wait)
        if step == "check":
            clock, alarms = clock.check(now)
        elif step == "answered":
            clock, alarms = clock.answered(now)
        else:
            clock, alarms = clock.changed(Phase(step), now)
        for alarm in alarms:
            threshold = alarm.due_at if alarm.kind == State.breached else None
            assert threshold is None or now >= threshold
            assert clock.state(alarm.target) in (alarm.kind, State.breached)
        raised += [(a.kind, a.target) for a in alarms]
        following = clock.next_check()
        assert following is None or following > now
    assert len(raised) == len(set(raised))
