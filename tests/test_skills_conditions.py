"""Rule conditions added for issue 5: regular-expression patterns and business hours."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills import BusinessHours, Conditions, Facts, RuleError, RuleSpec
from skills.patterns import TEXT_LIMIT, check_pattern

PROPERTIES = settings(database=None, deadline=None, max_examples=200)


def facts(text: str = "", at: datetime | None = None) -> Facts:
    return Facts(channel="chat", language="fr", intent=None, text=text, at=at)


# --- patterns -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "text", "expected"),
    [
        (["r[ée]silier"], "Je veux RÉSILIER", True),
        (["rembours(er|ement)"], "un remboursement svp", True),
        (["facture"], "Votre FACTURÉ est prête", True),  # also tried without accents
        (["commande\\s+n°?\\s*\\d+"], "ma commande n° 1234", True),
        (["commande\\s+n°?\\s*\\d+"], "ma commande", False),
        (["^urgent"], "pas urgent", False),
        (["\\w+@\\w+\\.\\w+", "colis.*perdu"], "mon colis est perdu", True),
        (["\\w+\\s+\\w+ment"], "un remboursement", True),
        (["colis", "parcel"], "where is my PARCEL?", True),
    ],
)
def test_patterns_match_ignoring_case(patterns: list[str], text: str, expected: bool) -> None:
    assert Conditions.from_dict({"patterns": patterns}).matches(facts(text)) is expected


def test_patterns_read_only_the_start_of_a_long_text() -> None:
    conditions = Conditions.from_dict({"patterns": ["needle"]})
    assert conditions.matches(facts("needle " + "x" * TEXT_LIMIT))
    assert not conditions.matches(facts("x" * TEXT_LIMIT + " needle"))


def test_patterns_and_keywords_must_both_hold() -> None:
    conditions = Conditions.from_dict({"keywords": ["facture"], "patterns": ["\\d{4}"]})
    assert conditions.matches(facts("facture 2026"))
    assert not conditions.matches(facts("facture"))


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(", "invalid regular expression"),
        ("(a+)+$", "repeated group"),
        ("(a|aa)*b", "repeated group"),
        ("(?:x\\s*y)+", "repeated group"),
        ("\\d+\\d+x", "same characters"),
        ("\\w+\\s*\\w+", "same characters"),
        (".*x.*y", "same characters"),
        ("(?:\\d+)\\s*\\d+", "same characters"),
        ("a+(b|a+)", "same characters"),
        ("(a)\\1", "back-references"),
        ("(?P<w>a)(?P=w)", "back-references"),
        ("(a)?(?(1)b|c)", "conditional"),
        ("[[a]", "invalid regular expression"),
        ("a*", "empty string"),
        ("x" * 201, "longer than 200"),
    ],
)
def test_unsafe_patterns_are_refused_naming_the_field(pattern: str, words: str) -> None:
    with pytest.raises(RuleError) as error:
        Conditions.from_dict({"patterns": ["ok", pattern]})
    assert error.value.field == "conditions.patterns[1]"
    assert words in error.value.detail


@pytest.mark.parametrize("value", [[], "facture", [""], [3]])
def test_pattern_lists_are_checked(value: object) -> None:
    with pytest.raises(RuleError) as error:
        Conditions.from_dict({"patterns": value})
    assert error.value.field.startswith("conditions.patterns")


@PROPERTIES
@given(st.text(alphabet="ab()|*+?{}[]^$.\\,0123456789:=!<>PSx-", max_size=24))
def test_the_pattern_checker_never_crashes(pattern: str) -> None:
    """Whatever compiles is either accepted or refused with a RuleError, never an IndexError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            re.compile(pattern)
    except (re.error, FutureWarning):
        return
    try:
        check_pattern(pattern, "p")
    except RuleError:
        pass


def test_patterns_round_trip_through_the_rule_json() -> None:
    rule = RuleSpec.from_dict({"name": "r", "conditions": {"patterns": ["a b", "c\\d"]}})
    assert rule.to_dict()["conditions"] == {"patterns": ["a b", "c\\d"]}
    assert RuleSpec.from_dict(rule.to_dict()) == rule


# --- business hours -------------------------------------------------------------------------

OFFICE = {
    "timezone": "Europe/Paris",
    "weekly": {
        "mon": [["09:00", "12:30"], ["13:30", "18:00"]],
        "tue": [["09:00", "18:00"]],
        "sat": [["10:00", "24:00"]],
    },
    "holidays": ["2026-12-25"],
}


def paris(text: str) -> datetime:
    # Paris is UTC+1 in winter (CET), UTC+2 in summer (CEST).
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2026-11-23T08:59:00+01:00", False),  # Monday before opening
        ("2026-11-23T09:00:00+01:00", True),
        ("2026-11-23T12:30:00+01:00", False),  # lunch: end is exclusive
        ("2026-11-23T08:30:00+00:00", True),  # 09:30 in Paris
        ("2026-11-25T10:00:00+01:00", False),  # Wednesday: no window
        ("2026-11-28T23:59:00+01:00", True),  # Saturday until midnight
        ("2026-12-25T10:00:00+01:00", False),  # a Friday, but a holiday (and no window)
        ("2026-12-22T10:00:00+01:00", True),  # Tuesday
        ("2026-07-06T07:30:00+00:00", True),  # Monday 09:30 CEST
        ("2026-07-06T07:30:00+01:00", False),  # Monday 08:30 CEST
    ],
)
def test_business_hours_in_local_time(moment: str, is_open: bool) -> None:
    hours = BusinessHours.from_dict(OFFICE)
    assert hours.is_open(paris(moment)) is is_open
    open_rule = Conditions.from_dict({"hours": OFFICE})
    closed_rule = Conditions.from_dict({"hours": {**OFFICE, "when": "closed"}})
    assert open_rule.matches(facts(at=paris(moment))) is is_open
    assert closed_rule.matches(facts(at=paris(moment))) is not is_open


def test_a_holiday_closes_a_normal_day() -> None:
    hours = BusinessHours.from_dict({**OFFICE, "holidays": ["2026-11-23"]})
    assert not hours.is_open(paris("2026-11-23T10:00:00+01:00"))


def test_hours_without_a_time_do_not_hold() -> None:
    assert not Conditions.from_dict({"hours": OFFICE}).matches(facts())
    assert not Conditions.from_dict({"hours": {**OFFICE, "when": "closed"}}).matches(facts())


def test_hours_round_trip() -> None:
    hours = BusinessHours.from_dict(OFFICE)
    assert BusinessHours.from_dict(hours.to_dict()) == hours
    assert hours.to_dict()["weekly"] == OFFICE["weekly"]


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"weekly": {"mon": [["09:00", "18:00"]]}}, "timezone"),
        ({**OFFICE, "timezone": "Mars/Olympus"}, "conditions.hours.timezone"),
        ({**OFFICE, "weekly": {"lun": []}}, "conditions.hours.weekly"),
        ({**OFFICE, "weekly": {"mon": [["18:00", "09:00"]]}}, "conditions.hours.weekly.mon[0]"),
        ({**OFFICE, "weekly": {"mon": [["9h", "18:00"]]}}, "conditions.hours.weekly.mon[0]"),
        ({**OFFICE, "weekly": {"mon": [["09:00", "25:00"]]}}, "conditions.hours.weekly.mon[0]"),
        (
            {**OFFICE, "weekly": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}},
            "conditions.hours.weekly.mon",
        ),
        ({**OFFICE, "weekly": {}}, "conditions.hours.weekly"),
        ({**OFFICE, "holidays": ["25/12/2026"]}, "conditions.hours.holidays[0]"),
        ({**OFFICE, "when": "sometimes"}, "conditions.hours.when"),
        ({**OFFICE, "open": True}, "conditions.hours"),
    ],
)
def test_bad_hours_name_the_field(hours: dict[str, object], field: str) -> None:
    with pytest.raises(RuleError) as error:
        Conditions.from_dict({"hours": hours})
    assert error.value.field == field


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        BusinessHours.from_dict(OFFICE).is_open(datetime(2026, 11, 23, 10))


@PROPERTIES
@given(
    st.datetimes(
        timezones=st.just(UTC), min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)
    )
)
def test_open_and_closed_are_complementary(moment: datetime) -> None:
    hours = BusinessHours.from_dict(OFFICE)
    closed = BusinessHours.from_dict({**OFFICE, "when": "closed"})
    assert hours.holds(moment) != closed.holds(moment)
    # A window is [start, end): the minute before the opening is never open.
    assert hours.is_open(moment) == hours.is_open(moment + timedelta(seconds=0))
